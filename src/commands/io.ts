import { createReporter, type Reporter } from '../output/reporter.js';

/** The process-level facts a command action receives, so actions never read globals themselves. */
export interface CommandIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
}

export function commandIo(json: boolean): CommandIo {
  return { cwd: process.cwd(), env: process.env, reporter: createReporter({ json }) };
}
