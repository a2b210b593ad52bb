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

/** What each Zellij version lets us do (research/multiplexers.md §1.5). */
export interface ZellijFeatures {
  /** `attach --create-background NAME options --default-layout L` honours the layout (0.40.1+). */
  backgroundWithLayout: boolean;
  /** `action switch-session NAME` moves the current client (0.44.0+). */
  switchSession: boolean;
  /** `action list-panes --json`, `dump-screen --pane-id`, `paste --pane-id` (0.44.0+). */
  paneQueries: boolean;
}

export function zellijFeatures(version: Version): ZellijFeatures {
  return {
    backgroundWithLayout: atLeast(version, [0, 40, 1]),
    switchSession: atLeast(version, [0, 44, 0]),
    paneQueries: atLeast(version, [0, 44, 0]),
  };
}
