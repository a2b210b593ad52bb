import type { MuxKind, PaneSpec } from '../core/types.js';

/** What every multiplexer driver is asked to do; tmux and Zellij implement it, `none` does nothing. */
export interface SessionRequest {
  session: string;
  /** Window/tab name. */
  window: string;
  /** Built-in layout name or a template path. */
  layout: string;
  panes: PaneSpec[];
  /** The run's state folder, where the layout file is written. */
  stateDir: string;
}

export interface MuxDriver {
  readonly kind: MuxKind;
  /** The installed version, or null when the multiplexer is not installed. */
  version(): Promise<string | null>;
  sessionExists(session: string): Promise<boolean>;
  /** Reads and renders the layout for these panes without starting anything: a bad template fails early. */
  validateLayout(request: SessionRequest): Promise<void>;
  /** Writes the layout file into the state folder and starts the session, detached. */
  createSession(request: SessionRequest): Promise<void>;
  /** Opens the run as a tab of the session this process runs in (Zellij's --tab). */
  openTab?(request: SessionRequest): Promise<void>;
  /** The command a user types to get to the session. */
  attachCommand(session: string): string[];
  /** Attaches the terminal (or switches the current client when already inside the multiplexer). */
  attach(session: string): Promise<void>;
  killSession(session: string): Promise<void>;
  /** Whether this process runs inside a session of this multiplexer. */
  inside(): boolean;
}
