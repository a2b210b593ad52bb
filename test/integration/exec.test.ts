import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { traceQuote } from '../../src/io/command-log.js';
import { run } from '../../src/io/exec.js';
import { runShell } from '../../src/io/shell-run.js';
import { shieldedFromTerminalSignals } from '../../src/io/signals.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/** Issue 15: the execa-based runner — real processes, real process groups, real files. */
const env = { PATH: process.env.PATH };

/** Running: a zombie has exited (this container's init may take a second to collect an orphan). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
}

async function waitForFile(file: string): Promise<string> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(10);
  return readFileSync(file, 'utf8').trim();
}

describe('run', () => {
  let dir: string;
  const leftovers: number[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-exec-'));
  });
  afterEach(() => {
    for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the output as printed and the exit code', async () => {
    const result = await run('sh', ['-c', 'printf "a\\n"; printf "b" >&2; exit 3'], {
      cwd: dir,
      env,
      check: false,
    });
    expect(result).toMatchObject({ stdout: 'a\n', stderr: 'b', exitCode: 3, signal: null });
  });

  it('throws a failure naming the command, its folder, the exit code and stderr', async () => {
    await expect(run('sh', ['-c', 'echo broken >&2; exit 4'], { cwd: dir, env })).rejects.toThrow(
      `sh -c 'echo broken >&2; exit 4' exited with code 4 (in ${dir}): broken`,
    );
  });

  it('says which is missing: the program or the folder', async () => {
    await expect(run('no-such-program-gp', [], { cwd: dir, env })).rejects.toThrow(
      'no-such-program-gp was not found on PATH',
    );
    await expect(run('true', [], { cwd: path.join(dir, 'gone'), env })).rejects.toThrow(
      `the folder ${path.join(dir, 'gone')} no longer exists`,
    );
  });

  it('passes exactly the env it is given, nothing of process.env', async () => {
    process.env.GP_EXEC_LEAK = 'leaked';
    try {
      const result = await run('sh', ['-c', 'echo "${GP_EXEC_LEAK:-none} $GIVEN"'], {
        cwd: dir,
        env: { ...env, GIVEN: 'given' },
      });
      expect(result.stdout).toBe('none given\n');
    } finally {
      delete process.env.GP_EXEC_LEAK;
    }
  });

  it('writes input to stdin, and a child that does not read it is no error (EPIPE)', async () => {
    expect((await run('cat', [], { cwd: dir, env, input: 'hello' })).stdout).toBe('hello');
    const result = await run('true', [], { cwd: dir, env, input: 'x'.repeat(4 * 1024 * 1024) });
    expect(result.exitCode).toBe(0);
  });

  it('stops a command that prints more than maxBuffer, and fails', async () => {
    await expect(
      run('sh', ['-c', 'head -c 100000 /dev/zero; sleep 30'], { cwd: dir, env, maxBuffer: 1000 }),
    ).rejects.toThrow(/printed more than 1000 bytes .*and was stopped/);
  });

  it('at its timeout stops the whole process group, and settles once the group is gone', async () => {
    const pidFile = path.join(dir, 'pid');
    const started = Date.now();
    const result = await run('sh', ['-c', `sleep 30 & echo $! > ${pidFile}; wait`], {
      cwd: dir,
      env,
      timeout: 300,
      check: false,
    });
    const background = Number(readFileSync(pidFile, 'utf8'));
    leftovers.push(background);
    expect(result.timedOut).toBe(true);
    expect(alive(background)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(run('sh', ['-c', 'sleep 30'], { cwd: dir, env, timeout: 200 })).rejects.toThrow(
      'did not finish in time and was stopped',
    );
  });

  it('on abort stops the shielded child and its group, and rejects with the reason after they exited', async () => {
    const pidFile = path.join(dir, 'pid');
    const controller = new AbortController();
    const running = shieldedFromTerminalSignals(() =>
      // The shell ignores SIGTERM: the group is SIGKILLed after the grace, and only then does run settle.
      run('sh', ['-c', `trap '' TERM; sleep 30 & echo $! > ${pidFile}; wait; wait`], {
        cwd: dir,
        env,
        signal: controller.signal,
      }),
    );
    const background = Number(await waitForFile(pidFile));
    leftovers.push(background);
    const reason = new Error('interrupted by SIGINT');
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(alive(background)).toBe(false);
  });

  it('an abort before the start runs nothing', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted by SIGINT');
    controller.abort(reason);
    const marker = path.join(dir, 'ran');
    await expect(
      run('sh', ['-c', `touch ${marker}`], { cwd: dir, env, signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('runShell', () => {
  let dir: string;
  const leftovers: number[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-shell-'));
  });
  afterEach(() => {
    for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends stdout and stderr, interleaved, to the log file', async () => {
    const logFile = path.join(dir, 'logs', 'setup.log');
    const result = await runShell('echo one; echo two >&2; echo three; exit 2', { cwd: dir, env, logFile });
    expect(result).toMatchObject({ exitCode: 2, signal: null, timedOut: false, logFile });
    expect(readFileSync(logFile, 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('at its timeout stops everything the command started', async () => {
    const pidFile = path.join(dir, 'pid');
    const result = await runShell(`sleep 30 & echo $! > ${pidFile}; wait`, {
      cwd: dir,
      env,
      logFile: path.join(dir, 'log'),
      timeout: 300,
    });
    const background = Number(readFileSync(pidFile, 'utf8'));
    leftovers.push(background);
    expect(result.timedOut).toBe(true);
    expect(alive(background)).toBe(false);
  });

  it('leaves what a command that ended started in the background, without waiting for it', async () => {
    // A setup's dev server: the run's removal ends it (endMarkedProcesses), not the step.
    const pidFile = path.join(dir, 'pid');
    const started = Date.now();
    const result = await runShell(`sleep 30 > /dev/null 2>&1 & echo $! > ${pidFile}`, {
      cwd: dir,
      env,
      logFile: path.join(dir, 'log'),
    });
    const background = Number(readFileSync(pidFile, 'utf8'));
    leftovers.push(background);
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(alive(background)).toBe(true);
  });

  it('with killGroupOnExit ends the background of a command that ended', async () => {
    const pidFile = path.join(dir, 'pid');
    await runShell(`sleep 30 & echo $! > ${pidFile}`, {
      cwd: dir,
      env,
      logFile: path.join(dir, 'log'),
      killGroupOnExit: true,
    });
    const background = Number(readFileSync(pidFile, 'utf8'));
    leftovers.push(background);
    for (let i = 0; i < 100 && alive(background); i++) await sleep(10);
    expect(alive(background)).toBe(false);
  });
});

describe('--verbose', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeRepo();
  });
  afterEach(() => repo.cleanup());

  it('lists every command run on stderr, one shell-quoted line each', async () => {
    const quiet = await runCli(['list'], { cwd: repo.root });
    expect(quiet.stderr).not.toContain('+ git');
    const verbose = await runCli(['list', '--verbose'], { cwd: repo.root });
    expect(verbose.code).toBe(0);
    const commands = verbose.stderr.split('\n').filter((line) => line.startsWith('+ '));
    expect(commands).toContain(`+ git worktree list --porcelain -z  # in ${traceQuote(repo.root)}`);
  });

  it('keeps each command on one line', () => {
    expect(traceQuote('two\nlines')).toBe("$'two\\nlines'");
    expect(traceQuote("it's")).toBe(`'it'"'"'s'`);
    expect(traceQuote('plain-word')).toBe('plain-word');
  });
});
