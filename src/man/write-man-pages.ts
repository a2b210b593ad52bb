import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { describeCommand } from '../commands/introspect.js';
import { COMMANDS } from '../commands/registry.js';
import { version } from '../version.js';
import { renderManPages } from './render-man.js';

/** The manual pages of every command, as `man/man1/*.1` (run by scripts/build.mjs); returns the files. */
export function writeManPages(dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pages = renderManPages(
    COMMANDS.map((command) => describeCommand(yargs, command)),
    version,
  );
  for (const page of pages) writeFileSync(path.join(dir, page.file), page.text);
  return readdirSync(dir).sort();
}
