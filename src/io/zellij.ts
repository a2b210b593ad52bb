import path from 'node:path';
import { describeCommand } from '../core/command-text.js';
import type { PaneSpec } from '../core/types.js';
import {
  atLeast,
  fitZellijSessionName,
  MIN_ZELLIJ,
  parseVersion,
  socketPathLimit,
  type Version,
  type ZellijFeatures,
  zellijFeatures,
  zellijSocketDir,
} from '../core/versions.js';
import { layoutTabNames, renderZellijLayout } from '../core/zellij-layout.js';
import { CommandFailure, UsageError } from '../errors.js';
import { writeCallerEnv } from './caller-env.js';
import { runOnTerminal } from './exec.js';
import { writeFileAtomic } from './files.js';
import { readLayoutTemplate } from './layout-files.js';
import type { MuxDriver, SessionRequest } from './mux.js';
import { inspectRecord, wrongField } from './records.js';
import { countZellijClients, runZellij, ZELLIJ_TIMEOUT_MS } from './zellij-panes.js';

export interface ZellijDriverOptions {
  /** Each zellij call's limit (tests shorten it). */
  timeoutMs?: number;
  /** The platform and user whose socket folder zellij uses (tests play macOS). */
  platform?: NodeJS.Platform;
  uid?: number;
  /** Where a note for the user goes (what to close by hand); stderr by default. */
  warn?: (line: string) => void;
}

/** The tabs a --tab run opened, recorded in its state folder so `rm` and `pick` can close them. */
interface OpenedTabs {
  session: string;
  /** The ids `new-tab` printed (0.44+), or null when this Zellij prints none. */
  ids: number[] | null;
  names: (string | null)[];
}

const TABS_FILE = 'zellij-tabs.json';
/** How long `kill-session`'s server may take to go (kill-session returns before it has). */
const SESSION_END_MS = 5_000;

/**
 * The Zellij driver. Zellij layouts have no per-pane environment, and need none here: every pane runs
 * our launcher, which sets the candidate's environment itself. The session is created in the background
 * from the layout file and then attached to (or switched to, inside Zellij 0.44+). What differs by
 * version is decided in core/versions.ts.
 */
export class ZellijDriver implements MuxDriver {
  readonly kind = 'zellij' as const;
  private cachedVersion: Version | null | undefined;
  private readonly timeoutMs: number;
  private readonly warn: (line: string) => void;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
    private readonly options: ZellijDriverOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? ZELLIJ_TIMEOUT_MS;
    this.warn = options.warn ?? ((line) => process.stderr.write(`warning: ${line}\n`));
  }

  /** The environment for commands that must not act on the session we are inside of. */
  private get outsideEnv(): NodeJS.ProcessEnv {
    const { ZELLIJ: _z, ZELLIJ_SESSION_NAME: _n, ZELLIJ_PANE_ID: _p, ...rest } = this.env;
    return rest;
  }

  private zellij(args: string[], options: { check?: boolean; outside?: boolean } = {}) {
    return runZellij(args, {
      env: options.outside ? this.outsideEnv : this.env,
      check: options.check ?? true,
      timeoutMs: this.timeoutMs,
    });
  }

  async version(): Promise<string | null> {
    const parsed = await this.parsedVersion();
    return parsed ? parsed.join('.') : null;
  }

  async parsedVersion(): Promise<Version | null> {
    if (this.cachedVersion === undefined) {
      const result = await this.zellij(['--version'], { check: false }).catch(() => null);
      this.cachedVersion = result && result.exitCode === 0 ? parseVersion(result.stdout) : null;
    }
    return this.cachedVersion;
  }

  private async requireVersion(): Promise<ZellijFeatures & { version: Version }> {
    const version = await this.parsedVersion();
    if (!version)
      throw new UsageError(
        'zellij is not installed; install Zellij 0.40.1 or newer, or use --mux tmux or none',
      );
    if (!atLeast(version, MIN_ZELLIJ)) {
      throw new UsageError(
        `zellij ${version.join('.')} is too old: git parallel needs Zellij ${MIN_ZELLIJ.join('.')} or newer`,
      );
    }
    return { ...zellijFeatures(version), version };
  }

  /** Where this zellij puts session sockets, and how long a socket path may be. */
  private async socketRoom(): Promise<{ dir: string; limit: number }> {
    const { version } = await this.requireVersion();
    const platform = this.options.platform ?? process.platform;
    const uid = this.options.uid ?? process.getuid?.() ?? 0;
    return {
      dir: zellijSocketDir(version, { env: this.env, platform, uid }),
      limit: socketPathLimit(platform),
    };
  }

  /**
   * A session's socket is `<socket folder>/<name>`, and a socket path has 104 (macOS) or 108 bytes:
   * a longer one makes `attach -b` wait forever (up to 0.44.0) or fail (0.44.1+). A name that does not
   * fit is cut, with a hash of the whole name so that two runs stay apart.
   */
  async fitSessionName(name: string): Promise<string> {
    const { dir, limit } = await this.socketRoom();
    const fitted = fitZellijSessionName(name, dir, limit);
    if (fitted === null) throw this.socketDirTooLong(dir, limit);
    return fitted;
  }

  private socketDirTooLong(dir: string, limit: number): UsageError {
    return new UsageError(
      `Zellij's socket folder ${dir} leaves no room for a session name (a socket path must be shorter than ${limit} bytes); set ZELLIJ_SOCKET_DIR to a short folder, e.g. ZELLIJ_SOCKET_DIR=/tmp/zellij`,
    );
  }

  /** Session names with their state, from `zellij list-sessions --no-formatting`. */
  async sessions(): Promise<{ name: string; exited: boolean }[]> {
    const result = await this.zellij(['list-sessions', '--no-formatting'], { check: false }).catch(
      () => null,
    );
    // "No active zellij sessions found." exits 1: that is an empty list.
    if (result?.exitCode !== 0) return [];
    return result.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => ({ name: line.split(' ')[0]!, exited: line.includes('EXITED') }));
  }

  async sessionExists(session: string): Promise<boolean> {
    return (await this.sessions()).some((s) => s.name === session && !s.exited);
  }

  async validateLayout(request: SessionRequest): Promise<void> {
    const features = await this.requireVersion();
    const layout = await this.renderLayout(request);
    if (request.tab && !features.multiTabNewTab && layoutTabNames(layout).length > 1) {
      throw new UsageError(
        `zellij ${features.version.join('.')} cannot open a layout of several tabs in the current session ("Tab layout cannot itself have tabs"; that came in 0.41.0): use --layout tiled, rows or columns with --tab, or run without --tab`,
      );
    }
  }

  private async renderLayout(request: SessionRequest): Promise<string> {
    const template = await readLayoutTemplate(request.layout, 'kdl', this.cwd);
    return renderZellijLayout(template, { tabName: request.window, panes: request.panes });
  }

  /**
   * The server re-reads the layout file after the `attach -b` client exits, and falls back to the
   * default layout when it cannot read it: the file is written once, before, and never right after.
   */
  async createSession(request: SessionRequest): Promise<void> {
    const features = await this.requireVersion();
    if (!features.backgroundWithLayout) {
      throw new UsageError(
        'zellij 0.40.0 ignores the layout of a background session; upgrade to Zellij 0.40.1 or newer',
      );
    }
    const { dir, limit } = await this.socketRoom();
    if (fitZellijSessionName(request.session, dir, limit) !== request.session) {
      throw new UsageError(
        `the session name ${request.session} is too long for Zellij's socket folder ${dir} (a socket path must be shorter than ${limit} bytes); set ZELLIJ_SOCKET_DIR to a shorter folder, e.g. ZELLIJ_SOCKET_DIR=/tmp/zellij`,
      );
    }
    const layoutFile = path.join(request.stateDir, 'layout.kdl');
    await writeFileAtomic(layoutFile, await this.renderLayout(request));
    // Zellij's server, like tmux's, starts panes with its own environment: the launcher restores the caller's.
    await writeCallerEnv(request.stateDir, this.env);
    // A dead, resurrectable session of the same name would be resurrected instead of our layout applied.
    await this.zellij(['delete-session', '--force', request.session], { check: false, outside: true });
    await this.zellij(
      ['attach', '--create-background', request.session, 'options', '--default-layout', layoutFile],
      { outside: true },
    );
  }

  /**
   * Issue 16 (synthesize): one more agent pane in the run's session, named and started like the layout's
   * (`action new-pane --name --cwd -- argv`, zellij-utils/src/cli.rs, 0.40–0.45), addressed with `-s` from
   * outside any session. Zellij places it where it finds room; the layout file is not rewritten: `attach`
   * recreates a lost session from the run's panes, this one included. Before 0.44 the server places a new
   * pane only beside an attached client and silently drops it otherwise, so with no client attached
   * nothing is asked and the reason is returned for the caller's hint.
   */
  async addPane(request: SessionRequest, pane: PaneSpec): Promise<string | null> {
    const features = await this.requireVersion();
    if (features.newPaneNeedsClient) {
      const clients = await this.zellij(['-s', request.session, 'action', 'list-clients'], {
        outside: true,
        check: false,
      });
      if (clients.exitCode !== 0 || countZellijClients(clients.stdout) === 0) {
        return `Zellij ${features.version.join('.')} opens a pane only in a session a terminal is attached to (0.44+ opens it in any)`;
      }
    }
    await this.zellij(
      [
        '-s',
        request.session,
        'action',
        'new-pane',
        '--name',
        pane.title,
        '--cwd',
        pane.cwd,
        '--',
        ...pane.argv,
      ],
      { outside: true },
    );
    return null;
  }

  /**
   * `--tab`: the run opens as a new tab (or tabs) of the Zellij session this process runs in. Their
   * ids (0.44+ prints them) are recorded so that `rm` can close them.
   */
  async openTab(request: SessionRequest): Promise<void> {
    if (!this.inside()) throw new UsageError('--tab works only inside a Zellij session');
    const features = await this.requireVersion();
    const layout = await this.renderLayout(request);
    const layoutFile = path.join(request.stateDir, 'layout.kdl');
    await writeFileAtomic(layoutFile, layout);
    await writeCallerEnv(request.stateDir, this.env);
    const result = await this.zellij(['action', 'new-tab', '--layout', layoutFile, '--name', request.window]);
    const ids = features.tabIds ? (result.stdout.match(/\d+/g) ?? []).map(Number) : null;
    const opened: OpenedTabs = { session: request.session, ids, names: layoutTabNames(layout) };
    await writeFileAtomic(path.join(request.stateDir, TABS_FILE), `${JSON.stringify(opened)}\n`);
  }

  /**
   * Closes the tabs a --tab run opened, by the ids recorded (0.44+). Older Zellij has no way to close
   * one chosen tab from outside it, so the user is told which to close.
   */
  async closeTab(tab: { session: string; stateDir: string }): Promise<void> {
    const file = path.join(tab.stateDir, TABS_FILE);
    const read = await inspectRecord<OpenedTabs>(file, openedTabsProblem);
    // No record: the tab was never opened (creation failed before), or by a git-parallel that kept none.
    if (read === null || !(await this.sessionExists(tab.session))) return;
    // A damaged record names no tab to close for certain: the user is told, as with an older Zellij,
    // and the removal goes on (stopping it would keep the run for a tab only the user can close).
    if (read.problem !== null) {
      this.warn(
        `${file} is damaged: it ${read.fault}; close the run's tab in the Zellij session ${tab.session} yourself; its agents ran in the removed worktrees`,
      );
      return;
    }
    const opened = read.value;
    if (opened.ids !== null && opened.ids.length > 0) {
      for (const id of opened.ids) {
        await this.zellij(['-s', tab.session, 'action', 'close-tab-by-id', String(id)], { outside: true });
      }
      return;
    }
    const why =
      opened.ids === null
        ? `Zellij ${(await this.version()) ?? ''} cannot close a chosen tab from outside it (close-tab-by-id came in 0.44.0)`
        : 'Zellij did not say which tab it opened';
    const names = opened.names.map((n) => (n === null ? 'the unnamed tab' : JSON.stringify(n)));
    this.warn(
      `${why}: close ${names.join(', ')} in the session ${tab.session} yourself; its agents ran in the removed worktrees`,
    );
  }

  /**
   * What to run to get to the run: `git parallel attach`, never `zellij attach NAME`, which attaches to
   * another session whose name starts with NAME when NAME is gone.
   */
  attachCommand(_session: string, task: string): string[] {
    return ['git', 'parallel', 'attach', task];
  }

  async attachHint(session: string, task: string): Promise<string> {
    const command = describeCommand(this.attachCommand(session, task));
    if (!this.inside()) return command;
    const version = await this.parsedVersion();
    if (version && zellijFeatures(version).switchSession) return command;
    return `detach from this Zellij session (Ctrl o, then d), then run: ${command}`;
  }

  inside(): boolean {
    return Boolean(this.env.ZELLIJ_SESSION_NAME || this.env.ZELLIJ);
  }

  async attach(session: string, task?: string): Promise<void> {
    if (this.inside()) {
      const features = await this.requireVersion();
      if (!features.switchSession) {
        const command = task
          ? describeCommand(this.attachCommand(session, task))
          : `zellij attach ${session}`;
        throw new UsageError(
          `switching sessions from inside Zellij needs Zellij 0.44+ (this is ${features.version.join('.')}); detach (Ctrl o, then d), then run: ${command}`,
        );
      }
      await this.zellij(['action', 'switch-session', session]);
      return;
    }
    // The one zellij call without a timeout: the user's own terminal, for as long as they stay.
    await runOnTerminal('zellij', ['attach', session], { cwd: this.cwd, env: this.env });
  }

  /**
   * Kill, wait until the server is gone (kill-session returns before it is, and a server still going
   * would be joined by the next `attach -b` of its name), then delete: a killed session would otherwise
   * stay resurrectable.
   */
  async killSession(session: string): Promise<void> {
    const known = (await this.sessions()).find((s) => s.name === session);
    if (!known) return;
    if (!known.exited) {
      await this.zellij(['kill-session', session], { check: false, outside: true });
      const deadline = Date.now() + SESSION_END_MS;
      while (await this.sessionExists(session)) {
        if (Date.now() > deadline) {
          throw new CommandFailure(
            `the Zellij session ${session} is still running ${SESSION_END_MS / 1000} s after kill-session`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await this.zellij(['delete-session', '--force', session], { check: false, outside: true });
  }
}

function openedTabsProblem(value: unknown): string | null {
  const wrong = wrongField(value, { session: 'string', names: 'array' });
  if (wrong !== null) return wrong;
  const ids = (value as { ids?: unknown }).ids;
  if (ids === null || (Array.isArray(ids) && ids.every((id) => typeof id === 'number'))) return null;
  return 'has no ids (a list of numbers, or null)';
}
