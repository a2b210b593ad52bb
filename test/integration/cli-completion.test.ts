import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import type { TestRepo } from '../helpers/repo.js';
import type { PrivateTmux } from '../helpers/tmux.js';
import { closeWorkspace, standInWorkspace } from '../helpers/workspace.js';

/**
 * Shell completion (issue 11 item 10): git's own bash completion (git-completion.bash, as distributions
 * install it) completes `git parallel <TAB>` through our `_git_parallel`, with subcommands, options and the
 * task names of the repository's runs; `git-parallel <TAB>` is completed too.
 */
const GIT_COMPLETION = ['/usr/share/bash-completion/completions/git', '/etc/bash_completion.d/git'].find(
  existsSync,
);

describe('completion', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  let bin: string;

  beforeAll(async () => {
    ({ repo, tmux } = standInWorkspace());
    for (const task of ['fix-a', 'fix-b']) {
      const started = await runCli(['run', task, '-p', 'x', '-n', '1', '--mux', 'none'], {
        cwd: repo.root,
        env: tmux.env,
      });
      expect(started.code).toBe(0);
    }
    bin = path.join(repo.parent, 'bin');
    mkdirSync(bin);
    symlinkSync(BIN, path.join(bin, 'git-parallel'));
  });
  afterAll(() => closeWorkspace({ repo, tmux }));

  /** What bash offers for a command line ending where the cursor is, as `complete -F` would call it. */
  function complete(line: string, cwd = repo.root): string[] {
    const script = path.join(repo.parent, 'complete.sh');
    writeFileSync(
      script,
      [
        `source ${GIT_COMPLETION}`,
        'eval "$(git parallel completion bash)"',
        'COMP_LINE=$1; COMP_POINT=${#COMP_LINE}',
        'read -ra COMP_WORDS <<<"$COMP_LINE"',
        "[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')",
        'COMP_CWORD=$((${#COMP_WORDS[@]} - 1))',
        'if [[ ${COMP_WORDS[0]} == git ]]; then __git_wrap__git_main; else _git_parallel_command; fi',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n'),
    );
    const result = spawnSync('bash', [script, line], {
      cwd,
      env: { ...process.env, ...tmux.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    return result.stdout
      .split('\n')
      .map((word) => word.trim())
      .filter(Boolean);
  }

  it('git’s completion is installed here', () => {
    expect(GIT_COMPLETION).toBeDefined();
  });

  it.each([
    ['git paral', ['parallel']],
    ['git parallel st', ['status']],
    ['git parallel co', ['compare', 'completion']],
    ['git parallel status ', ['fix-a', 'fix-b']],
    ['git parallel attach f', ['fix-a', 'fix-b']],
    ['git parallel rm fix-a ', ['fix-b']],
    ['git parallel pick fix-a ', []],
    ['git parallel compare --ch', ['--check', '--check-timeout']],
    ['git parallel rm --k', ['--keep-branches']],
    ['git parallel help co', ['compare', 'completion']],
    ['git parallel completion ', ['bash', 'zsh']],
    ['git parallel compare --check ', []],
    ['git-parallel pi', ['pick']],
    ['git-parallel diff ', ['fix-a', 'fix-b']],
  ])('%j offers %j', (line, words) => {
    expect(complete(line).sort()).toEqual(words);
  });

  it('git -C <dir> parallel completes the runs of that repository; outside one there are none', () => {
    expect(complete(`git -C ${repo.root} parallel rm `, repo.parent).sort()).toEqual(['fix-a', 'fix-b']);
    expect(complete('git parallel rm ', repo.parent)).toEqual([]);
  });

  /** zsh: what `_git-parallel` offers, with compadd standing in for the completion system's. */
  function completeZsh(words: string[]): string[] {
    const script = path.join(repo.parent, 'complete.zsh');
    writeFileSync(
      script,
      [
        `autoload -Uz compinit && compinit -u -d ${path.join(repo.parent, 'zcompdump')}`,
        'eval "$(git parallel completion zsh)"',
        'compadd() { [[ $1 == -a ]] && print -rl -- "${(@P)2}" }',
        'words=("$@"); CURRENT=$#',
        '_git-parallel',
        'zstyle -a \':completion:*:*:git:*\' user-commands uc; print -r -- "user-commands: $uc"',
        'print -r -- "git-parallel: ${_comps[git-parallel]}"',
      ].join('\n'),
    );
    const result = spawnSync('zsh', ['-f', script, ...words], {
      cwd: repo.root,
      env: { ...process.env, ...tmux.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(result.error, 'zsh is needed for the zsh completion test (apt-get install zsh)').toBeUndefined();
    expect(result.stderr).toBe('');
    return result.stdout.split('\n').filter(Boolean);
  }

  it('zsh: _git-parallel offers commands and task names, and git <TAB> offers parallel', () => {
    const tail = [
      'user-commands: parallel:run N coding agents on one prompt, keep the best',
      'git-parallel: _git-parallel',
    ];
    expect(completeZsh(['parallel', 'status', ''])).toEqual(['fix-a', 'fix-b', ...tail]);
    expect(completeZsh(['parallel', 'co'])).toEqual(['compare', 'completion', ...tail]);
    expect(completeZsh(['git-parallel', 'rm', 'fix-b', ''])).toEqual(['fix-a', ...tail]);
  });

  it('the hidden word list answers from the command definitions', async () => {
    const words = await runCli(['__complete', '--', 'pick', '--'], { cwd: repo.root, env: tmux.env });
    expect(words.code).toBe(0);
    expect(words.stdout.split('\n')).toEqual(
      expect.arrayContaining(['--merge', '--squash', '--rebase', '--message', '--dry-run', '--json']),
    );
  });
});
