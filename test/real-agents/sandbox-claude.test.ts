import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { agentsBin } from './world.js';

/**
 * Issue 17 with the real Claude Code (installed by scripts/install-agents.mjs): as root, its
 * skip-permission flag works only in a sandbox, where the launcher sets IS_SANDBOX=1 (inside only).
 */
describe('--sandbox --yolo with the real Claude Code', () => {
  let repo: TestRepo;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    repo = makeRepo('app');
    const home = path.join(repo.parent, 'home');
    mkdirSync(home, { recursive: true });
    env = { HOME: home, GIT_PARALLEL_TRUST: '1', TMUX: '', ZELLIJ: '', IS_SANDBOX: '' };
  });
  afterEach(() => repo.cleanup());

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runCli(args, { cwd: repo.root, env: { ...env, ...extra } });

  it('real Claude Code with --sandbox --yolo gets past its root check (IS_SANDBOX=1 inside only) and calls its API', async () => {
    // A model API stand-in that refuses every request at once: reaching it proves Claude started its turn.
    const hits: string[] = [];
    const server = createServer((request, response) => {
      hits.push(`${request.method} ${request.url}`);
      request.resume();
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'invalid_request_error', message: 'stand-in says no' },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      writeFileSync(
        path.join(repo.root, '.git-parallelrc.json'),
        JSON.stringify({
          agent: 'claude-print',
          agents: {
            'claude-print': {
              command: path.join(agentsBin(), 'claude'),
              args: ['-p'],
              yolo: ['--dangerously-skip-permissions'],
            },
          },
        }),
      );
      repo.commit('claude');
      const api = { ANTHROPIC_API_KEY: 'sk-stand-in', ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` };
      const made = await cli(['t', '-n', '1', '--mux', 'none', '--sandbox', '--yolo', '-p', 'hi']);
      expect(made.code, made.stderr).toBe(0);
      const sandboxed = await cli(['launch', 't', '1'], api);
      expect(sandboxed.stdout + sandboxed.stderr).not.toContain('root/sudo');
      expect(sandboxed.stdout + sandboxed.stderr).toContain('API Error: 400 stand-in says no');
      expect(hits.some((h) => h.startsWith('POST /v1/messages'))).toBe(true);
      if (process.getuid?.() === 0) {
        // Without the sandbox, Claude would refuse as root in every pane: git parallel refuses up front,
        // before anything is created, and says to use --sandbox (issue 9).
        const bare = await cli(['u', '-n', '1', '--mux', 'none', '--yolo', '-p', 'hi']);
        expect(bare.code).toBe(2);
        expect(bare.stderr).toBe(
          'git parallel: claude-print refuses its skip-permission flag (--dangerously-skip-permissions) as root: run without --yolo, or with --sandbox\n',
        );
        expect(existsSync(path.join(repo.root, '.git/parallel/u'))).toBe(false);
      }
    } finally {
      server.close();
    }
  }, 60_000);
});
