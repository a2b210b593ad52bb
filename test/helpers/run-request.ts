import type { RunRequest } from '../../src/core/plan.js';

/** The repository and run request the planning tables start from: task `auth` in /src/app, PORT from 4000. */
export const planRepo = { mainRoot: '/src/app', name: 'app', commonDir: '/src/app/.git' };

export function planRequest(lineup: string): RunRequest {
  return {
    task: 'auth',
    lineup,
    defaultAgent: 'claude',
    worktreeDir: '../{repo}-worktrees/{task}-{n}',
    branch: '{task}-{n}',
    ports: { PORT: 4000 },
    yolo: false,
    model: null,
  };
}
