import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { privateTmux } from '../helpers/tmux.js';

const schema = (name: string) =>
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', `${name}.schema.json`), 'utf8'));

/**
 * Issue 11 item 8: each --json document is checked against its schema in schemas/, strictly (no field
 * that the schema does not document), on real output of the built CLI.
 */
describe('--json documents follow schemas/*.schema.json', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeRepo();
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'sh', agents: { sh: { command: '/bin/sh' } } }),
    );
    repo.commit('config');
  });
  afterEach(() => repo.cleanup());

  const env = () => ({ XDG_CONFIG_HOME: path.join(repo.parent, 'xdg') });
  async function json(args: string[]): Promise<unknown> {
    const result = await runCli([...args, '--json'], { cwd: repo.root, env: env() });
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  }
  function expectValid(name: string, document: unknown): void {
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema(name));
    expect(validate(document) ? [] : validate.errors, `${name}: ${JSON.stringify(document)}`).toEqual([]);
  }

  it('status, list, ports, compare, doctor and rm, with a schemaVersion', async () => {
    expectValid('run', await json(['t', '-n', '2', '--mux', 'none', '--dry-run']));
    const created = await json(['t', '-n', '2', '--mux', 'none']);
    expectValid('run', created);
    expect((created as { start: string[] }).start).toHaveLength(2);
    writeFileSync(path.join(repo.parent, 'app-worktrees', 't-1', 'new.txt'), 'a change\n');

    const documents: [string, unknown][] = [
      ['status', await json(['status'])],
      ['status', await json(['status', 't'])],
      ['list', await json(['list'])],
      ['ports', await json(['ports'])],
      ['compare', await json(['compare', 't', '--check', 'true'])],
      ['compare', await json(['compare', 't', '--no-check'])],
      ['doctor', await json(['doctor'])],
      ['trust', await json(['trust'])],
      ['rm', await json(['rm', 't', '--archive', '--dry-run'])],
      ['rm', await json(['rm', 't', '--archive'])],
      ['prune', await json(['prune', '--archives', '--runs', '--dry-run'])],
      ['prune', await json(['prune', '--archives'])],
      ['status', await json(['status'])],
    ];
    for (const [name, document] of documents) {
      expectValid(name, document);
      expect((document as { schemaVersion: number }).schemaVersion).toBe(1);
    }
    // status has one shape, with a task or without.
    expect(documents[0]![1]).toEqual(documents[1]![1]);
    // The documents are not empty shells: the archive made by rm --archive is the one prune drops.
    expect((documents[10]![1] as { archives: unknown[] }).archives).toHaveLength(2);
    // rm --dry-run gives the plan rm then carried out.
    expect((documents[8]![1] as { plans: unknown[] }).plans).toMatchObject([
      { task: 't', archiveUnder: 'refs/git-parallel/t/', branches: ['t-1', 't-2'], losing: [] },
    ]);
    // A schema that does not match fails: the check is real.
    const validate = new Ajv2020({ strict: true }).compile(schema('list'));
    expect(validate({ schemaVersion: 1, runs: [{ task: 't', alive: true }] })).toBe(false);
  });

  it('pick, with and without --dry-run', async () => {
    expect((await runCli(['p', '-n', '2', '--mux', 'none'], { cwd: repo.root, env: env() })).code).toBe(0);
    const worktree = path.join(repo.parent, 'app-worktrees', 'p-1');
    writeFileSync(path.join(worktree, 'picked.txt'), 'the winner\n');
    const dryRun = await json(['pick', 'p', '1', '--dry-run']);
    expectValid('pick', dryRun);
    expect((dryRun as { steps: string[] }).steps.length).toBeGreaterThan(1);
    const picked = await json(['pick', 'p', '1']);
    expectValid('pick', picked);
    expect(picked).toMatchObject({ schemaVersion: 1, picked: 'p-1', into: 'main', removed: true });
  });

  it('init (with and without --dry-run) and demo --clean', async () => {
    rmSync(path.join(repo.root, '.git-parallelrc.json'));
    expectValid('init', await json(['init', '--dry-run']));
    expectValid('init', await json(['init', '--format', 'json']));
    const demoEnv = { ...env(), TMPDIR: repo.parent };
    const clean = await runCli(['demo', '--clean', '--json'], { cwd: '/', env: demoEnv });
    expect(clean.code, clean.stderr).toBe(0);
    expectValid('demo', JSON.parse(clean.stdout));
  });

  it('send and attach, on a run in a private tmux server', async () => {
    const tmux = privateTmux();
    try {
      const inTmux = { ...env(), ...tmux.env };
      const created = await runCli(['s', '-n', '2', '--no-attach', '--mux', 'tmux'], {
        cwd: repo.root,
        env: inTmux,
      });
      expect(created.code, created.stderr).toBe(0);
      const sent = await runCli(['send', 's', 'echo hi', '--json'], { cwd: repo.root, env: inTmux });
      expect(sent.code, sent.stderr).toBe(0);
      expectValid('send', JSON.parse(sent.stdout));
      expect(JSON.parse(sent.stdout).sent).toEqual(['s-1', 's-2']);
      tmux.tmux('kill-session', '-t', '=app-s');
      const attached = await runCli(['attach', 's', '--no-attach', '--json'], {
        cwd: repo.root,
        env: inTmux,
      });
      expect(attached.code, attached.stderr).toBe(0);
      expectValid('attach', JSON.parse(attached.stdout));
      expect(JSON.parse(attached.stdout)).toMatchObject({ recreated: true, session: 'app-s' });
    } finally {
      tmux.kill();
    }
  });

  it('names the same facts the same way in every schema', () => {
    const status = schema('status');
    const list = schema('list');
    const compare = schema('compare');
    // The base is one object everywhere; uncommitted work one object; sessions are "sessionAlive".
    expect(status.$defs.base).toEqual(compare.$defs.base);
    expect(list.$defs.base).toEqual(compare.$defs.base);
    expect(status.$defs.uncommitted).toEqual(compare.$defs.uncommitted);
    expect(Object.keys(status.$defs.run.properties)).toContain('sessionAlive');
    expect(Object.keys(list.properties.runs.items.properties)).toContain('sessionAlive');
    // Lines are added/deleted, changed files filesChanged, commits since the base commits.
    for (const key of ['added', 'deleted', 'filesChanged', 'commits']) {
      expect(status.$defs.candidate.properties).toHaveProperty(key);
      expect(compare.$defs.candidate.properties).toHaveProperty(key);
    }
  });
});
