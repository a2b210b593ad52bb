import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Every test file starts from a known environment: no inherited GIT_* variables (a test run from a git
 * hook would otherwise act on the wrong repository), no developer git config (a private, empty global
 * config), no user git-parallel config, and not inside anyone's tmux or Zellij session.
 */
for (const name of Object.keys(process.env)) {
  if (name.startsWith('GIT_') || name.startsWith('ZELLIJ') || name === 'TMUX' || name === 'TMUX_PANE')
    delete process.env[name];
}
const home = mkdtempSync(path.join(tmpdir(), 'gp-test-home-'));
const globalConfig = path.join(home, 'gitconfig');
writeFileSync(
  globalConfig,
  '[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n[commit]\n\tgpgsign = false\n',
);
process.env.GIT_CONFIG_GLOBAL = globalConfig;
process.env.GIT_CONFIG_NOSYSTEM = '1';
process.env.XDG_CONFIG_HOME = path.join(home, 'config');
process.env.NO_COLOR = '1';
// FORCE_COLOR wins over NO_COLOR (src/output/reporter.ts): a developer's or CI's must not colour test output.
delete process.env.FORCE_COLOR;
// Issue 5 (trust): tests define stand-in agents and setup commands in the repository's config, which a
// user would approve with `git parallel trust`; GIT_PARALLEL_TRUST=1 is the --trust of scripts and CI.
// The trust tests delete it to see the real refusal.
process.env.GIT_PARALLEL_TRUST = '1';
