import type { Argv } from 'yargs';

/**
 * A few typical uses of each command, shown under "Examples:" in its --help. Kept as data, in one place,
 * so every command has some and other renderings of the help (man pages) can show the same ones.
 * `$0` is `git parallel`.
 */
export const EXAMPLES: Record<string, [command: string, what: string][]> = {
  run: [
    ['$0 add-auth -p "Add password login"', 'three claude agents (the default) on one prompt'],
    ['$0 add-auth -n claude:2,codex:1 -f spec.md', 'a mixed line-up, the prompt read from a file'],
    ['$0 add-auth -n 2 --base main --no-attach', 'from main, without going to the session'],
    ['$0 add-auth -n 3 --dry-run', 'print the worktrees, branches, ports and commands; create nothing'],
    ['$0 --issue 7', 'the prompt is GitHub issue 7 (read with gh); the run is named issue-7'],
  ],
  attach: [
    ['$0 attach add-auth', "go to the run's session (recreated if it is gone)"],
    ['$0 attach add-auth --restart', 'recreate it and start the agents that had exited again'],
  ],
  list: [
    ['$0 list', 'one line per run'],
    ['$0 list --json', 'the same as one JSON document'],
  ],
  status: [
    ['$0 status', 'a summary of every run'],
    ['$0 status add-auth', 'every candidate of one run: state, time, commits, files, ports'],
    ['$0 status add-auth --watch', 'keep watching until every agent has finished'],
  ],
  send: [
    ['$0 send add-auth "also add a test"', 'type the text into every agent and press Enter'],
    ['$0 send add-auth 1 3 "use bcrypt"', 'only into candidates 1 and 3'],
    ['$0 send add-auth 2 --prompt', "candidate 2 gets the run's prompt again (Gemini drops it at sign-in)"],
  ],
  ports: [
    ['$0 ports', "every live run's ports"],
    ['$0 ports add-auth --json', "one run's ports as JSON"],
  ],
  compare: [
    ['$0 compare add-auth', 'changes, overlap and similarity of the candidates'],
    ['$0 compare add-auth --check "npm test"', "and the project's tests, run in every worktree at once"],
    ['$0 compare add-auth --html report.html', 'the same as one self-contained web page'],
  ],
  diff: [
    ['$0 diff add-auth 2', "candidate 2's whole change against the base"],
    ['$0 diff add-auth 2 3', 'candidate 2 against candidate 3'],
    ['$0 diff add-auth 2 -- --stat', 'options after -- go to git diff'],
  ],
  review: [
    ['$0 review add-auth', 'one fresh agent judges the candidates blind and recommends one'],
    ['$0 review add-auth --agent codex --agent gemini', 'two reviewers, combined by Borda count'],
    ['$0 review add-auth --criteria "no new dependencies"', 'with your own criteria'],
  ],
  pick: [
    ['$0 pick add-auth 2', 'merge candidate 2 into the base branch, archive the others, clean up'],
    ['$0 pick add-auth 2 --squash -m "Add password login"', 'as one commit with this message'],
    ['$0 pick add-auth 2 --keep --dry-run', 'say what would happen; keep the run'],
    ['$0 pick add-auth 2 --pr --draft', 'push candidate 2 and open a draft pull request with gh'],
  ],
  synthesize: [
    ['$0 synthesize add-auth', 'one more candidate that combines every candidate (and the review)'],
    ['$0 synthesize add-auth --from 1,3 --agent codex', 'combining candidates 1 and 3, written by codex'],
  ],
  rm: [
    ['$0 rm add-auth', 'remove the run (refused while a candidate holds work)'],
    ['$0 rm add-auth --archive', "first keep every candidate's work under refs/git-parallel/add-auth/"],
    ['$0 rm add-auth --keep-branches', 'remove the worktrees and session, keep the branches'],
  ],
  prune: [
    ['$0 prune --archives --older-than 30d --dry-run', 'which archives are older than 30 days'],
    ['$0 prune --archives --older-than 30d', 'drop them'],
    ['$0 prune --runs', 'remove damaged runs and worktrees whose run is gone'],
  ],
  init: [
    ['$0 init --dry-run', 'print a starter config for this project'],
    ['$0 init --format yaml', 'write it as .git-parallelrc.yaml'],
  ],
  trust: [
    ['$0 trust', "show the commands this repository's config would run, and approve them"],
    ['$0 trust --revoke', "forget this repository's approval"],
  ],
  doctor: [
    ['$0 doctor', 'git, tmux, zellij and every agent: found, version, what to do'],
    ['$0 doctor --json', 'the same as JSON'],
  ],
  demo: [
    ['$0 demo', 'the whole flow in a throwaway repository, no AI needed'],
    ['$0 demo --no-attach', 'without going to the session; it prints what to try next'],
    ['$0 demo --clean', 'remove the demo'],
  ],
};

export function withExamples<T>(yargs: Argv<T>, command: keyof typeof EXAMPLES): Argv<T> {
  for (const [example, what] of EXAMPLES[command] ?? []) yargs.example(example, what);
  return yargs;
}

/**
 * Hides yargs' `[array] [required] [default: []]` and the like in one command's help: yargs adds them to
 * every variadic positional (`<tasks..>`), where they say nothing the usage line does not. The options'
 * descriptions say the rest. (`usageConfiguration` is yargs 18 API that @types/yargs 17 lacks.)
 */
export function withPlainHelp<T>(yargs: Argv<T>): Argv<T> {
  const withConfig = yargs as Argv<T> & { usageConfiguration(config: { 'hide-types': boolean }): Argv<T> };
  return withConfig.usageConfiguration({ 'hide-types': true });
}
