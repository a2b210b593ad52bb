import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/stand-in-agent.js';
import { CALLER_PROBE, useAgentWorld } from './world.js';

/** Mixed line-ups, prompts that look like options or subcommands, API errors and first-run dialogs. */
describe('real agents together', () => {
  const world = useAgentWorld();

  it('a mixed line-up of all five, the prompt a subcommand name of each: every agent runs a turn with it, in its own worktree and PORT', async () => {
    world.server.setToolCallDelay(0);
    const created = await world.cli([
      'm',
      '--agents',
      'claude:1,codex:1,gemini:1,opencode:1,copilot:1',
      '--prompt=mcp',
      '--no-attach',
    ]);
    expect(created.code, created.stderr).toBe(0);
    // The caller's variables are kept for the launcher in a file only the user can read.
    const envFile = path.join(world.repo.root, '.git', 'parallel', 'm', 'caller-env.json');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(envFile, 'utf8')).GP_PROBE).toBe(CALLER_PROBE);

    await world.waitForAll('m', 'waiting');
    expect(world.server.prompts).toEqual(['mcp', 'mcp', 'mcp', 'mcp', 'mcp']);
    await Promise.all([1, 2, 3, 4, 5].map((n) => world.approve('m', n)));
    await world.waitForAll('m', 'done');
    const ports = new Set<string>();
    for (const n of [1, 2, 3, 4, 5]) {
      const probe = world.probe('m', n)!;
      expect(probe.WORKTREE).toBe(world.worktree('m', n));
      expect(probe.PWD).toBe(world.worktree('m', n));
      expect(probe.PORT).toBe(String(world.manifest('m').candidates[n - 1]!.ports.PORT));
      ports.add(probe.PORT!);
    }
    expect(ports.size).toBe(5);
    expect((await world.cli(['rm', 'm', '--force'])).code).toBe(0);
    await waitFor(() => (world.processesInside().length === 0 ? true : undefined), 'no agent left', 20_000);
  });

  it('claude: one-word prompts its argv would misread reach it exactly; --yolo as root is refused before anything is created', async () => {
    // Given as an argument, Claude drops the prompt `code` and exits on `updte` ("Did you mean claude
    // update?"): on its stdin both are the first message, as typed.
    for (const [task, prompt] of [
      ['c', 'code'],
      ['u', 'updte'],
    ] as const) {
      const created = await world.cli([
        task,
        '--agents',
        '1',
        '--agent',
        'claude',
        `--prompt=${prompt}`,
        '--no-attach',
      ]);
      expect(created.code, created.stderr).toBe(0);
      await world.waitForAll(task, 'waiting');
      expect(world.server.prompts.at(-1)).toBe(prompt);
      expect((await world.cli(['rm', task, '--force'])).code).toBe(0);
    }
    expect(world.server.prompts).toEqual(['code', 'updte']);
    if (process.getuid?.() === 0) {
      const yolo = await world.cli([
        'y',
        '--agents',
        '1',
        '--agent',
        'claude',
        '--yolo',
        '-p',
        'go',
        '--no-attach',
      ]);
      expect(yolo.code).toBe(2);
      expect(yolo.stderr.trim()).toBe(
        'git parallel: claude refuses its skip-permission flag (--dangerously-skip-permissions) as root: run without --yolo, or with --sandbox',
      );
      expect(world.repo.git('branch', '--list', 'y-*')).toBe('');
      expect(existsSync(path.join(world.repo.parent, 'app-worktrees', 'y-1'))).toBe(false);
      expect(existsSync(path.join(world.repo.root, '.git', 'parallel', 'y'))).toBe(false);
    }
  });

  it('claude: a turn that ends in an API error is failed (StopFailure); its folder-trust dialog is waiting', async () => {
    world.server.failNext(1);
    const created = await world.cli(['e', '--agents', '1', '--agent', 'claude', '-p', 'go', '--no-attach']);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('e', 'failed');
    const [failed] = await world.states('e');
    expect(failed!.reason).toMatch(/^its turn ended in an/);
    expect(failed!.reason).not.toMatch(/exited/);

    // A user who never answered Claude's trust question for this repository.
    const state = path.join(world.home, '.claude.json');
    const settings = JSON.parse(readFileSync(state, 'utf8'));
    settings.projects = {};
    writeFileSync(state, JSON.stringify(settings));
    expect(
      (await world.cli(['d', '--agents', '1', '--agent', 'claude', '-p', 'go', '--no-attach'])).code,
    ).toBe(0);
    await world.waitForAll('d', 'waiting');
    expect((await world.states('d'))[0]!.reason).toBe('trust dialog: Claude Code asks to trust this folder');
    const refused = await world.cli(['send', 'd', 'hello']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'not sent: d-1 (Claude Code asks to trust this folder) waits for an answer',
    );
    const forced = await world.cli(['send', 'd', '--force', 'hello']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('Sent to d-1.');
  });

  it('gemini: its sign-in screen drops the prompt; status says waiting: login and how to send it again, which delivers it', async () => {
    // A user who never chose how Gemini signs in (GEMINI_API_KEY is set, as it often is).
    writeFileSync(path.join(world.home, '.gemini', 'settings.json'), '{}');
    const prompt = `--fix the "login" test\nin $HOME`;
    const created = await world.cli([
      'g',
      '--agents',
      '1',
      '--agent',
      'gemini',
      `--prompt=${prompt}`,
      '--no-attach',
    ]);
    expect(created.code, created.stderr).toBe(0);
    await world.waitForAll('g', 'waiting');
    const resend = 'git parallel send g 1 --prompt';
    expect((await world.states('g'))[0]!.reason).toBe(
      `login: Gemini CLI asks how to sign in (it drops the prompt there: once signed in, ${resend})`,
    );
    expect((await world.cli(['send', 'g', '--prompt'])).code).toBe(2);
    // "Use Gemini API Key" is chosen (Enter): Gemini submits the prompt at once, before it has signed in,
    // and the turn fails without reaching the model. Its key screen, the key filled in from GEMINI_API_KEY:
    world.tmux.tmux('send-keys', '-t', world.paneId('g', 1), 'Enter');
    await waitFor(
      async () => ((await world.states('g'))[0]!.reason.includes('asks for its API key') ? true : undefined),
      'the API key screen',
      60_000,
    );
    expect((await world.states('g'))[0]!.reason).toBe(
      `login: Gemini CLI asks for its API key (it drops the prompt there: once signed in, ${resend})`,
    );
    world.tmux.tmux('send-keys', '-t', world.paneId('g', 1), 'Enter');
    await waitFor(
      async () => ((await world.states('g'))[0]!.state !== 'waiting' ? true : undefined),
      'signed in',
      60_000,
    );
    expect(world.server.prompts).toEqual([]);

    const sent = await world.cli(['send', 'g', '1', '--prompt']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain('Sent to g-1.');
    await world.waitForAll('g', 'waiting');
    expect(world.server.prompts).toEqual([prompt]);
    world.tmux.tmux('send-keys', '-t', world.paneId('g', 1), 'Enter');
    await world.waitForAll('g', 'done');
    expect(world.probe('g', 1)?.PORT).toBe(String(world.manifest('g').candidates[0]!.ports.PORT));
  });
});
