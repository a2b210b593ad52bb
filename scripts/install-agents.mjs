#!/usr/bin/env node
// Installs the agent CLIs that test/real-agents runs, at pinned versions, into a cache folder outside
// the project's dependencies: ${GIT_PARALLEL_AGENTS_DIR:-${XDG_CACHE_HOME:-~/.cache}/git-parallel-ci/agents}.
// One sub-folder per set of versions, reused between runs: a second call with the same pins installs
// nothing. Prints the folder that holds the agents' executables (node_modules/.bin) on stdout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The versions the real-agent suite is written against (issue 9). Change them deliberately. */
export const AGENT_PACKAGES = {
  '@anthropic-ai/claude-code': '2.1.197',
  '@openai/codex': '0.171.0',
  '@google/gemini-cli': '0.61.0',
  'opencode-ai': '1.18.33',
  '@github/copilot': '1.0.102',
};

const cacheRoot =
  process.env.GIT_PARALLEL_AGENTS_DIR ||
  path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'git-parallel-ci', 'agents');
const pins = Object.entries(AGENT_PACKAGES).map(([name, version]) => `${name}@${version}`);
const key = pins.join(' ');
const folder = path.join(cacheRoot, key.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-/, ''));
const marker = path.join(folder, 'installed.txt');

if (!existsSync(marker) || readFileSync(marker, 'utf8').trim() !== key) {
  // Install into a fresh folder beside the final one, then rename: a broken install never looks done.
  const staging = `${folder}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(path.join(staging, 'package.json'), '{ "private": true }\n');
  process.stderr.write(`install-agents: installing ${key} into ${folder}\n`);
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', '--prefix', staging, ...pins],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(path.join(staging, 'installed.txt'), `${key}\n`);
  rmSync(folder, { recursive: true, force: true });
  renameSync(staging, folder);
}
process.stdout.write(`${path.join(folder, 'node_modules', '.bin')}\n`);
