import { fnv1a32 } from './port-slots.js';

/**
 * Versions of the tools git-parallel drives, and what each version makes possible. Pure: the drivers
 * read `--version`, this decides.
 */
export type Version = [number, number, number];

/** The first `x.y` or `x.y.z` in a tool's `--version` output ("git version 2.39.5", "tmux 3.3a"). */
export function parseVersion(text: string): Version | null {
  const match = text.match(/(\d+)\.(\d+)(?:\.(\d+))?/);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : null;
}

export function atLeast(version: Version, minimum: Version): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== minimum[i]) return version[i]! > minimum[i]!;
  return true;
}

export const MIN_GIT: Version = [2, 25, 0];
/** tmux 3.0 brought `-e` on split-window/respawn-pane and pane options, which the recipe needs. */
export const MIN_TMUX: Version = [3, 0, 0];
export const MIN_ZELLIJ: Version = [0, 40, 0];

/**
 * What each Zellij version lets us do, and how it behaves where that matters. Every entry was read in
 * zellij's source at the tag named (repository zellij-org/zellij; the CLI is zellij-utils/src/cli.rs).
 */
export interface ZellijFeatures {
  /** `attach --create-background NAME options --default-layout L` honours the layout (0.40.1+). */
  backgroundWithLayout: boolean;
  /** `action list-clients` (0.40.1+): a header line, then one line per attached client. */
  listClients: boolean;
  /** `action new-tab --layout` accepts a layout with several tabs (0.41.0+; 0.40 says "Tab layout cannot itself have tabs"). */
  multiTabNewTab: boolean;
  /** `action switch-session NAME` moves the current client (0.44.0+). */
  switchSession: boolean;
  /** `action list-panes --json`, `dump-screen --pane-id`, `paste --pane-id` (0.44.0+). */
  paneQueries: boolean;
  /** `action new-tab` prints the new tab's id, and `action close-tab-by-id ID` exists (0.44.0+). */
  tabIds: boolean;
  /**
   * Before 0.44 `write-chars` types through an attached client: with none it does nothing ("No client
   * ids in screen found" in the log) and still exits 0 (zellij issue #4535).
   */
  typingNeedsClient: boolean;
  /**
   * Before 0.44 `action new-pane` places the pane in the active tab of a connected client: with none it
   * places nothing ("No client ids in screen found") and exits 0; 0.44 falls back to the first tab
   * (zellij-server/src/screen.rs, active_tab_and_connected_client_id_with_first_tab_fallback).
   */
  newPaneNeedsClient: boolean;
  /** The socket folder's last part: the version (up to 0.43) or `contract_version_1` (0.44+). */
  socketSubdir: string;
  /**
   * What a socket path that is too long does: before 0.44.1 `attach -b` retries the connection every
   * 50 ms forever (zellij issues #3213, #4627); from 0.44.1 it fails with "IPC socket path is too long".
   */
  longSocketPath: 'hangs' | 'fails';
}

export function zellijFeatures(version: Version): ZellijFeatures {
  return {
    backgroundWithLayout: atLeast(version, [0, 40, 1]),
    listClients: atLeast(version, [0, 40, 1]),
    multiTabNewTab: atLeast(version, [0, 41, 0]),
    switchSession: atLeast(version, [0, 44, 0]),
    paneQueries: atLeast(version, [0, 44, 0]),
    tabIds: atLeast(version, [0, 44, 0]),
    typingNeedsClient: !atLeast(version, [0, 44, 0]),
    newPaneNeedsClient: !atLeast(version, [0, 44, 0]),
    socketSubdir: atLeast(version, [0, 44, 0]) ? 'contract_version_1' : version.join('.'),
    longSocketPath: atLeast(version, [0, 44, 1]) ? 'fails' : 'hangs',
  };
}

/** Where Zellij puts its session sockets, from what decides it (zellij-utils/src/consts.rs). */
export interface ZellijSocketFacts {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  uid: number;
}

/**
 * `ZELLIJ_SOCKET_DIR`, else the project runtime folder (`$XDG_RUNTIME_DIR/zellij`, Linux only: the
 * `directories` crate has none on macOS), else `$TMPDIR/zellij-UID` (Rust's temp_dir: `$TMPDIR` or
 * `/tmp`); then the version's subfolder. A session's socket is `<this>/<session name>`.
 */
export function zellijSocketDir(version: Version, facts: ZellijSocketFacts): string {
  const { env } = facts;
  const xdg = env.XDG_RUNTIME_DIR;
  const base = env.ZELLIJ_SOCKET_DIR
    ? env.ZELLIJ_SOCKET_DIR
    : facts.platform !== 'darwin' && xdg && xdg.startsWith('/')
      ? joinPath(xdg, 'zellij')
      : joinPath(env.TMPDIR || '/tmp', `zellij-${facts.uid}`);
  return joinPath(base, zellijFeatures(version).socketSubdir);
}

/** The size of `sun_path`: a socket path must be shorter (it ends in a NUL byte). */
export function socketPathLimit(platform: NodeJS.Platform): number {
  return platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd' ? 104 : 108;
}

/** The shortest session name worth making: the run's start and a hash that tells runs apart. */
const MIN_FITTED_NAME = 12;

/**
 * The session name itself when its socket path fits, else the name cut to fit with a hash of the whole
 * name appended (so two long names stay apart); null when the socket folder leaves no room for a name.
 * Names are ASCII (see core/plan.ts sessionName), so characters are bytes.
 */
export function fitZellijSessionName(name: string, socketDir: string, limit: number): string | null {
  const room = limit - 1 - byteLength(socketDir) - 1;
  if (byteLength(name) <= room) return name;
  if (room < MIN_FITTED_NAME) return null;
  const hash = fnv1a32(name).toString(16).padStart(8, '0').slice(0, 6);
  return `${name.slice(0, room - hash.length - 1)}-${hash}`;
}

function joinPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
