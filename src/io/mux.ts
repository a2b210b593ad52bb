import type { MuxKind, PaneSpec, SessionRequest } from '../core/types.js';

/** What every multiplexer driver is asked to do; tmux and Zellij implement it, `none` does nothing. */
export type { SessionRequest } from '../core/types.js';

export interface MuxDriver {
  readonly kind: MuxKind;
  /** The installed version, or null when the multiplexer is not installed. */
  version(): Promise<string | null>;
  sessionExists(session: string): Promise<boolean>;
  /** Reads and renders the layout for these panes without starting anything: a bad template fails early. */
  validateLayout(request: SessionRequest): Promise<void>;
  /** Writes the layout file into the state folder and starts the session, detached. */
  createSession(request: SessionRequest): Promise<void>;
  /**
   * Issue 16: adds one more agent pane (a synthesis candidate) to the run's live session, arranged as the
   * layout arranges the others. `request` holds every pane, the new one last. Resolves to null when the
   * pane was opened, else to why it could not be (the caller tells the user how to start it instead).
   */
  addPane?(request: SessionRequest, pane: PaneSpec): Promise<string | null>;
  /** Opens the run as a tab of the session this process runs in (Zellij's --tab). */
  openTab?(request: SessionRequest): Promise<void>;
  /** The session name to use for `name`, when the multiplexer cannot take every name (Zellij's socket path). */
  fitSessionName?(name: string): Promise<string>;
  /** The command a user types to get to the session of the run `task`. */
  attachCommand(session: string, task: string): string[];
  /** What to tell the user to get to the session, when that is more than a command to run. */
  attachHint?(session: string, task: string): Promise<string>;
  /** Attaches the terminal (or switches the current client when already inside the multiplexer). */
  attach(session: string, task?: string): Promise<void>;
  killSession(session: string): Promise<void>;
  /** Closes the tab(s) a --tab run opened in `session` (Zellij), or says what to close by hand. */
  closeTab?(tab: { session: string; stateDir: string }): Promise<void>;
  /** Whether this process runs inside a session of this multiplexer. */
  inside(): boolean;
}
