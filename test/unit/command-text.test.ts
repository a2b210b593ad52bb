import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeCommand, lastLines, shellQuote } from '../../src/core/command-text.js';

describe('shellQuote: one word for messages a person pastes into sh', () => {
  it.each([
    ['plain', 'plain'],
    ['src/app.ts', 'src/app.ts'],
    ['--file=a,b', '--file=a,b'],
    ['two words', "'two words'"],
    ["it's", `'it'"'"'s'`],
    ['$HOME', "'$HOME'"],
    ['', "''"],
  ])('%j → %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });

  it.each(['two words', "it's", '$HOME `x`', 'a\nb', '*', '-n', ''])('sh reads %j back as itself', (word) => {
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word);
  });

  it('describes a command line and keeps the last lines of output', () => {
    expect(describeCommand(['git', 'commit', '-m', 'a message'])).toBe("git commit -m 'a message'");
    expect(lastLines('one\ntwo\nthree\n\n', 2)).toBe('two\nthree');
  });
});
