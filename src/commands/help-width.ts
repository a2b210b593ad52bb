/** The width help text is wrapped to: the terminal's, at most 110 columns; 80 off a terminal. */
export function helpWidth(): number {
  return Math.min(110, process.stdout.columns || 80);
}

/**
 * The widths whose top-level help (`git parallel --help`) the build renders ahead (scripts/build.mjs writes
 * dist/help-text.js): off a terminal and in the common terminal widths. yargs renders any other width.
 */
export const PRERENDERED_HELP_WIDTHS = [80, 100, 110] as const;

/**
 * The top-level help as the build rendered it for `width`, or null (run from the sources, or another width).
 * Rendering it with yargs costs more than Node's own start (issue 18); the text is the same, since the build
 * renders it with the same parser (test/e2e/help-prerendered.test.ts compares them).
 */
export async function prerenderedHelp(width: number): Promise<string | null> {
  try {
    // Beside the bundle in dist/; from the sources (tests) there is none, and yargs renders the help.
    const file = new URL('./help-text.js', import.meta.url).href;
    const { HELP } = (await import(file)) as { HELP: Record<string, string> };
    return HELP[String(width)] ?? null;
  } catch {
    return null;
  }
}
