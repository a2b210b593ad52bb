import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { waitFor } from '../helpers/stand-in-agent.js';
import { type PrivateTmux, privateTmux } from '../helpers/tmux.js';

/** Issue 11 item 7: states and check results in colour on a terminal, by the FORCE_COLOR/NO_COLOR rules. */
describe('colour', () => {
  let repo: TestRepo;
  let tmux: PrivateTmux;
  beforeEach(async () => {
    repo = makeRepo();
    tmux = privateTmux();
    writeFileSync(
      path.join(repo.root, '.git-parallelrc.json'),
      JSON.stringify({ agent: 'sh', agents: { sh: { command: '/bin/sh' } } }),
    );
    repo.commit('config');
    expect((await runCli(['t', '-n', '2', '--mux', 'none'], { cwd: repo.root })).code).toBe(0);
  });
  afterEach(() => {
    tmux.kill();
    repo.cleanup();
  });

  it('FORCE_COLOR colours a pipe; NO_COLOR=1 and a pipe do not', async () => {
    const forced = await runCli(['status', 't'], { cwd: repo.root, env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\x1b[2mstarting\x1b[22m');
    const compared = await runCli(['compare', 't', '--check', 'true'], {
      cwd: repo.root,
      env: { FORCE_COLOR: '1' },
    });
    expect(compared.stdout).toMatch(/\x1b\[32mpass · [\d.]+s\x1b\[39m/);
    const plain = await runCli(['status', 't'], { cwd: repo.root });
    expect(plain.stdout).toContain('starting');
    expect(plain.stdout).not.toContain('\x1b[');
  });

  it('on a terminal, an empty NO_COLOR= keeps colour and NO_COLOR=1 removes it', async () => {
    const show = (noColor: string) => {
      const name = `c${noColor.length}`;
      tmux.tmux(
        'new-session',
        '-d',
        '-s',
        name,
        '-x',
        '200',
        '-y',
        '20',
        '-c',
        repo.root,
        '-e',
        `NO_COLOR=${noColor}`,
        '-e',
        'FORCE_COLOR=',
        `env -u FORCE_COLOR ${process.execPath} ${BIN} status t; sleep 30`,
      );
      return waitFor(() => {
        const screen = tmux.tmux('capture-pane', '-p', '-e', '-t', `=${name}:`);
        return screen.includes('t-2') ? screen : undefined;
      }, 'the status table');
    };
    expect(await show('')).toMatch(/\x1b\[2mstarting/);
    expect(await show('1')).not.toMatch(/\x1b\[2mstarting/);
  });
});
