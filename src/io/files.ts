import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that readers see the old content or the new, never half of it: write a temporary
 * file beside it, then rename over (atomic within one file system). With `mode`, the file gets exactly
 * that mode (the umask does not narrow or widen it), before it appears under its name.
 */
export async function writeFileAtomic(
  file: string,
  content: string | Uint8Array,
  mode?: number,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, content, mode === undefined ? undefined : { mode: mode & 0o600 });
    if (mode !== undefined) await chmod(temporary, mode);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    // A failed write names no path (ENOSPC from write()): name the file, for the one-line message.
    (error as NodeJS.ErrnoException).path ??= file;
    throw error;
  }
}

export async function readIfExists(file: string): Promise<string | null> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export async function pathExists(file: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
