import type { MuxKind } from '../core/types.js';
import { UsageError } from '../errors.js';
import type { MuxDriver, SessionRequest } from './mux.js';
import { TmuxDriver } from './tmux.js';
import { which } from './which.js';

/** `--mux none`: everything is created, nothing is started; the user starts each agent where they like. */
export class NoMuxDriver implements MuxDriver {
  readonly kind = 'none' as const;
  async version() {
    return 'none';
  }
  async sessionExists() {
    return false;
  }
  async validateLayout(_request: SessionRequest) {}
  async createSession(_request: SessionRequest) {}
  attachCommand() {
    return [];
  }
  async attach() {}
  async killSession() {}
  inside() {
    return false;
  }
}

/** The driver of a multiplexer; `cwd` is where a user's own layout path is relative to. */
export async function driverFor(kind: MuxKind, env: NodeJS.ProcessEnv, cwd = '/'): Promise<MuxDriver> {
  if (kind === 'tmux') return new TmuxDriver(env, cwd);
  if (kind === 'zellij') {
    const { ZellijDriver } = await import('./zellij.js');
    return new ZellijDriver(env, cwd);
  }
  return new NoMuxDriver();
}

const MUX_KINDS = ['tmux', 'zellij', 'none'] as const;

/**
 * Which multiplexer a run uses: the flag; else the one the user is inside; else config; else tmux if
 * installed, else zellij if installed, else none.
 */
export async function chooseMux(
  flag: string | undefined,
  configured: string,
  env: NodeJS.ProcessEnv,
): Promise<MuxKind> {
  if (flag !== undefined && flag !== 'auto') {
    if (!(MUX_KINDS as readonly string[]).includes(flag)) {
      throw new UsageError(`unknown --mux ${JSON.stringify(flag)}; use tmux, zellij or none`);
    }
    return flag as MuxKind;
  }
  if (env.ZELLIJ_SESSION_NAME || env.ZELLIJ) return 'zellij';
  if (env.TMUX) return 'tmux';
  if (configured !== 'auto') return configured as MuxKind;
  if (await which('tmux', '/', env)) return 'tmux';
  if (await which('zellij', '/', env)) return 'zellij';
  return 'none';
}
