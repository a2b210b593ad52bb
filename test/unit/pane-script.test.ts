import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  environmentChanges,
  exportableName,
  PANE_SHELL,
  type PaneScriptPlan,
  renderPaneScript,
  shellQuote,
} from '../../src/core/pane-script.js';

describe('shellQuote', () => {
  it.each([
    ['plain'],
    ["it's"],
    ['$(touch PWNED) `x` $HOME \\ "q"'],
    ['two\nlines'],
    [''],
    ["'''"],
  ])('sh reads %j back byte for byte', (word) => {
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word);
  });
});

describe('environmentChanges', () => {
  it.each([
    [{ A: '1' }, { A: '1' }, {}],
    [{ A: '2' }, { A: '1' }, { A: '2' }],
    [{ B: 'x' }, {}, { B: 'x' }],
    [{ 'BASH_FUNC_f%%': '() { :; }' }, {}, {}],
    [{ SHELLOPTS: 'braceexpand' }, {}, {}],
    [{ _private: 'y', 'a-b': 'z' }, {}, { _private: 'y' }],
  ])('%j over %j exports %j', (wanted, current, changes) => {
    expect(environmentChanges(wanted, current)).toEqual(changes);
  });
  it('knows which names a shell can export', () => {
    expect(['PATH', 'x1', '_'].every(exportableName)).toBe(true);
    expect(['1x', 'a.b', '', 'UID'].some(exportableName)).toBe(false);
  });
});

/** The script run as the pane's `sh` runs it, off a terminal, on a real state folder. */
describe('renderPaneScript', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-pane-script-'));
    mkdirSync(path.join(dir, 'state', 'agents'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const plan = (agent: PaneScriptPlan['agent'], more: Partial<PaneScriptPlan> = {}): PaneScriptPlan => ({
    stateDir: path.join(dir, 'state'),
    n: 2,
    worktree: dir,
    exports: { GP_PROBE: "it's $(here)" },
    agent,
    statusWithoutAgent: 1,
    say: ['── the header ──'],
    ...more,
  });
  const runScript = (p: PaneScriptPlan) => {
    const file = path.join(dir, 'launch.sh');
    writeFileSync(file, renderPaneScript(p));
    return spawnSync('/bin/sh', [file], { cwd: '/', encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const record = () => JSON.parse(readFileSync(path.join(dir, 'state', 'agents', '2.json'), 'utf8'));

  it("records the agent's own pid and exit code, with the candidate's variables, in the worktree", () => {
    const agent = ['/bin/sh', '-c', 'echo "$$ $GP_PROBE $(pwd)" > out.txt; exit 3'];
    const result = runScript(plan({ argv: agent, name: 'probe', stdinFile: null }));
    expect(result.status).toBe(3);
    expect(result.stdout.split('\n')[0]).toBe('── the header ──');
    expect(result.stdout).toContain(`[git-parallel] probe exited with code 3. This shell is in ${dir}.`);
    const [pid, ...rest] = readFileSync(path.join(dir, 'out.txt'), 'utf8').trim().split(' ');
    expect(rest.join(' ')).toBe(`it's $(here) ${dir}`);
    expect(record()).toMatchObject({ pid: Number(pid), exit: { code: 3, signal: null } });
    expect(Date.parse(record().startedAt)).toBeLessThanOrEqual(Date.now());
  });

  it("records start and exit with a candidate PATH that holds none of the system's tools", () => {
    const file = path.join(dir, 'launch.sh');
    writeFileSync(
      file,
      renderPaneScript(plan({ argv: ['/bin/sh', '-c', 'exit 4'], name: 'probe', stdinFile: null })),
    );
    const result = spawnSync('/bin/sh', [file], {
      cwd: '/',
      encoding: 'utf8',
      env: { PATH: path.join(dir, 'empty') },
    });
    expect(result.status, result.stderr).toBe(4);
    expect(result.stderr).toBe('');
    expect(record()).toMatchObject({ exit: { code: 4, signal: null } });
  });

  it('records a signal as the signal, and feeds a prompt file on stdin', () => {
    writeFileSync(path.join(dir, 'prompt.md'), 'the prompt\n');
    const agent = ['/bin/sh', '-c', 'cat > got.txt; kill -TERM $$'];
    const result = runScript(plan({ argv: agent, name: 'probe', stdinFile: path.join(dir, 'prompt.md') }));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('probe was killed by SIGTERM');
    expect(readFileSync(path.join(dir, 'got.txt'), 'utf8')).toBe('the prompt\n');
    expect(record().exit).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('writes no record once the state folder is gone, and without an agent reports the given status', () => {
    rmSync(path.join(dir, 'state'), { recursive: true });
    const result = runScript(plan({ argv: ['/bin/sh', '-c', 'exit 0'], name: 'probe', stdinFile: null }));
    expect(result.status).toBe(0);
    expect(existsSync(path.join(dir, 'state'))).toBe(false);
    expect(runScript(plan(null, { statusWithoutAgent: 4 })).status).toBe(4);
  });
});

/** Issue 18: the pane's program runs a script written ahead once, and the Node launcher otherwise. */
describe('PANE_SHELL', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-pane-shell-'));
    mkdirSync(path.join(dir, 'agents'));
    // A stand-in for `node bin/git-parallel.js`: given `launch TASK N --state-dir DIR --hand-over …`, it
    // notes its call and writes the script as the launcher does.
    writeFileSync(
      path.join(dir, 'launcher.sh'),
      'printf \'%s\\n\' "$*" >> "$5/calls.txt"; printf \'echo from-launcher\\n\' > "$5/agents/$3.launch.sh"\n',
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pane = (...options: string[]) =>
    execFileSync(
      '/bin/sh',
      ['-c', PANE_SHELL, 'git-parallel', '/bin/sh', path.join(dir, 'launcher.sh'), 't', '2', dir, ...options],
      { encoding: 'utf8' },
    );
  const calls = () =>
    existsSync(path.join(dir, 'calls.txt')) ? readFileSync(path.join(dir, 'calls.txt'), 'utf8') : '';

  it('runs the prepared script without the launcher, once; a later start asks the launcher', () => {
    writeFileSync(path.join(dir, 'agents', '2.prepared.sh'), 'echo from-creation\n');
    expect(pane()).toBe('from-creation\n');
    expect(calls()).toBe('');
    expect(existsSync(path.join(dir, 'agents', '2.prepared.sh'))).toBe(false);
    expect(pane()).toBe('from-launcher\n');
    expect(calls()).toBe(`launch t 2 --state-dir ${dir} --hand-over\n`);
  });

  it('asks the launcher when given options (attach --resume), even with a prepared script', () => {
    writeFileSync(path.join(dir, 'agents', '2.prepared.sh'), 'echo from-creation\n');
    expect(pane('--resume', '--restart')).toBe('from-launcher\n');
    expect(calls()).toBe(`launch t 2 --state-dir ${dir} --hand-over --resume --restart\n`);
  });
});
