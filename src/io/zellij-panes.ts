import { describe } from '../core/command-text.js';
import { parseVersion, type Version, zellijFeatures } from '../core/versions.js';
import { CommandFailure } from '../errors.js';
import { failureOf, type RunResult, run } from './exec.js';

/** How long any one zellij call may take: a client that cannot reach its server retries forever. */
export const ZELLIJ_TIMEOUT_MS = 10_000;

/**
 * The one way to run zellij (never interactive: `attach` to a terminal is spawned by the driver). Every
 * call has a timeout, because zellij's client waits forever for a server it cannot reach (a socket path
 * that is too long, zellij issues #3213 and #4627): the call is stopped and that is said.
 */
export async function runZellij(
  args: string[],
  options: { env: NodeJS.ProcessEnv; check?: boolean; timeoutMs?: number },
): Promise<RunResult> {
  const timeout = options.timeoutMs ?? ZELLIJ_TIMEOUT_MS;
  const started = Date.now();
  const result = await run('zellij', args, { cwd: '/', env: options.env, check: false, timeout });
  if (result.signal !== null && Date.now() - started >= timeout) {
    throw new CommandFailure(
      `${describe('zellij', args)} did not finish within ${timeout / 1000} s and was stopped (zellij waits forever when it cannot reach its session's server)`,
    );
  }
  if (result.exitCode !== 0 && options.check !== false) throw failureOf(result);
  return result;
}

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

export class ZellijPanes {
  private cachedVersion: Version | null | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs = ZELLIJ_TIMEOUT_MS,
  ) {}

  private zellij(args: string[], check = true) {
    return runZellij(args, { env: this.env, check, timeoutMs: this.timeoutMs });
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
    return version !== null && zellijFeatures(version).paneQueries;
  }

  /** How many clients (terminals) are attached to the session. */
  async clientCount(session: string): Promise<number> {
    const result = await this.zellij(['-s', session, 'action', 'list-clients']);
    return countZellijClients(result.stdout);
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
   * return (`write 13`). The caller tells the user that only the focused pane received it. Typing goes
   * through an attached client: with none, zellij drops the text and still exits 0, so the clients are
   * counted first (`list-clients`, 0.40.1+) and nothing is claimed that did not happen.
   */
  async sendToFocusedPane(session: string, text: string): Promise<void> {
    // Run from inside that session (a --tab run), the focused pane is the one this command runs in: the
    // text would land at the user's own prompt and Enter would run it.
    if (this.env.ZELLIJ_SESSION_NAME === session) {
      throw new CommandFailure(
        `nothing was sent: before 0.44 Zellij types only into the focused pane, and in the session ${session} that is the pane this command runs in; send from outside the session, or upgrade to Zellij 0.44+`,
      );
    }
    const version = await this.version();
    const features = version ? zellijFeatures(version) : null;
    if (features?.typingNeedsClient && features.listClients && (await this.clientCount(session)) === 0) {
      throw new CommandFailure(
        `nothing was sent: no terminal is attached to the Zellij session ${session}, and Zellij ${version!.join('.')} types only through one (0.44+ does not need one); attach to the run (git parallel attach), then send again`,
      );
    }
    await this.zellij(['-s', session, 'action', 'write-chars', '--', text]);
    await this.zellij(['-s', session, 'action', 'write', '13']);
  }
}

/** The client lines of `action list-clients`: a header (`CLIENT_ID ZELLIJ_PANE_ID RUNNING_COMMAND`), then one per client. */
export function countZellijClients(text: string): number {
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('CLIENT_ID')).length;
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
