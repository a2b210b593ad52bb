import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A recording stand-in for GitHub's `gh`: a small executable named `gh` in a folder of its own (put it
 * first on PATH) that appends every call (argv, cwd, stdin) to calls.jsonl and answers as gh would:
 * `auth status` exits 0, or 1 with "You are not logged into any GitHub hosts" when GH_STANDIN_LOGGED_OUT=1;
 * `issue view <n> --json …` prints the issue given to `issue()` (exit 1 "Could not resolve" for any other
 * number); `pr create` prints a pull request URL. Nothing talks to GitHub.
 */
export interface StandInGh {
  /** The folder holding `gh` (prepend it to PATH). */
  binDir: string;
  /** A PATH of this folder and git alone: what a machine with gh (and nothing else) installed has. */
  path: string;
  /** A PATH with git but no gh at all. */
  pathWithoutGh: string;
  issue(number: number, value: { title: string; body: string; comments?: unknown[]; url?: string }): void;
  calls(): GhCall[];
}

export interface GhCall {
  argv: string[];
  cwd: string;
  stdin: string;
}

const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const dir = path.dirname(process.argv[1]);
const argv = process.argv.slice(2);
let stdin = '';
if (argv[0] === 'pr' && argv[1] === 'create') stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync(path.join(dir, '..', 'calls.jsonl'), JSON.stringify({ argv, cwd: process.cwd(), stdin }) + '\n');
if (argv[0] === 'auth' && argv[1] === 'status') {
  if (process.env.GH_STANDIN_LOGGED_OUT === '1') {
    process.stderr.write('You are not logged into any GitHub hosts. To log in, run: gh auth login\n');
    process.exit(1);
  }
  process.stdout.write('github.com\n  ✓ Logged in to github.com account tester (keyring)\n');
  process.exit(0);
}
if (argv[0] === 'issue' && argv[1] === 'view') {
  const file = path.join(dir, '..', 'issue-' + argv[2].replace(/.*\//, '') + '.json');
  if (!fs.existsSync(file)) {
    process.stderr.write("GraphQL: Could not resolve to an issue or pull request with the number of " + argv[2] + ". (repository.issue)\n");
    process.exit(1);
  }
  process.stdout.write(fs.readFileSync(file, 'utf8'));
  process.exit(0);
}
if (argv[0] === 'pr' && argv[1] === 'create') {
  process.stdout.write('https://github.com/owner/app/pull/12\n');
  process.exit(0);
}
process.stderr.write('stand-in gh: unexpected command ' + argv.join(' ') + '\n');
process.exit(64);
`;

export function makeStandInGh(dir: string): StandInGh {
  const root = path.join(dir, 'gh-stand-in');
  const binDir = path.join(root, 'bin');
  const gitOnly = path.join(root, 'git-only');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(gitOnly, { recursive: true });
  const gh = path.join(binDir, 'gh');
  writeFileSync(gh, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(gh, 0o755);
  // git, a shell for git's own hooks and tmux, without anything else of the system's PATH, so no real gh is found.
  for (const program of ['git', 'sh', 'tmux']) {
    const found = ['/usr/bin', '/bin', '/usr/local/bin']
      .map((d) => path.join(d, program))
      .find((file) => existsSync(file));
    if (found) symlinkSync(found, path.join(gitOnly, program));
  }
  const callsFile = path.join(root, 'calls.jsonl');
  return {
    binDir,
    path: `${binDir}${path.delimiter}${gitOnly}`,
    pathWithoutGh: gitOnly,
    issue: (number, value) =>
      writeFileSync(path.join(root, `issue-${number}.json`), JSON.stringify({ comments: [], ...value })),
    calls: () =>
      existsSync(callsFile)
        ? readFileSync(callsFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as GhCall)
        : [],
  };
}
