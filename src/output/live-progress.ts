/**
 * Live progress, one line per candidate: preparing the candidates, running their checks. On a terminal
 * (liveProgressWanted) the lines are redrawn in place as each moves on; elsewhere (CI, a pipe, a log
 * file) one line per change, so a log reads as a history. Always on stderr, so --json output on stdout
 * stays one document. The one renderer, so both decide about the terminal the same way.
 */
export interface LiveLines {
  update(name: string, text: string): void;
  /** Leaves the last state on screen and stops redrawing. */
  finish(): void;
}

export function createLiveLines(
  names: readonly string[],
  options: { stream: NodeJS.WritableStream; live: boolean },
): LiveLines {
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = new Map(names.map((name) => [name, 'waiting']));
  const format = (name: string) => `  ${name.padEnd(width)}  ${lines.get(name)}`;
  if (!options.live) {
    return {
      update: (name, text) => {
        if (lines.get(name) === text) return;
        lines.set(name, text);
        options.stream.write(`${format(name)}\n`);
      },
      finish: () => {},
    };
  }
  let drawn = false;
  let finished = false;
  const columns = () => (options.stream as NodeJS.WriteStream).columns || 100;
  const draw = () => {
    if (finished) return;
    let out = drawn ? `\x1b[${names.length}A` : '';
    for (const name of names) out += `\x1b[2K${format(name).slice(0, columns() - 1)}\n`;
    options.stream.write(out);
    drawn = true;
  };
  return {
    update: (name, text) => {
      lines.set(name, text);
      draw();
    },
    finish: () => {
      draw();
      finished = true;
    },
  };
}

/** Whether to redraw in place: a terminal that is not CI's and not `TERM=dumb`. */
export function liveProgressWanted(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  return Boolean((stream as NodeJS.WriteStream).isTTY) && !env.CI && env.TERM !== 'dumb';
}
