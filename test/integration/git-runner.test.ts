import { chmodSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailure } from '../../src/errors.js';
import { lastCommitTime } from '../../src/io/git.js';
import { runGit } from '../../src/io/git-runner.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/** How src/io/git-runner.ts runs git through simple-git, on a real repository. */
describe('runGit', () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = makeRepo();
  });
  afterAll(() => repo.cleanup());

  it('returns a silent non-zero exit with check: false, and throws it, naming the command, otherwise', async () => {
    const quiet = await runGit(repo.root, ['rev-parse', '--verify', '--quiet', 'refs/heads/nope'], {
      check: false,
    });
    expect(quiet).toMatchObject({ exitCode: 1, stdout: '', stderr: '' });
    const failure = await runGit(repo.root, ['rev-parse', '--verify', 'refs/heads/nope']).catch((e) => e);
    expect(failure).toBeInstanceOf(CommandFailure);
    expect(failure.message).toMatch(
      /^git rev-parse --verify refs\/heads\/nope exited with code 128 \(in .*\): fatal:/,
    );
  });

  it('writes input to stdin and passes the environment it is given, GIT_* variables included', async () => {
    const head = repo.git('rev-parse', 'HEAD');
    const listed = await runGit(repo.root, ['rev-list', '--stdin', '--max-count=1'], { input: `${head}\n` });
    expect(listed.stdout.trim()).toBe(head);
    const ident = await runGit(repo.root, ['var', 'GIT_AUTHOR_IDENT'], {
      env: { ...process.env, GIT_AUTHOR_NAME: 'Given Name', GIT_AUTHOR_EMAIL: 'given@example.invalid' },
    });
    expect(ident.stdout).toMatch(/^Given Name <given@example\.invalid> /);
  });

  it('closes stdin when there is no input, so nothing git starts waits on it', async () => {
    // simple-git leaves stdin open when it has nothing to write: git would wait here for ever.
    const empty = await runGit(repo.root, ['hash-object', '--stdin']);
    expect(empty.stdout.trim()).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });

  it('stops git when the signal aborts, and does not wait for a hook that holds its output', async () => {
    repo.write('.git/hooks/pre-commit', '#!/bin/sh\nsleep 30\n');
    chmodSync(path.join(repo.root, '.git/hooks/pre-commit'), 0o755);
    const controller = new AbortController();
    const started = Date.now();
    const call = runGit(repo.root, ['commit', '--allow-empty', '-m', 'never'], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 500);
    await expect(call).rejects.toThrow('interrupted by SIGINT');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(repo.git('log', '-1', '--format=%s')).not.toBe('never');
  });

  it('says which folder is gone when asked to run in one that no longer exists', async () => {
    await expect(runGit(`${repo.parent}/gone`, ['status'])).rejects.toThrow(
      /the folder .*\/gone no longer exists/,
    );
  });

  it('reads the newest commit time of a ref through simple-git’s log parser', async () => {
    repo.git('-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '--allow-empty', '-m', 'dated');
    const expected = Number(repo.git('log', '-1', '--format=%ct', 'refs/heads/main')) * 1000;
    expect((await lastCommitTime(repo.root, 'refs/heads/main')).getTime()).toBe(expected);
    await expect(lastCommitTime(repo.root, 'refs/heads/nope')).rejects.toThrow(/exited with code 128/);
  });
});
