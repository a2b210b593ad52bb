import { atLeast, parseVersion, type Version } from '../core/versions.js';
import { run } from './exec.js';

/**
 * Zellij pane queries and typing, for `status` and `send` (the session driver is io/zellij.ts).
 *
 * Zellij 0.44.0 added everything needed to address one pane from outside
 * (research/multiplexers.md §1.5): `zellij -s NAME action list-panes --json`, `dump-screen --pane-id P`,
 * `paste --pane-id P TEXT` and `send-keys --pane-id P Enter`. Older versions can only act on the
 * FOCUSED pane: `write-chars` types there, and there is no way to list panes or read one pane's screen,
 * so `status` falls back to the launcher's records and file activity.
 */
export interface ZellijPane {
  /** What `--pane-id` takes: `terminal_<n>`. */
  id: string;
  title: string;
  exited: boolean;
  exitStatus: number | null;
  cwd: string | null;
}

export const PANE_QUERIES_SINCE: Version = [0, 44, 0];

export class ZellijPanes {
  private cachedVersion: Version | null | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private zellij(args: string[], check = true) {
    return run('zellij', args, { cwd: '/', env: this.env, check });
  }

  async version(): Promise<Version | null> {
    if (this.cachedVersion === undefined) {
      const result = await this.zellij(['--version'], false).catch(() => null);
      this.cachedVersion = result && result.exitCode === 0 ? parseVersion(result.stdout) : null;
    }
    return this.cachedVersion;
  }

  /** Whether this Zellij can list, read and type into one pane by id (0.44+). */
  async canAddressPanes(): Promise<boolean> {
    const version = await this.version();
    return version !== null && atLeast(version, PANE_QUERIES_SINCE);
  }

  /** The session's terminal panes, or null when this Zellij cannot list them or the session is gone. */
  async listPanes(session: string): Promise<ZellijPane[] | null> {
    if (!(await this.canAddressPanes())) return null;
    const result = await this.zellij(['-s', session, 'action', 'list-panes', '--json'], false).catch(
      () => null,
    );
    if (result?.exitCode !== 0) return null;
    return parseZellijPaneList(result.stdout);
  }

  /** One pane's screen text, or null when it cannot be read. */
  async dumpScreen(session: string, paneId: string): Promise<string | null> {
    if (!(await this.canAddressPanes())) return null;
    const result = await this.zellij(
      ['-s', session, 'action', 'dump-screen', '--pane-id', paneId],
      false,
    ).catch(() => null);
    return result && result.exitCode === 0 ? result.stdout : null;
  }

  /** Types text into one pane, then Enter. `paste` delivers it as one bracketed paste (0.44+). */
  async sendText(session: string, paneId: string, text: string): Promise<void> {
    // `--`: zellij's `paste` and `write-chars` read a leading `-` as an option on every version.
    await this.zellij(['-s', session, 'action', 'paste', '--pane-id', paneId, '--', text]);
    await this.zellij(['-s', session, 'action', 'send-keys', '--pane-id', paneId, 'Enter']);
  }

  /**
   * Before 0.44: type into whatever pane has focus in the session (`write-chars`), then a carriage
   * return (`write 13`). The caller tells the user that only the focused pane received it.
   */
  async sendToFocusedPane(session: string, text: string): Promise<void> {
    await this.zellij(['-s', session, 'action', 'write-chars', '--', text]);
    await this.zellij(['-s', session, 'action', 'write', '13']);
  }
}

/**
 * Reads `list-panes --json` defensively: an array of pane objects (or `{ panes: [...] }`) with `id`,
 * `is_plugin`, `title`, `exited`, `exit_status` and `pane_cwd`, as Zellij's source names them; plugin
 * panes (tab bar, status bar) are left out. Anything unreadable gives an empty list, never a guess.
 */
export function parseZellijPaneList(text: string): ZellijPane[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const list = Array.isArray(parsed)
    ? parsed
    : isRecord(parsed) && Array.isArray(parsed.panes)
      ? parsed.panes
      : [];
  const panes: ZellijPane[] = [];
  for (const entry of list) {
    if (!isRecord(entry) || entry.is_plugin === true) continue;
    const rawId = entry.id;
    const id = typeof rawId === 'number' ? `terminal_${rawId}` : typeof rawId === 'string' ? rawId : null;
    if (id === null || id.startsWith('plugin_')) continue;
    panes.push({
      id: /^\d+$/.test(id) ? `terminal_${id}` : id,
      title: typeof entry.title === 'string' ? entry.title : '',
      exited: entry.exited === true,
      exitStatus: typeof entry.exit_status === 'number' ? entry.exit_status : null,
      cwd: typeof entry.pane_cwd === 'string' ? entry.pane_cwd : null,
    });
  }
  return panes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
