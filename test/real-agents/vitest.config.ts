import { defineConfig } from 'vitest/config';

/**
 * The real-agent suite (`npm run test:agents`): the agent CLIs from npm, at the versions pinned in
 * scripts/install-agents.mjs, run real turns against test/real-agents/model-server.ts. Kept out of
 * `npm test`: it needs the installed agents and takes minutes; .ci/run runs both.
 */
export default defineConfig({
  test: {
    include: ['test/real-agents/**/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    globalSetup: ['test/helpers/fresh-build.ts', 'test/real-agents/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    // Every agent is a large program (Claude Code and Copilot are ~250 MB binaries): one file at a time.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
