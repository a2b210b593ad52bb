import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldersUpTo, loadConfig, userConfigDir } from '../../src/config/load.js';
import { checkConfig } from '../../src/config/schema.js';

const portCase = (name: string, message: string): [unknown, string, string] => [
  { ports: { [name]: 8000 } },
  `ports.${name}`,
  message,
];

describe('checkConfig', () => {
  it('accepts a full, valid config', () => {
    expect(
      checkConfig({
        agent: 'codex',
        lineup: 'claude:2,codex:1',
        agents: { mine: { command: 'x', prompt: { flag: '-i' }, yolo: ['-y'], env: { A: 'b' } } },
        ports: { PORT: 3000, API_PORT: 8000, VITE_PORT: 5173, PORT_ADMIN: 9000, PGPORT: 5432 },
        portSpan: 500,
        mux: 'none',
        hooks: { postCreate: 'echo hi', preRemove: ['a', 'b'] },
        database: { postgres: { url: 'postgres://x/y', env: 'DATABASE_URL' } },
      }),
    ).toEqual([]);
  });
  it.each<[unknown, string, string]>([
    [{ agnet: 'x' }, 'agnet', 'is not a known setting (did you mean "agent"?)'],
    [{ ports: { PORT: 70000 } }, 'ports.PORT', 'must be a port number (1-65535), got 70000'],
    [{ ports: { 'bad-name': 1 } }, 'ports.bad-name', 'is not a valid environment variable name'],
    // Issue 13 item 1: a port variable is exported to every agent; names a shell, loader or git reads are refused.
    ...['BASH_ENV', 'ENV', 'PATH', 'NODE_OPTIONS', 'LD_PRELOAD', 'GIT_CONFIG_GLOBAL', 'PROMPT_COMMAND'].map(
      (name) =>
        portCase(
          name,
          'is not a port variable name: use upper case letters, digits and _, containing PORT (e.g. PORT, API_PORT)',
        ),
    ),
    ...['GIT_PORT', 'LD_PORT', 'DYLD_PORT', 'NODE_PORT', 'BASH_PORT'].map((name) =>
      portCase(
        name,
        `starts with ${name.split('_')[0]}_, which shells, loaders, git, Node or npm read; pick another name (e.g. APP_${name})`,
      ),
    ),
    [
      { database: { postgres: { url: 'postgres://x/y', env: 'BASH_ENV' } } },
      'database.postgres.env',
      'is a variable that shells, loaders, git, Node or npm read; pick another name (e.g. DATABASE_URL)',
    ],
    [
      { database: { postgres: { url: 'postgres://x/y', env: 'PATH' } } },
      'database.postgres.env',
      'is a variable that shells, loaders, git, Node or npm read; pick another name (e.g. DATABASE_URL)',
    ],
    [{ lineup: 0 }, 'lineup', 'must be a count (e.g. 3) or a line-up string such as "claude:2,codex:1"'],
    [{ agents: { x: { args: [] } } }, 'agents.x.command', 'is required'],
    [
      { agents: { x: { command: 'x', prompt: 'shout' } } },
      'agents.x.prompt',
      'must be "positional", "none", "stdin" or { "flag": "-x" }',
    ],
    [{ agents: { x: { command: 'x', colour: 1 } } }, 'agents.x.colour', 'is not a known setting'],
    [
      { agents: { x: { command: 'x', oneShot: ['-p'] } } },
      'agents.x.oneShot',
      'must be an object such as { "args": ["-p"], "prompt": "stdin" }',
    ],
    [
      { agents: { x: { command: 'x', oneShot: { args: ['-p'] } } } },
      'agents.x.oneShot.prompt',
      'is required',
    ],
    [
      { agents: { x: { command: 'x', oneShot: { args: '-p', prompt: 'stdin' } } } },
      'agents.x.oneShot.args',
      'must be an array of strings, got string',
    ],
    [
      { agents: { x: { command: 'x', oneShot: { args: [], prompt: 'stdin', model: 'm' } } } },
      'agents.x.oneShot.model',
      'is not a known setting',
    ],
    [{ mux: 'screen' }, 'mux', 'must be "auto", "tmux", "zellij" or "none", got "screen"'],
    [{ portSpan: 1 }, 'portSpan', 'must be a whole number from 2 to 10000, got 1'],
    [{ database: { mysql: {} } }, 'database.mysql', 'is not a known setting'],
    [[], '(top level)', 'must be an object, got an array'],
  ])('%j → %s %s', (config, key, message) => {
    expect(checkConfig(config)).toContainEqual({ key, message });
  });

  it('accepts a one-shot mode for review', () => {
    expect(
      checkConfig({ agents: { x: { command: 'x', oneShot: { args: ['-p'], prompt: { flag: '--ask' } } } } }),
    ).toEqual([]);
  });
});

describe('loadConfig', () => {
  const setup = () => {
    const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'gp-config-')));
    const repo = path.join(root, 'repo');
    const xdg = path.join(root, 'xdg');
    mkdirSync(path.join(repo, 'sub', 'deeper'), { recursive: true });
    mkdirSync(path.join(xdg, 'git-parallel'), { recursive: true });
    return { repo, env: { XDG_CONFIG_HOME: xdg, HOME: root }, xdg };
  };

  it('merges defaults < user < repository; agents merge by name', async () => {
    const { repo, env, xdg } = setup();
    writeFileSync(
      path.join(xdg, 'git-parallel', 'config.yaml'),
      'agent: codex\nlineup: 5\nagents:\n  mine:\n    command: my-agent\n',
    );
    writeFileSync(
      path.join(repo, '.git-parallelrc.json'),
      JSON.stringify({ lineup: 2, agents: { theirs: { command: 'their-agent' } } }),
    );
    const loaded = await loadConfig(path.join(repo, 'sub', 'deeper'), repo, env);
    expect(loaded.config.agent).toBe('codex');
    expect(loaded.config.lineup).toBe(2);
    expect(loaded.config.portSpan).toBe(1000);
    expect(Object.keys(loaded.config.agents)).toEqual(['mine', 'theirs']);
    expect(loaded.sources.map((s) => s.scope)).toEqual(['user', 'repository']);
    expect(loaded.repositoryAgents).toEqual(['theirs']);
  });

  it("lets a repository turn the sandbox on, never off when the user's config turns it on", async () => {
    const { repo, env, xdg } = setup();
    writeFileSync(path.join(repo, '.git-parallelrc.json'), JSON.stringify({ sandbox: false }));
    expect((await loadConfig(repo, repo, env)).config.sandbox).toBe(false);
    writeFileSync(path.join(xdg, 'git-parallel', 'config.json'), JSON.stringify({ sandbox: true }));
    expect((await loadConfig(repo, repo, env)).config.sandbox).toBe(true);
    writeFileSync(path.join(xdg, 'git-parallel', 'config.json'), JSON.stringify({}));
    writeFileSync(path.join(repo, '.git-parallelrc.json'), JSON.stringify({ sandbox: true }));
    expect((await loadConfig(repo, repo, env)).config.sandbox).toBe(true);
  });

  it('finds the nearest repository config, and a package.json key', async () => {
    const { repo, env } = setup();
    writeFileSync(
      path.join(repo, 'package.json'),
      JSON.stringify({ name: 'x', 'git-parallel': { lineup: 4 } }),
    );
    writeFileSync(path.join(repo, 'sub', 'git-parallel.config.json'), JSON.stringify({ lineup: 6 }));
    expect((await loadConfig(path.join(repo, 'sub', 'deeper'), repo, env)).config.lineup).toBe(6);
    expect((await loadConfig(repo, repo, env)).config.lineup).toBe(4);
  });

  it('reports an unknown key with the file, never silently ignores it', async () => {
    const { repo, env } = setup();
    const file = path.join(repo, '.git-parallelrc.yaml');
    writeFileSync(file, 'lineup: 2\nworktreedir: x\n');
    await expect(loadConfig(repo, repo, env)).rejects.toThrow(
      `${file}: worktreedir is not a known setting (did you mean "worktreeDir"?)`,
    );
  });

  it('userConfigDir honours XDG_CONFIG_HOME, else ~/.config', () => {
    expect(userConfigDir({ XDG_CONFIG_HOME: '/x' })).toBe('/x/git-parallel');
    expect(userConfigDir({ HOME: '/home/u' })).toBe('/home/u/.config/git-parallel');
  });

  it('foldersUpTo stops at the root, and at the start when outside it', () => {
    expect(foldersUpTo('/r/a/b', '/r')).toEqual(['/r/a/b', '/r/a', '/r']);
    expect(foldersUpTo('/elsewhere', '/r')).toEqual(['/elsewhere']);
  });
});
