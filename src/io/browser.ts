import { startDetached } from './exec.js';
import { which } from './which.js';

/**
 * Opens a file with the desktop's opener (xdg-open on Linux and BSD, open on macOS), detached so the
 * caller does not wait for the browser. Without one, it says where the file is.
 */
export async function openInBrowser(
  file: string,
  io: { cwd: string; env: NodeJS.ProcessEnv; warn: (line: string) => void },
): Promise<void> {
  const name = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const opener = await which(name, io.cwd, io.env);
  if (!opener) {
    io.warn(`found no ${name} to open the report; open ${file} in a browser`);
    return;
  }
  await startDetached(opener, [file], { cwd: io.cwd, env: io.env });
}
