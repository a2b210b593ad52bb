import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { describeCommand } from '../../src/commands/introspect.js';
import { COMMANDS } from '../../src/commands/registry.js';
import { renderManPages, roff } from '../../src/man/render-man.js';

const facts = COMMANDS.map((command) => describeCommand(yargs, command));
const pages = renderManPages(facts, '9.9.9');
const page = (file: string) => pages.find((p) => p.file === file)?.text ?? '';

describe('man pages from the command definitions', () => {
  it('one page per visible command and git-parallel(1), exactly as package.json "man" lists them', () => {
    const manifest = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(pages.map((p) => `./man/man1/${p.file}`).sort()).toEqual(manifest.man);
    expect(manifest.files).toContain('man');
    expect(pages.map((p) => p.file)).not.toContain('git-parallel-launch.1');
    expect(pages.map((p) => p.file)).not.toContain('git-parallel-__complete.1');
  });

  it('every option yargs knows of a command is in its page', () => {
    for (const command of facts.filter((c) => !c.hidden)) {
      const text = page(`git-parallel-${command.name}.1`);
      expect(text).toContain(`.TH "GIT\\-PARALLEL\\-${command.name.toUpperCase().replace(/-/g, '\\-')}" "1"`);
      for (const option of command.options) expect(text).toContain(`\\fB\\-\\-${roff(option.name)}\\fR`);
    }
    expect(page('git-parallel-rm.1')).toContain('\\fB\\-\\-keep\\-branches\\fR');
    expect(page('git-parallel-run.1')).toContain('\\fB\\-p\\fR, \\fB\\-\\-prompt\\fR=\\fIvalue\\fR');
  });

  it('git-parallel(1) lists the commands, the task-name rule and the parsing rules', () => {
    const main = page('git-parallel.1');
    for (const command of facts.filter((c) => !c.hidden))
      expect(main).toContain(`\\fBgit\\-parallel\\-${roff(command.name)}\\fR(1)`);
    expect(main).toContain('.SH TASK NAMES');
    expect(main).toContain('\\-p=hello');
    expect(main).toContain('9.9.9');
  });

  it('escapes what roff would read as a request or an escape', () => {
    expect(roff(".hidden\n'quote\nback\\slash -x")).toBe("\\&.hidden\n\\&'quote\nback\\eslash \\-x");
  });
});
