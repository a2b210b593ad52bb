import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { pathExists } from './files.js';
import { packageRoot } from './launcher-path.js';

export const BUILT_IN_LAYOUTS = ['tiled', 'columns', 'rows', 'tabs'] as const;

/**
 * Finds a layout template: a built-in name is `layouts/<name>.<ext>` in the package (never the user's
 * folder); anything with a slash or the extension is the user's own file, relative to `cwd`.
 */
export async function readLayoutTemplate(
  layout: string,
  extension: 'tmux' | 'kdl',
  cwd: string,
): Promise<{ text: string; file: string }> {
  const isPath = layout.includes('/') || layout.endsWith(`.${extension}`);
  if (!isPath && !(BUILT_IN_LAYOUTS as readonly string[]).includes(layout)) {
    throw new UsageError(
      `unknown layout ${JSON.stringify(layout)}: use ${BUILT_IN_LAYOUTS.join(', ')}, or a path to a .${extension} template`,
    );
  }
  const file = isPath
    ? path.resolve(cwd, layout)
    : path.join(packageRoot(), 'layouts', `${layout}.${extension}`);
  if (!(await pathExists(file))) throw new UsageError(`the layout template ${file} does not exist`);
  if (!(await stat(file)).isFile())
    throw new UsageError(`the layout template ${file} is not a file; give a .${extension} template`);
  return { text: await readFile(file, 'utf8'), file };
}
