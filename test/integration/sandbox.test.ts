import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/**
 * Issue 17: `--sandbox` runs each agent under bubblewrap. The agent here is a shell script that tries to
 * write where it must not, and reports each attempt on stdout; `git parallel launch` runs it with stdin
 * closed, so the launcher returns when it exits.
 */
const AGENT = `#!/bin/sh
attempt() { if sh -c "$2" >/dev/null 2>&1; then echo "ALLOWED $1"; else echo "DENIED $1"; fi; }
echo mine > own.txt
attempt own-commit "git add own.txt && git commit -q -m 'own edit'"
attempt main-worktree "echo x > '$MAIN/hacked.txt'"
attempt other-candidate "echo x > '$OTHER/hacked.txt'"
attempt ssh-write "echo x > '$HOME/.ssh/hacked'"
attempt ssh-read "cat '$HOME/.ssh/id_test' | grep -q secret"
attempt home-write "echo x > '$HOME/hacked.txt'"
attempt cache-write "echo x > '$HOME/.cache/agent-cache.txt'"
attempt tmp-write "echo x > '$INSIDE_TMP_FILE'"
attempt tmp-see-outside "test -e '$OUTSIDE_TMP_FILE'"
if [ "$TRY_ETC" = 1 ]; then attempt etc "echo x > /etc/git-parallel-hacked"; fi
attempt update-ref-main "git update-ref refs/heads/main HEAD"
attempt branch-f-packed "git branch -f packed HEAD"
attempt delete-other-branch "git update-ref -d refs/heads/$OTHER_BRANCH"
attempt unlink-other-ref "rm '$COMMON/refs/heads/$OTHER_BRANCH'"
attempt new-branch "git branch sneaky HEAD"
attempt tag "git tag sneaky"
attempt git-config "git config user.name sneaky"
if [ "$TRY_ETC" = 1 ]; then attempt delete-pack "ls $COMMON/objects/pack/*.pack && rm $COMMON/objects/pack/*.pack"; fi
attempt git-hook "echo 'exit 0' > '$COMMON/hooks/post-commit'"
attempt see-other-processes "kill -0 $OUTSIDE_PID"
# The residual the README states: with reflogs off a NEW branch can be made, and a lock file left beside another ref.
attempt residual-new-branch "git -c core.logAllRefUpdates=false branch sneaky2 HEAD"
attempt residual-lock "echo > '$COMMON/refs/heads/main.lock'"
# Left running in the background: it must end with the agent, before the pane's (unsandboxed) shell starts.
if [ "$TRY_ETC" = 1 ]; then setsid sleep 31337 >/dev/null 2>&1 < /dev/null & fi
echo "IS_SANDBOX=$IS_SANDBOX"
`;

describe('--sandbox (bubblewrap)', () => {
  let repo: TestRepo;
  let home: string;
  let agent: string;
  let env: NodeJS.ProcessEnv;
  // A file in the real /tmp, outside every folder the sandbox binds again: a private /tmp does not show it.
  const outsideTmpFile = `/tmp/gp-sandbox-outside-${process.pid}`;
  const insideTmpFile = `/tmp/gp-sandbox-inside-${process.pid}`;

  beforeEach(() => {
    repo = makeRepo('app');
    home = path.join(repo.parent, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    writeFileSync(path.join(home, '.ssh', 'id_test'), 'secret key\n');
    agent = path.join(repo.parent, 'bin', 'agent.sh');
    mkdirSync(path.dirname(agent));
    writeFileSync(agent, AGENT);
    chmodSync(agent, 0o755);
    // A branch that lives only in packed-refs: the sandbox must protect it too.
    repo.git('branch', 'packed');
    repo.git('pack-refs', '--all');
    repo.git('repack', '-a', '-d', '-q');
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'probe', agents: { probe: { command: agent, prompt: 'none' } } }),
    );
    repo.commit('config');
    env = { HOME: home, GIT_PARALLEL_TRUST: '1', TMUX: '', ZELLIJ: '', IS_SANDBOX: '' };
  });
  afterEach(() => {
    repo.cleanup();
    rmSync(outsideTmpFile, { force: true });
    rmSync(insideTmpFile, { force: true });
  });

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runCli(args, { cwd: repo.root, env: { ...env, ...extra } });
  const worktree = (n: number) => path.join(repo.parent, 'app-worktrees', `t-${n}`);
  const agentEnv = (sandboxed: boolean) => ({
    MAIN: repo.root,
    OTHER: worktree(2),
    OTHER_BRANCH: 't-2',
    COMMON: path.join(repo.root, '.git'),
    OUTSIDE_PID: String(process.pid),
    OUTSIDE_TMP_FILE: outsideTmpFile,
    INSIDE_TMP_FILE: insideTmpFile,
    TRY_ETC: sandboxed ? '1' : '0',
  });

  it('lets the agent edit and commit only in its own worktree and branch', async () => {
    writeFileSync(outsideTmpFile, 'x');
    const mainBefore = repo.git('rev-parse', 'main');
    const packedBefore = repo.git('rev-parse', 'packed');
    const created = await cli(['t', '-n', '2', '--mux', 'none', '--sandbox']);
    expect(created.stderr).not.toMatch(/warning|error/i);
    expect(created.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(repo.root, '.git/parallel/t/run.json'), 'utf8')).sandbox).toBe(
      true,
    );

    const launched = await cli(['launch', 't', '1'], agentEnv(true));
    const lines = launched.stdout;
    for (const denied of [
      'main-worktree',
      'other-candidate',
      'ssh-write',
      'ssh-read',
      'home-write',
      'etc',
      'update-ref-main',
      'branch-f-packed',
      'delete-other-branch',
      'unlink-other-ref',
      'new-branch',
      'tag',
      'git-config',
      'git-hook',
      'delete-pack',
      'see-other-processes',
      'tmp-see-outside',
    ])
      expect(lines).toContain(`DENIED ${denied}\n`);
    expect(lines).toContain('ALLOWED cache-write\n');
    // Its /tmp is its own: writable, and what it writes there never reaches the real one.
    expect(lines).toContain('ALLOWED tmp-write\n');
    expect(existsSync(insideTmpFile)).toBe(false);
    expect(lines).toContain('ALLOWED residual-new-branch\n');
    expect(lines).toContain('ALLOWED residual-lock\n');
    expect(lines).toContain('ALLOWED own-commit\n');
    expect(lines).toContain('IS_SANDBOX=1\n');
    expect(launched.code).toBe(0);

    // Its own pid namespace ends with it: nothing it left running outlives it into the pane's shell.
    expect(processesRunning('sleep 31337')).toEqual([]);

    // Outside: nothing changed but the candidate's own branch.
    expect(existsSync(path.join(repo.root, 'hacked.txt'))).toBe(false);
    expect(existsSync(path.join(worktree(2), 'hacked.txt'))).toBe(false);
    expect(existsSync('/etc/git-parallel-hacked')).toBe(false);
    expect(existsSync(path.join(home, 'hacked.txt'))).toBe(false);
    expect(readdirSync(path.join(home, '.ssh'))).toEqual(['id_test']);
    expect(repo.git('rev-parse', 'main')).toBe(mainBefore);
    expect(repo.git('rev-parse', 'packed')).toBe(packedBefore);
    expect(repo.git('rev-parse', 't-2')).toBe(repo.git('rev-parse', 'main'));
    expect(repo.git('log', '-1', '--format=%s', 't-1')).toBe('own edit');
    expect(repo.git('reflog', '-1', '--format=%gs', 't-1')).toMatch(/^commit: own edit/);
    expect(repo.git('show', 't-1:own.txt')).toBe('mine');

    // status and compare say that the run is sandboxed.
    expect(JSON.parse((await cli(['status', 't', '--json'])).stdout).runs[0].sandboxed).toBe(true);
    const status = await cli(['status', 't']);
    expect(status.stdout + status.stderr).toContain('sandboxed: each agent can write only its own worktree');
    expect((await cli(['status'])).stdout).toMatch(/^t\s+probe×2 · sandboxed\s/m);
    const compare = await cli(['compare', 't']);
    expect(compare.stdout + compare.stderr).toMatch(
      /^t: 2 candidates against main @ \w+ \(sandboxed run\)$/m,
    );
    expect(JSON.parse((await cli(['compare', 't', '--json'])).stdout).sandboxed).toBe(true);
    // The branches git-parallel made loose so it could protect them still have their values.
    expect(existsSync(path.join(repo.root, '.git/hooks/post-commit'))).toBe(false);
    expect(readdirSync(path.join(repo.root, '.git/objects/pack')).some((f) => f.endsWith('.pack'))).toBe(
      true,
    );
    expect(repo.git('tag')).toBe('');
    expect(repo.git('config', 'user.name')).toBe('Test Author');
    expect(repo.git('branch', '--format=%(refname:short)').split('\n').sort()).toEqual([
      'main',
      'packed',
      'sneaky2',
      't-1',
      't-2',
    ]);
  });

  it('an unsandboxed run behaves as before: the agent can write anywhere it has rights', async () => {
    const created = await cli(['t', '-n', '2', '--mux', 'none']);
    expect(created.code).toBe(0);
    expect(
      JSON.parse(readFileSync(path.join(repo.root, '.git/parallel/t/run.json'), 'utf8')),
    ).not.toHaveProperty('sandbox');
    const launched = await cli(['launch', 't', '1'], agentEnv(false));
    expect(launched.stdout).toContain('ALLOWED main-worktree\n');
    expect(launched.stdout).toContain('ALLOWED update-ref-main\n');
    expect(launched.stdout).toContain('ALLOWED own-commit\n');
    expect(launched.stdout).toContain('IS_SANDBOX=\n');
    expect(existsSync(path.join(repo.root, 'hacked.txt'))).toBe(true);
    expect(JSON.parse((await cli(['status', 't', '--json'])).stdout).runs[0].sandboxed).toBe(false);
    const compare = await cli(['compare', 't']);
    expect(compare.stdout + compare.stderr).not.toContain('sandboxed');
  });

  it('sandbox: true in config sandboxes the run like --sandbox', async () => {
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'probe',
        sandbox: true,
        agents: { probe: { command: agent, prompt: 'none' } },
      }),
    );
    repo.commit('sandbox in config');
    expect((await cli(['t', '-n', '1', '--mux', 'none'])).code).toBe(0);
    const launched = await cli(['launch', 't', '1'], agentEnv(true));
    expect(launched.stdout).toContain('DENIED main-worktree\n');
    expect(launched.stdout).toContain('ALLOWED own-commit\n');
  });

  it.each([
    [
      'bubblewrap is missing',
      '/nonexistent/bwrap',
      /needs bubblewrap.*install it \(apt-get install bubblewrap/,
    ],
    [
      'user namespaces are refused',
      'refusing-bwrap',
      /cannot make a sandbox here \(bwrap: setting up uid map: Permission denied\); enable unprivileged user namespaces/,
    ],
  ])('refuses cleanly when %s: one line, exit 2, nothing created', async (_what, bwrap, message) => {
    let bwrapPath = bwrap;
    if (bwrap === 'refusing-bwrap') {
      bwrapPath = path.join(repo.parent, 'bin', 'bwrap');
      writeFileSync(
        bwrapPath,
        '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
      );
      chmodSync(bwrapPath, 0o755);
    }
    const branches = repo.git('branch', '--format=%(refname:short)');
    const result = await cli(['t', '-n', '2', '--mux', 'none', '--sandbox'], {
      GIT_PARALLEL_BWRAP: bwrapPath,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(existsSync(path.join(repo.parent, 'app-worktrees'))).toBe(false);
    expect(existsSync(path.join(repo.root, '.git/parallel/t'))).toBe(false);
    expect(repo.git('branch', '--format=%(refname:short)')).toBe(branches);
  });

  it('doctor tries one sandbox and reports whether --sandbox works here', async () => {
    const works = await cli(['doctor', '--json']);
    const row = (out: string) =>
      (JSON.parse(out).checks as { name: string; ok: boolean; advice: string }[]).find(
        (r) => r.name === 'sandbox',
      );
    expect(row(works.stdout)).toMatchObject({ ok: true, advice: '' });
    const refusing = path.join(repo.parent, 'bin', 'bwrap');
    writeFileSync(refusing, '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n');
    chmodSync(refusing, 0o755);
    const fails = await cli(['doctor', '--json'], { GIT_PARALLEL_BWRAP: refusing });
    expect(row(fails.stdout)).toMatchObject({ ok: false });
    expect(row(fails.stdout)!.advice).toMatch(/No permissions to create new namespace.*user namespaces/);
    const human = await cli(['doctor'], { GIT_PARALLEL_BWRAP: refusing });
    expect(human.stderr + human.stdout).toMatch(/sandbox\s+fails/);
  });

  it("runs setup commands, postCreate and preRemove hooks and compare's checks inside the candidate's sandbox", async () => {
    const outside = path.join(repo.root, 'hacked.txt');
    const tryOutside = (label: string) =>
      `if echo x > '${outside}'; then echo ${label}-escaped; else echo ${label}-denied; fi`;
    // ~/.cache is writable inside and outlives the worktree: where preRemove can say what it saw.
    const preRemoveSaw = path.join(home, '.cache', 'pre-remove.txt');
    const postRemoveRan = path.join(repo.parent, 'post-remove.txt');
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({
        agent: 'probe',
        agents: { probe: { command: agent, prompt: 'none' } },
        hooks: {
          postCreate: [`echo hook > post-create-own.txt; ${tryOutside('postCreate')}`],
          preRemove: [`{ ${tryOutside('preRemove')}; echo "IS_SANDBOX=$IS_SANDBOX"; } > '${preRemoveSaw}'`],
          // Not sandboxed (README, Sandbox): it runs after the worktree is gone, to clean up outside it.
          postRemove: [`echo ran > '${postRemoveRan}'`],
        },
        setup: [`echo setup > setup-own.txt; ${tryOutside('setup')}`],
      }),
    );
    repo.commit('setup');
    const created = await cli(['t', '-n', '1', '--mux', 'none', '--sandbox']);
    expect(created.code).toBe(0);
    expect(existsSync(path.join(worktree(1), 'setup-own.txt'))).toBe(true);
    expect(existsSync(outside)).toBe(false);
    const setupLog = readdirSync(path.join(repo.root, '.git/parallel/t'), { recursive: true })
      .map(String)
      .filter((f) => f.includes('setup') && f.endsWith('.log'));
    expect(setupLog).toHaveLength(1);
    const log = readFileSync(path.join(repo.root, '.git/parallel/t', setupLog[0]!), 'utf8');
    expect(log).toContain('\npostCreate-denied\n');
    expect(log).toContain('\nsetup-denied\n');
    expect(log).not.toMatch(/^\w+-escaped$/m);
    expect(existsSync(path.join(worktree(1), 'post-create-own.txt'))).toBe(true);

    const escaping = await cli(['compare', 't', '--check', `echo x > '${outside}'`, '--json']);
    expect(JSON.parse(escaping.stdout).candidates[0].check.passed).toBe(false);
    expect(existsSync(outside)).toBe(false);
    const own = await cli(['compare', 't', '--check', 'echo ok > check-own.txt', '--json', '--rerun']);
    expect(JSON.parse(own.stdout).candidates[0].check.passed).toBe(true);
    expect(existsSync(path.join(worktree(1), 'check-own.txt'))).toBe(true);

    const removed = await cli(['rm', 't', '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(readFileSync(preRemoveSaw, 'utf8')).toBe('preRemove-denied\nIS_SANDBOX=1\n');
    expect(existsSync(outside)).toBe(false);
    expect(readFileSync(postRemoveRan, 'utf8')).toBe('ran\n');
    expect(existsSync(worktree(1))).toBe(false);
  });
});

/** The pids of processes whose command line is `command`. */
function processesRunning(command: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() === command)
        found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
