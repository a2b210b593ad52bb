import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  atLeast,
  MIN_ZELLIJ,
  parseVersion,
  type Version,
  type ZellijFeatures,
  zellijFeatures,
} from '../core/versions.js';
import { renderZellijLayout } from '../core/zellij-layout.js';
import { UsageError } from '../errors.js';
import { run } from './exec.js';
import { writeFileAtomic } from './files.js';
import { readLayoutTemplate } from './layout-files.js';
import type { MuxDriver, SessionRequest } from './mux.js';

/**
 * The Zellij driver. Zellij layouts have no per-pane environment, and need none here: every pane runs
 * our launcher, which sets the candidate's environment itself. The session is created in the background
 * from the layout file and then attached to (or switched to, inside Zellij 0.44+).
 */
export class ZellijDriver implements MuxDriver {
  readonly kind = 'zellij' as const;
  private cachedVersion: Version | null | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd = process.cwd(),
  ) {}

  /** The environment for commands that must not act on the session we are inside of. */
  private get outsideEnv(): NodeJS.ProcessEnv {
    const { ZELLIJ: _z, ZELLIJ_SESSION_NAME: _n, ZELLIJ_PANE_ID: _p, ...rest } = this.env;
    return rest;
  }

  private zellij(args: string[], options: { check?: boolean; outside?: boolean } = {}) {
    return run('zellij', args, {
      cwd: '/',
      env: options.outside ? this.outsideEnv : this.env,
      check: options.check ?? true,
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

  private async requireVersion(): Promise<ZellijFeatures> {
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
    return zellijFeatures(version);
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
    await this.requireVersion();
    await this.renderLayout(request);
  }

  private async renderLayout(request: SessionRequest): Promise<string> {
    const template = await readLayoutTemplate(request.layout, 'kdl', this.cwd);
    return renderZellijLayout(template, { tabName: request.window, panes: request.panes });
  }

  async createSession(request: SessionRequest): Promise<void> {
    const features = await this.requireVersion();
    const layoutFile = path.join(request.stateDir, 'layout.kdl');
    await writeFileAtomic(layoutFile, await this.renderLayout(request));
    if (!features.backgroundWithLayout) {
      throw new UsageError(
        'zellij 0.40.0 ignores the layout of a background session; upgrade to Zellij 0.40.1 or newer',
      );
    }
    // A dead, resurrectable session of the same name would be resurrected instead of our layout applied.
    await this.zellij(['delete-session', '--force', request.session], { check: false, outside: true });
    await this.zellij(
      ['attach', '--create-background', request.session, 'options', '--default-layout', layoutFile],
      {
        outside: true,
      },
    );
  }

  /** `--tab`: the run opens as a new tab of the Zellij session this process runs in. */
  async openTab(request: SessionRequest): Promise<void> {
    if (!this.inside()) throw new UsageError('--tab works only inside a Zellij session');
    await this.requireVersion();
    const layoutFile = path.join(request.stateDir, 'layout.kdl');
    await writeFileAtomic(layoutFile, await this.renderLayout(request));
    await this.zellij(['action', 'new-tab', '--layout', layoutFile, '--name', request.window]);
  }

  attachCommand(session: string): string[] {
    return this.inside() ? ['zellij', 'action', 'switch-session', session] : ['zellij', 'attach', session];
  }

  inside(): boolean {
    return Boolean(this.env.ZELLIJ_SESSION_NAME || this.env.ZELLIJ);
  }

  async attach(session: string): Promise<void> {
    if (this.inside()) {
      const features = await this.requireVersion();
      if (!features.switchSession) {
        throw new UsageError(
          `switching sessions needs Zellij 0.44+; detach and run: zellij attach ${session}`,
        );
      }
      await this.zellij(['action', 'switch-session', session]);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const child = spawn('zellij', ['attach', session], { stdio: 'inherit', env: this.env });
      child.on('error', reject);
      child.on('close', () => resolve());
    });
  }

  /** Kill, then delete: a killed session would otherwise stay resurrectable. */
  async killSession(session: string): Promise<void> {
    const known = (await this.sessions()).find((s) => s.name === session);
    if (!known) return;
    if (!known.exited) await this.zellij(['kill-session', session], { check: false, outside: true });
    await this.zellij(['delete-session', '--force', session], { check: false, outside: true });
  }
}
