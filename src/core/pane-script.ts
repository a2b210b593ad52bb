/**
 * What a pane runs (issue 18).
 *
 * A Node process costs about 55 MB resident and 100 ms of CPU to start: kept alive for an agent's whole
 * life in every pane, 32 candidates cost 1.8 GB before any agent starts, and N launchers starting at once
 * on a 2-core machine take the CPU that creating the run itself needs. So the reading and deciding (the
 * manifest, the caller's environment, hooks, the sandbox, a failed setup) is done in TypeScript by one
 * planner, actions/pane-plan.ts's planPane, and only its result — this module's script — runs in `sh`.
 * That script is written at one of two moments:
 *
 *   1. Ahead, at run creation (actions/create-run.ts → preparePaneScripts), as `agents/<n>.prepared.sh`,
 *      after the candidates are prepared and before the session starts. A fresh pane's `sh` (PANE_SHELL,
 *      below) renames it to `agents/<n>.launch.sh` and sources it: no Node process at all.
 *   2. At launch time, by `git-parallel launch … --hand-over` (actions/launch.ts), whenever the pane finds
 *      no prepared script or is given options: `attach` recreating a session (`--resume`, `--restart`:
 *      the agent records decide what starts), synthesize's added candidate, a pane command started again
 *      later (a recreation from session.tmux: the prepared script was consumed by the first start, so a
 *      stale one never runs), and the candidates creation leaves to it (see preparePaneScripts). It writes
 *      `agents/<n>.launch.sh` and exits, and the pane's `sh` sources it. A person typing `git parallel
 *      launch` for a `--mux none` run gets the same script, run by Node, which waits.
 *
 * Either way the script (0600: it holds the candidate's environment) prints the header, exports the
 * candidate's variables, starts the agent, records its start (pid, time) and its exit (`$?`), says how it
 * ended, and `exec`s the user's shell in the worktree. While the agent runs, the pane holds `sh` (1–2 MB)
 * and the agent, nothing else.
 *
 * Details the shell imposes, each chosen to keep the Node launcher's behaviour:
 *   - The agent is started by a nested `sh -c` that writes the start record with its own `$$` and then
 *     `exec`s the agent, so the recorded pid is the agent's (what `rm`/`pick` signal and `status` watches).
 *   - `trap : INT` (a handler, not `trap '' INT`, which the agent would inherit as "ignored"): Ctrl-C reaches
 *     the whole foreground group and is meant for the agent; the launcher outlives it and records the exit.
 *     A hang-up is not trapped: closing the pane ends the launcher as it ended the Node one.
 *   - `$?` of 128+n is recorded as "killed by signal n" (a shell cannot tell it from `exit 130`).
 *   - The script's own tools (`date`, `mv`, `cat`) are found with `command -p`, on the system's default PATH:
 *     the candidate's PATH is the user's, and need not hold them.
 *   - Times are whole seconds (`date -u`), rounded down: a start time may only err early, as `rm`'s
 *     "this pid started after the record, it is another program" check requires.
 *   - Only variables that differ from the pane's own environment are exported (a script written ahead
 *     knows no pane environment and exports all of the caller's and the candidate's), and only those
 *     whose names a shell can hold (`[A-Za-z_][A-Za-z0-9_]*`); others (`BASH_FUNC_x%%`) still reach the
 *     agent when the pane's environment already had them, and are not put on a command line, where `ps`
 *     would show them.
 *   - The shell exec'd afterwards is the pane's own `$SHELL`, read before the exports, as the Node
 *     launcher read it from its own environment: a script written ahead cannot know it.
 */

export interface PaneScriptPlan {
  /** The run's state folder and the candidate: where the records go. */
  stateDir: string;
  n: number;
  worktree: string;
  /** Variables to export (name → value), before the agent and for the shell after it. */
  exports: Record<string, string>;
  /** Lines printed first: the header, and why the agent is not started or started without hooks. */
  say: string[];
  /** The agent's argv, or null when it is not started (its setup failed, or it had exited: attach --resume). */
  agent: {
    argv: string[];
    name: string;
    /** A file fed to the agent's standard input (prompt mode `stdin`), or null for the terminal. */
    stdinFile: string | null;
  } | null;
  /** Without an agent: the status the pane reports when no terminal is attached. */
  statusWithoutAgent: number;
}

/**
 * The pane's own `sh` program, given as `sh -c PANE_SHELL git-parallel NODE BIN TASK N STATE_DIR [OPTION…]`.
 * Without options it runs the script written ahead when there is one (renamed first, so it runs once);
 * otherwise the Node launcher writes the script. Kept to one line without `#`, so tmux's and Zellij's
 * layout files carry it as a plain argument.
 */
export const PANE_SHELL =
  'gp_node=$1 gp_bin=$2 gp_task=$3 gp_n=$4 gp_dir=$5; shift 5; ' +
  'if [ -z "$1" ] && command -p mv -f "$gp_dir/agents/$gp_n.prepared.sh" "$gp_dir/agents/$gp_n.launch.sh" 2>/dev/null; ' +
  'then . "$gp_dir/agents/$gp_n.launch.sh"; ' +
  'else "$gp_node" "$gp_bin" launch "$gp_task" "$gp_n" --state-dir "$gp_dir" --hand-over "$@" && ' +
  '. "$gp_dir/agents/$gp_n.launch.sh"; fi';

export const paneScriptName = (n: number) => `${n}.launch.sh`;
export const preparedScriptName = (n: number) => `${n}.prepared.sh`;

/** Names bash (the `sh` of macOS) keeps read-only: assigning one there would end the script. */
const SHELL_OWN = new Set([
  'SHELLOPTS',
  'BASHOPTS',
  'BASH_VERSINFO',
  'EUID',
  'UID',
  'PPID',
  'BASHPID',
  'GROUPS',
]);

export function exportableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !SHELL_OWN.has(name);
}

/** A word for `sh`, quoted so nothing in it is expanded. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The variables of `wanted` that `current` lacks or holds with another value, and that `sh` can export. */
export function environmentChanges(
  wanted: Record<string, string | undefined>,
  current: Record<string, string | undefined>,
): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const [name, value] of Object.entries(wanted)) {
    if (value !== undefined && current[name] !== value && exportableName(name)) changes[name] = value;
  }
  return changes;
}

/**
 * The script the pane's `sh` sources (see the module comment). Every value from the run is quoted with
 * `shellQuote`; the script's own variables start with `gp_` and are never exported.
 */
export function renderPaneScript(plan: PaneScriptPlan): string {
  const q = shellQuote;
  const record = `${plan.stateDir}/agents/${plan.n}.json`;
  const lines = [
    '# Written by git-parallel (run creation or `launch`) and sourced by the pane (src/core/pane-script.ts).',
    'unset gp_node gp_bin gp_task gp_n gp_dir',
    'gp_shell=${SHELL:-/bin/sh}',
    'trap : INT',
    ...plan.say.map((line) => `printf '%s\\n' ${q(line)}`),
    ...Object.entries(plan.exports).map(([name, value]) => `export ${name}=${q(value)}`),
    `cd ${q(plan.worktree)} || exit 1`,
  ];
  if (plan.agent) {
    // $1 is the state folder, $2 the record: the record is written only while the state folder exists (a
    // removed or moved run must not grow a stray .git/parallel again, as io/state.ts writeAgentRecord says).
    const start =
      'if [ -d "$1" ]; then printf \'{"pid":%s,"startedAt":"%s"}\\n\' "$$" "$(command -p date -u +%Y-%m-%dT%H:%M:%SZ)" ' +
      '> "$2.tmp" && command -p mv -f "$2.tmp" "$2"; fi; shift 2; exec "$@"';
    const stdin = plan.agent.stdinFile === null ? '' : ` < ${q(plan.agent.stdinFile)}`;
    lines.push(
      `gp_dir=${q(plan.stateDir)} gp_record=${q(record)}`,
      `/bin/sh -c ${q(start)} sh "$gp_dir" "$gp_record" ${plan.agent.argv.map(q).join(' ')}${stdin}`,
      'gp_status=$?',
      'gp_code=$gp_status gp_signal=null gp_how="exited with code $gp_status"',
      'if [ "$gp_status" -gt 128 ] && gp_name=$(kill -l "$gp_status" 2>/dev/null) && [ -n "$gp_name" ]; then',
      '  gp_name=SIG${gp_name#SIG} gp_code=null gp_signal="\\"$gp_name\\"" gp_how="was killed by $gp_name"',
      'fi',
      'if [ -d "$gp_dir" ]; then',
      '  gp_start=$(command -p cat "$gp_record" 2>/dev/null)',
      '  case $gp_start in \'{"pid":\'*\'}\') ;; *) gp_start=\'{"pid":0,"startedAt":"\'"$(command -p date -u +%Y-%m-%dT%H:%M:%SZ)"\'"}\' ;; esac',
      '  printf \'%s,"exit":{"code":%s,"signal":%s,"at":"%s"}}\\n\' "${gp_start%\\}}" "$gp_code" "$gp_signal" \\',
      '    "$(command -p date -u +%Y-%m-%dT%H:%M:%SZ)" > "$gp_record.tmp" && command -p mv -f "$gp_record.tmp" "$gp_record"',
      'fi',
      `printf '\\n[git-parallel] %s %s. This shell is in %s.\\n' ${q(plan.agent.name)} "$gp_how" ${q(plan.worktree)}`,
      // Without a terminal (a test, a script) the pane's status is the agent's, as it was: its code, 1 when killed.
      'if [ "$gp_code" = null ]; then gp_status=1; fi',
    );
  } else {
    lines.push(`gp_status=${plan.statusWithoutAgent}`);
  }
  lines.push('if [ -t 0 ]; then exec "$gp_shell"; fi', 'exit "$gp_status"');
  return `${lines.join('\n')}\n`;
}
