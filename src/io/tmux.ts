import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  formatSafe,
  renderTmuxScript,
  tmuxAddPaneCommands,
  tmuxCommandGroups,
  tmuxSessionCommands,
} from '../core/tmux-commands.js';
import { parseTmuxLayout } from '../core/tmux-layout.js';
import type { PaneSpec } from '../core/types.js';
import { CommandFailure, LayoutTemplateError } from '../errors.js';

import { writeCallerEnv } from './caller-env.js';
import { run, runOnTerminal } from './exec.js';
import { writeFileAtomic } from './files.js';
import { readLayoutTemplate } from './layout-files.js';
import type { MuxDriver, SessionRequest } from './mux.js';

/** One pane of a session, as `list-panes` describes it. */
export interface TmuxPane {
  id: string;
  dead: boolean;
  /** The exit status of a dead pane's command. */
  status: number | null;
  /** The `@gp_name` pane option git-parallel sets (the candidate's title). */
  name: string;
}

/**
 * The tmux driver. It uses the user's default tmux server, so `switch-client` works from inside tmux;
 * `GIT_PARALLEL_TMUX_SOCKET=<name>` puts sessions on a separate server (`tmux -L <name>`), which is what
 * the test suite does to stay away from the developer's own sessions.
 */
export class TmuxDriver implements MuxDriver {
  readonly kind = 'tmux' as const;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd = '/',
  ) {}

  private get socketArgs(): string[] {
    const socket = this.env.GIT_PARALLEL_TMUX_SOCKET;
    return socket ? ['-L', socket] : [];
  }

  private tmux(args: string[], check = true) {
    return run('tmux', [...this.socketArgs, ...args], { cwd: '/', env: this.env, check });
  }

  /**
   * A read-only question to the server. It goes through execa like every program that is not git: the
   * project's rule is to pay execa's load only where it is needed, never to route around it, so `status`
   * of a live tmux run loads it (about 25 ms of CPU) and saves its time by asking tmux once, not per pane.
   */
  private query(args: string[]) {
    return this.tmux(args, false);
  }

  async version(): Promise<string | null> {
    try {
      const result = await run('tmux', ['-V'], { cwd: '/', env: this.env, check: false });
      return result.exitCode === 0 ? result.stdout.trim().replace(/^tmux\s+/, '') : null;
    } catch {
      return null;
    }
  }

  async sessionExists(session: string): Promise<boolean> {
    // With no server running this fails too ("error connecting"): that is "no session".
    const result = await this.query(['has-session', '-t', `=${session}`]).catch(() => null);
    return result?.exitCode === 0;
  }

  async validateLayout(request: SessionRequest): Promise<void> {
    const { template, layout } = await this.readLayout(request);
    await this.sessionCommands(request);
    // Only tmux knows its options and their values: each option line is tried on a throwaway server
    // (no config file, no session) before any worktree is made, so a typo fails with its file and line.
    for (const [i, [name, value]] of layout.options.entries()) {
      const socket = `git-parallel-check-${process.pid}-${i}`;
      const args = ['-L', socket, '-f', '/dev/null', 'start-server', ';', 'set-option', '-gw', name, value];
      const result = await run('tmux', [...args, ';', 'kill-server'], {
        cwd: '/',
        env: this.env,
        check: false,
      });
      if (result.exitCode !== 0) {
        const why = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
        throw new LayoutTemplateError(
          `${template.file}:${layout.optionLines[i]}: tmux rejects "option ${name} ${value}": ${why}`,
        );
      }
    }
  }

  private async readLayout(request: SessionRequest) {
    const template = await readLayoutTemplate(request.layout, 'tmux', this.cwd);
    const layout = parseTmuxLayout(template.text, template.file, {
      task: request.window,
      session: request.session,
    });
    return { template, layout };
  }

  private async sessionCommands(request: SessionRequest): Promise<string[][]> {
    const { layout } = await this.readLayout(request);
    return tmuxSessionCommands({
      session: request.session,
      window: request.window,
      panes: request.panes,
      ...layout,
      size: { width: 220, height: 60 },
    });
  }

  async createSession(request: SessionRequest): Promise<void> {
    const commands = await this.sessionCommands(request);
    const script = renderTmuxScript(commands, [
      `git-parallel: the tmux session ${request.session}. Recreate it with:`,
      `  tmux start-server \\; source-file ${path.join(request.stateDir, 'session.tmux')}`,
    ]);
    await writeFileAtomic(path.join(request.stateDir, 'session.tmux'), script);
    // A running tmux server gives new panes its own environment: the launcher restores the caller's.
    await writeCallerEnv(request.stateDir, this.env);
    // The commands joined by `;` as in the script (tmux stops at the first that fails), as few tmux
    // processes as its message limit allows: one for a small session instead of three or four per pane
    // (issue 18).
    for (const group of tmuxCommandGroups(commands)) {
      const result = await this.tmux(joinTmuxCommands(group), false);
      if (result.exitCode !== 0) {
        throw new CommandFailure(`tmux failed while creating ${request.session}: ${result.stderr.trim()}`);
      }
    }
  }

  async addPane(request: SessionRequest, pane: PaneSpec): Promise<string | null> {
    const { layout } = await this.readLayout(request);
    // The recreation script now holds every pane, the new one too.
    const script = renderTmuxScript(await this.sessionCommands(request), [
      `git-parallel: the tmux session ${request.session}. Recreate it with:`,
      `  tmux start-server \\; source-file ${path.join(request.stateDir, 'session.tmux')}`,
    ]);
    await writeFileAtomic(path.join(request.stateDir, 'session.tmux'), script);
    const session = `=${request.session}`;
    const panes = await this.tmux(['list-panes', '-s', '-t', session, '-F', '#{window_id}'], false);
    const window = panes.stdout.split('\n')[0]?.trim();
    if (panes.exitCode !== 0 || !window)
      throw new CommandFailure(`tmux has no session ${request.session} to add a pane to`);
    const cwd = formatSafe(pane.cwd);
    const steps = tmuxAddPaneCommands({ session, window, pane: { ...pane, cwd }, ...layout });
    const created = await this.tmux(steps.create, false);
    const id = created.stdout.trim();
    if (created.exitCode !== 0 || !id)
      throw new CommandFailure(
        `tmux ${steps.create[0]} failed in ${request.session}: ${created.stderr.trim()}`,
      );
    for (const command of steps.after(id)) {
      const result = await this.tmux(command, false);
      if (result.exitCode !== 0)
        throw new CommandFailure(`tmux ${command[0]} failed in ${request.session}: ${result.stderr.trim()}`);
    }
    return null;
  }

  attachCommand(session: string): string[] {
    return [
      'tmux',
      ...this.socketArgs,
      this.inside() ? 'switch-client' : 'attach-session',
      '-t',
      `=${session}`,
    ];
  }

  inside(): boolean {
    return Boolean(this.env.TMUX) && !this.env.GIT_PARALLEL_TMUX_SOCKET;
  }

  async attach(session: string): Promise<void> {
    const [command, ...args] = this.attachCommand(session);
    if (this.inside()) {
      await run(command!, args, { cwd: '/', env: this.env });
      return;
    }
    await runOnTerminal(command!, args, { cwd: this.cwd, env: this.env });
  }

  async killSession(session: string): Promise<void> {
    if (await this.sessionExists(session)) await this.tmux(['kill-session', '-t', `=${session}`]);
  }

  /**
   * Pane facts for `status`: which panes are dead, with which exit status; null when the session does
   * not exist (or no server runs), so that one call also answers whether the session is alive.
   */
  async listPanes(session: string): Promise<TmuxPane[] | null> {
    const format = '#{pane_id}\t#{pane_dead}\t#{pane_dead_status}\t#{@gp_name}';
    const result = await this.query(['list-panes', '-s', '-t', `=${session}`, '-F', format]).catch(
      () => null,
    );
    if (!result || result.exitCode !== 0) return null;
    return result.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id, dead, status, name] = line.split('\t');
        return { id: id!, dead: dead === '1', status: status ? Number(status) : null, name: name ?? '' };
      });
  }

  // --- status and send (pane content and typing); added for `status`, `send` ---

  /** The visible text of a pane (joined wrapped lines), or null when the pane is gone. */
  async capturePane(paneId: string): Promise<string | null> {
    return (await this.capturePanes([paneId])).get(paneId) ?? null;
  }

  /**
   * The visible text of several panes, in one tmux call (one process whatever the number of panes):
   * each `capture-pane` is followed by a `display-message` of a marker no screen holds. tmux stops a
   * command sequence at its first failure (a pane that closed since it was listed): the panes after it
   * are asked again, and a pane that fails alone is gone (null).
   */
  async capturePanes(paneIds: string[]): Promise<Map<string, string | null>> {
    const screens = new Map<string, string | null>();
    let left = paneIds;
    while (left.length > 0) {
      const marker = `git-parallel-screen-end-${randomBytes(8).toString('hex')}`;
      const args = joinTmuxCommands(
        left.flatMap((id) => [
          ['capture-pane', '-p', '-J', '-t', id],
          ['display-message', '-p', marker],
        ]),
      );
      const result = await this.query(args).catch(() => null);
      if (result === null) {
        // tmux cannot be started: no screen can be read.
        for (const id of left) screens.set(id, null);
        break;
      }
      // Every screen followed by its marker was captured whole; what follows the last marker is not.
      const parts = result.stdout.split(`${marker}\n`);
      const captured = Math.min(parts.length - 1, left.length);
      for (let i = 0; i < captured; i++) screens.set(left[i]!, parts[i]!);
      if (captured === left.length) break;
      // The first pane not captured failed: it is gone; the others are asked again.
      screens.set(left[captured]!, null);
      left = left.slice(captured + 1);
    }
    return screens;
  }

  /**
   * Types `text` into a pane and presses Enter. `send-keys -l` sends the characters literally (no key
   * names, no shell), `--` keeps a leading "-" from being read as a flag. Text with line breaks goes
   * through a paste buffer with `paste-buffer -p`, so an agent that asked for bracketed paste receives
   * it as one message instead of one message per line.
   */
  async sendLiteral(paneId: string, text: string): Promise<void> {
    if (text.includes('\n')) {
      const buffer = `git-parallel-${process.pid}-${paneId.replace(/\W/g, '')}`;
      const load = ['load-buffer', '-b', buffer, '-'];
      await run('tmux', [...this.socketArgs, ...load], { cwd: '/', env: this.env, input: text });
      await this.tmux(['paste-buffer', '-p', '-d', '-b', buffer, '-t', paneId]);
    } else {
      await this.tmux(['send-keys', '-t', paneId, '-l', '--', text]);
    }
    // An Enter that arrives with the text is taken for part of a paste by agents that detect pastes by
    // timing (Gemini CLI then leaves the message in its input box): it comes a moment later, as typed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await this.tmux(['send-keys', '-t', paneId, 'Enter']);
  }
}

/**
 * Several tmux commands as one argument list, separated by `;` arguments. tmux also ends a command at an
 * argument that ends in ";" (a path, a shell script), unless that ";" is escaped as "\\;": so it is.
 */
export function joinTmuxCommands(commands: string[][]): string[] {
  return commands.flatMap((command, i) => [
    ...(i > 0 ? [';'] : []),
    ...command.map((word) => (word.endsWith(';') ? `${word.slice(0, -1)}\\;` : word)),
  ]);
}
