import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-agent suite has its own config and script (npm run test:agents).
    exclude: [...configDefaults.exclude, 'test/real-agents/**'],
    setupFiles: ['test/helpers/setup.ts'],
    // Integration tests run dist/: a build older than src/ is rebuilt first (issue 15 item 8).
    globalSetup: ['test/helpers/fresh-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real git and tmux; two cores are plenty busy with two files at a time.
    maxWorkers: 2,
  },
});
