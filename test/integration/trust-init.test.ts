import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InitArgs, init } from '../../src/actions/init.js';
import { type TrustArgs, trust } from '../../src/actions/trust.js';
import { callAction } from '../helpers/in-process.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { waitFor } from '../helpers/stand-in-agent.js';
import { type PrivateTmux, privateTmux } from '../helpers/tmux.js';
import { untrustedRepoEach } from '../helpers/workspace.js';

describe('trust: commands from a repository config run only once approved', () => {
  const untrusted = untrustedRepoEach();
  const { cli, repoConfig, nothingCreated } = untrusted;
  /** `git parallel trust` in-process, as the same user: approving writes to their config folder. */
  const trustIn = (args: Partial<TrustArgs> = {}, json = false) =>
    callAction((io) => trust({ dryRun: false, revoke: false, ...args }, io), {
      cwd: untrusted.repo.root,
      env: { GIT_PARALLEL_TRUST: '', XDG_CONFIG_HOME: untrusted.userConfig },
      json,
    });
  const store = () => path.join(untrusted.userConfig, 'git-parallel', 'trusted.json');

  it('refuses an unapproved setup command without a terminal, in one line that says how to approve', async () => {
    repoConfig({ setup: ['touch PWNED'] });
    const result = await cli(['t', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `git parallel: ${path.join(untrusted.repo.root, '.git-parallelrc.json')} defines commands you have not approved (setup[0]); review and approve them with git parallel trust, or pass --trust for this run`,
    );
    nothingCreated();
  });

  it('git parallel trust shows the commands and records approval; a changed command asks again', async () => {
    repoConfig({ setup: ['echo one'], hooks: { postCreate: 'echo two' } });
    const review = await trustIn({ dryRun: true });
    expect(review.stdout).toBe(
      `${path.join(untrusted.repo.root, '.git-parallelrc.json')} defines these commands:\n  setup[0]: echo one\n  hooks.postCreate[0]: echo two\n`,
    );
    expect(review.stderr).toContain('not approved yet');
    expect(existsSync(store())).toBe(false);
    // --json only reads: the commands and whether they are approved, never an approval.
    const asJson = await trustIn({}, true);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ approved: false, dryRun: false });
    expect(existsSync(store())).toBe(false);

    await trustIn();
    const saved = JSON.parse(readFileSync(store(), 'utf8'));
    expect(Object.keys(saved.repositories)).toEqual([untrusted.repo.root]);
    expect((await cli(['ok', '-n', '1', '--mux', 'none'])).code).toBe(0);

    repoConfig({ setup: ['echo one && curl evil.example'], hooks: { postCreate: 'echo two' } });
    const changed = await cli(['changed', '-n', '1', '--mux', 'none']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain(
      'defines commands you have not approved (setup[0], hooks.postCreate[0])',
    );

    const json = JSON.parse((await trustIn({ dryRun: true }, true)).stdout);
    expect(json).toMatchObject({
      approved: false,
      repository: untrusted.repo.root,
      commands: [
        { key: 'setup[0]', command: 'echo one && curl evil.example' },
        { key: 'hooks.postCreate[0]' },
      ],
    });

    await trustIn({ revoke: true });
    repoConfig({ setup: ['echo one'], hooks: { postCreate: 'echo two' } });
    expect((await cli(['again', '-n', '1', '--mux', 'none'])).code).toBe(2);
  });

  it('--trust (or GIT_PARALLEL_TRUST=1) approves one run and records nothing', async () => {
    repoConfig({ setup: ['echo fine'] });
    expect((await cli(['once', '-n', '1', '--mux', 'none', '--trust'])).code).toBe(0);
    expect((await cli(['env', '-n', '1', '--mux', 'none'], { GIT_PARALLEL_TRUST: '1' })).code).toBe(0);
    expect(existsSync(store())).toBe(false);
  });

  it('a repository config may not silently redefine a built-in agent', async () => {
    repoConfig({ agent: 'claude', agents: { claude: { command: 'sh', args: ['-c', 'touch PWNED'] } } });
    const result = await cli(['preset', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(agents.claude)');
    const review = await trustIn({ dryRun: true });
    expect(review.stdout).toContain(
      '  agents.claude: sh -c touch PWNED  (redefines the built-in agent claude)',
    );
    nothingCreated();
  });

  it("trusts the user's own config, and repository settings that run nothing", async () => {
    mkdirSync(path.join(untrusted.userConfig, 'git-parallel'), { recursive: true });
    writeFileSync(
      path.join(untrusted.userConfig, 'git-parallel', 'config.json'),
      JSON.stringify({ agent: 'shell', setup: ['echo mine'] }),
    );
    repoConfig({ ports: { PORT: 5000 }, copy: ['.env'] });
    const result = await cli(['mine', '-n', '1', '--mux', 'none']);
    expect(result.code).toBe(0);
  });

  describe('on a terminal', () => {
    let tmux: PrivateTmux;
    beforeEach(() => {
      tmux = privateTmux();
    });
    afterEach(() => tmux.kill());

    it('shows the commands, asks once, and records a yes', async () => {
      repoConfig({ setup: ['echo asked'] });
      const bin = path.resolve(import.meta.dirname, '../../bin/git-parallel.js');
      tmux.tmux(
        'new-session',
        '-d',
        '-s',
        'ask',
        '-x',
        '200',
        '-y',
        '40',
        '-c',
        untrusted.repo.root,
        '-e',
        'GIT_PARALLEL_TRUST=',
        '-e',
        `XDG_CONFIG_HOME=${untrusted.userConfig}`,
        `${process.execPath} ${bin} tty -n 1 --mux none; sleep 30`,
      );
      const screen = await waitFor(() => {
        const text = tmux.tmux('capture-pane', '-p', '-J', '-t', '=ask:');
        return text.includes('[y/N]') ? text : undefined;
      }, 'the question');
      expect(screen).toContain('  setup[0]: echo asked');
      tmux.tmux('send-keys', '-t', '=ask:', 'y', 'Enter');
      await waitFor(() => (existsSync(store()) ? true : undefined), 'the approval to be recorded');
      await waitFor(
        () =>
          tmux
            .tmux('capture-pane', '-p', '-J', '-t', '=ask:')
            .includes('Prepared 1 agent for tty; none is started')
            ? true
            : undefined,
        'the run',
      );
      expect((await cli(['after', '-n', '1', '--mux', 'none'])).code).toBe(0);
    });
  });
});

/** init in-process (test/helpers/in-process.ts): what it detects and writes; no pane, no run. */
describe('git parallel init', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeRepo('app');
  });
  afterEach(() => repo.cleanup());
  const initIn = (args: Partial<InitArgs> = {}) =>
    callAction((io) => init({ format: 'js', force: false, dryRun: false, ...args }, io), { cwd: repo.root });
  const trustedCommands = async () =>
    JSON.parse(
      (await callAction((io) => trust({ dryRun: true, revoke: false }, io), { cwd: repo.root, json: true }))
        .stdout,
    );

  function nodeProject(type?: 'module') {
    repo.write(
      'package.json',
      JSON.stringify({
        name: 'app',
        ...(type ? { type } : {}),
        scripts: { dev: 'vite', test: 'vitest run', build: 'tsc' },
      }),
    );
    repo.write('package-lock.json', '{"lockfileVersion":3}\n');
    repo.write('.gitignore', '.env\n.env.*\n!.env.example\ndata/\nnode_modules/\n');
    repo.write('.env.example', 'PORT=3000\n');
    repo.commit('project');
    repo.write('.env', 'SECRET=1\n');
    repo.write('.env.local', 'PORT=3000\n');
    mkdirSync(path.join(repo.root, 'data'));
    execFileSync('sqlite3', [path.join(repo.root, 'data/dev.sqlite'), 'CREATE TABLE t(x)']);
    repo.write('data/not-a-db.db', 'text\n');
  }

  it('detects the project and prints a commented starter config with --dry-run', async () => {
    nodeProject();
    const text = (await initIn({ dryRun: true })).stdout;
    expect(text).toContain('module.exports = {');
    expect(text).toContain("  copy: ['.env', '.env.local'],");
    expect(text).toContain("  envFile: '.env.local',");
    expect(text).toContain("  deps: 'auto',");
    expect(text).toContain('`npm ci`');
    expect(text).toContain("  database: { sqlite: ['data/dev.sqlite'] },");
    expect(text).toContain("  check: 'npm test',");
    expect(text).toContain('vite --port $PORT');
    expect(text).toContain('  // This file is JavaScript'.trim());
    expect(text.endsWith('};\n')).toBe(true);
    expect(existsSync(path.join(repo.root, 'git-parallel.config.js'))).toBe(false);
  });

  it('writes a config git-parallel loads, and refuses to overwrite it without --force', async () => {
    nodeProject('module');
    await initIn();
    expect(readFileSync(path.join(repo.root, 'git-parallel.config.js'), 'utf8')).toContain(
      'export default {',
    );
    // Issue 13 item 5: a Node project's install scripts are among what is approved.
    expect((await trustedCommands()).commands).toEqual([
      { key: 'deps', command: expect.stringContaining(' with lifecycle scripts (') },
      { key: 'check', command: 'npm test' },
    ]);

    await expect(initIn()).rejects.toMatchObject({
      name: 'UsageError',
      message: `git-parallel.config.js already configures git-parallel in ${repo.root}; use --force to replace it`,
    });
    writeFileSync(path.join(repo.root, 'git-parallel.config.js'), 'export default {};\n');
    await initIn({ force: true });
    expect(readFileSync(path.join(repo.root, 'git-parallel.config.js'), 'utf8')).toContain(
      "check: 'npm test'",
    );

    await expect(initIn({ format: 'yaml', force: true })).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringContaining('git-parallel.config.js already configures git-parallel'),
    });
  });

  it.each([
    ['yaml', '.git-parallelrc.yaml'],
    ['json', 'git-parallel.config.json'],
  ])('writes --format %s as %s, which loads', async (format, file) => {
    nodeProject();
    await initIn({ format });
    expect(existsSync(path.join(repo.root, file))).toBe(true);
    const loaded = await trustedCommands();
    expect(loaded.file).toBe(path.join(repo.root, file));
    // Issue 13 item 5: a Node project's install scripts are among what is approved.
    expect(loaded.commands).toEqual([
      { key: 'deps', command: expect.stringContaining(' with lifecycle scripts (') },
      { key: 'check', command: 'npm test' },
    ]);
  });

  it('writes a useful config for a project that is not a Node project, and rejects an unknown format', async () => {
    await expect(initIn({ format: 'toml' })).rejects.toMatchObject({ name: 'UsageError' });
    const { stdout } = await initIn({ dryRun: true, format: 'yaml' });
    expect(stdout).toContain('# copy:\n#   - .env\n#   - .env.local');
    expect(stdout).not.toContain('deps:');
  });
});
