import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

/** Issue 11 item 9: config files are found where cosmiconfig tools look, and their errors say where. */
describe('config files', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = makeRepo();
  });
  afterEach(() => repo.cleanup());

  // A private XDG folder: the developer's own config never takes part.
  const env = () => ({ XDG_CONFIG_HOME: path.join(repo.parent, 'xdg') });
  /** The line-up a run would have: the plan of `--dry-run --json`, which reads every config. */
  async function plannedAgents(): Promise<string[]> {
    const result = await runCli(['t', '--dry-run', '--json', '--mux', 'none'], {
      cwd: repo.root,
      env: env(),
    });
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout).plan.candidates.map((c: { agent: string }) => c.agent);
  }
  const agents = { sh: { command: '/bin/sh' }, other: { command: '/bin/sh' } };
  const write = (file: string, content: string) => {
    mkdirSync(path.dirname(path.join(repo.root, file)), { recursive: true });
    writeFileSync(path.join(repo.root, file), content);
  };

  it('a broken JSON config: one line with the file, line, column and what is wrong', async () => {
    write('.git-parallelrc.json', '{\n  "agent": "claude",\n  "lineup": 2,,\n}\n');
    const result = await runCli(['status'], { cwd: repo.root, env: env() });
    expect(result.code).toBe(2);
    const file = path.join(repo.root, '.git-parallelrc.json');
    expect(result.stderr).toMatch(
      new RegExp(
        `^git parallel: could not read config ${file}:3:15: not valid JSON: [A-Z][^\\n]+ \\(at: "lineup": 2,,\\)\\n$`,
      ),
    );
  });

  it('a YAML error keeps its detail, not only "YAML Error in"', async () => {
    write('.git-parallelrc.yaml', 'lineup: 2\n  agent: [x\n');
    const result = await runCli(['status'], { cwd: repo.root, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/\.git-parallelrc\.yaml: .*\(\d+:\d+\)/);
  });

  it('an unknown agent in "lineup" or "agent" names the file and the key', async () => {
    const file = path.join(repo.root, '.git-parallelrc.json');
    writeFileSync(file, JSON.stringify({ lineup: 'two' }));
    const lineup = await runCli(['t', '--dry-run'], { cwd: repo.root, env: env() });
    expect(lineup.code).toBe(2);
    expect(lineup.stderr).toMatch(
      new RegExp(`^git parallel: ${file}: "lineup": unknown agent "two"; known agents: .*claude`),
    );
    writeFileSync(file, JSON.stringify({ agent: 'nope', lineup: 2 }));
    const agent = await runCli(['t', '--dry-run'], { cwd: repo.root, env: env() });
    expect(agent.stderr).toMatch(new RegExp(`^git parallel: ${file}: "agent": unknown agent "nope"`));
  });

  it('git-parallel.config.ts loads with no typescript involved, types and all, and leaves no file behind', async () => {
    write(
      'git-parallel.config.ts',
      `interface Agent { command: string }\nconst sh: Agent = { command: '/bin/sh' };\nconst lineup = 'sh:2,other:1' as string;\nexport default { agent: 'sh', lineup, agents: { sh, other: sh } satisfies Record<string, Agent> };\n`,
    );
    expect(await plannedAgents()).toEqual(['sh', 'sh', 'other']);
    expect(readdirSync(repo.root).sort()).toEqual(['.git', 'README.md', 'git-parallel.config.ts']);
    write('git-parallel.config.ts', 'export default { lineup: 2 as };\n');
    const broken = await runCli(['status'], { cwd: repo.root, env: env() });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      `could not read config ${path.join(repo.root, 'git-parallel.config.ts')}: `,
    );
  });

  it.each([
    [
      '.git-parallelrc.cjs',
      `module.exports = { agent: 'sh', lineup: 2, agents: ${JSON.stringify(agents)} };\n`,
    ],
    [
      'git-parallel.config.cjs',
      `module.exports = { agent: 'sh', lineup: 2, agents: ${JSON.stringify(agents)} };\n`,
    ],
    ['.config/git-parallelrc.json', JSON.stringify({ agent: 'sh', lineup: 2, agents })],
    ['.config/git-parallelrc.yaml', 'agent: sh\nlineup: 2\nagents:\n  sh:\n    command: /bin/sh\n'],
  ])('%s is found, as in other cosmiconfig tools', async (file, content) => {
    write(file, content);
    expect(await plannedAgents()).toEqual(['sh', 'sh']);
  });

  it('two config files side by side: the first is used and the other named in a warning', async () => {
    write('.git-parallelrc.json', JSON.stringify({ agent: 'sh', lineup: 1, agents }));
    write('git-parallel.config.mjs', 'export default { lineup: 5 };\n');
    // The shell preset: the run's agent must be on PATH for --dry-run too, and claude need not be.
    write('package.json', JSON.stringify({ name: 'x', 'git-parallel': { agent: 'shell', lineup: 4 } }));
    const result = await runCli(['t', '--dry-run', '--mux', 'none'], { cwd: repo.root, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `warning: ${repo.root} has more than one git-parallel config file: using package.json, ignoring .git-parallelrc.json, git-parallel.config.mjs`,
    );
    // A package.json without a "git-parallel" key is no config file: no warning for it.
    write('package.json', JSON.stringify({ name: 'x' }));
    write('git-parallel.config.mjs', '');
    const single = await runCli(['status'], { cwd: repo.root, env: env() });
    expect(single.stderr).toContain('ignoring git-parallel.config.mjs');
    expect(single.stderr).not.toContain('package.json');
  });
});
