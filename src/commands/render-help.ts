import { PRERENDERED_HELP_WIDTHS } from './help-width.js';
import { renderTopHelp } from './parser.js';

/** Entry of the build's help generator (scripts/build.mjs): width → `git parallel --help` text. */
export async function renderAllTopHelp(): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const width of PRERENDERED_HELP_WIDTHS) texts[String(width)] = await renderTopHelp(width);
  return texts;
}
