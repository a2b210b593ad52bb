import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The absolute path of an executable: a name is looked up on PATH, a path (anything with a slash) is
 * taken relative to `cwd`. Null when there is no such executable file.
 */
export async function which(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (command.includes('/')) {
    const candidate = path.resolve(cwd, command);
    return (await isExecutableFile(candidate)) ? candidate : null;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
