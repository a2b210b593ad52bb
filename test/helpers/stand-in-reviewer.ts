import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A reviewing agent for tests of `review`'s command surface: a small Node program in its one-shot mode
 * (the prompt on stdin, or as `--prompt=…` when so defined; the answer on stdout) that keeps every prompt it got and answers, from the
 * letters in the prompt, a verdict that ranks first the candidate whose diff holds `JUDGE_PREFER`.
 * `JUDGE_MODE`: `good` (default), `malformed` (never valid JSON), `malformed-once` (bad first, good on
 * the retry), `fail` (exits 3 with a message on stderr).
 * The real agents, against the model stand-in, are in test/real-agents/review.test.ts.
 */
export interface StandInReviewer {
  /** An `agents.<name>` config entry running it. */
  define(env?: Record<string, string>, oneShot?: Record<string, unknown>): Record<string, unknown>;
  /** The prompts it received, in order. */
  prompts(): string[];
}

const SCRIPT = String.raw`const fs = require('node:fs');
const path = require('node:path');
const fromArgument = process.argv.find((a) => a.startsWith('--prompt='));
const prompt = fromArgument ? fromArgument.slice('--prompt='.length) : fs.readFileSync(0, 'utf8');
const log = process.env.JUDGE_LOG;
const count = fs.readdirSync(log).filter((f) => f.endsWith('.txt')).length;
fs.writeFileSync(path.join(log, String(count + 1).padStart(3, '0') + '.txt'), prompt);
fs.writeFileSync(path.join(log, 'cwd-' + (count + 1)), process.cwd());
const mode = process.env.JUDGE_MODE || 'good';
if (mode === 'fail') { process.stderr.write('judge: the model is unavailable\n'); process.exit(3); }
const retry = prompt.includes('## Your previous answer was not valid');
if (mode === 'malformed' || (mode === 'malformed-once' && !retry)) { process.stdout.write('I think B is best. {"ranking": "B"}\n'); process.exit(0); }
const sections = prompt.split(/^## Candidate /m).slice(1);
const letters = sections.map((s) => s.slice(0, s.indexOf('\n')).trim());
const prefer = process.env.JUDGE_PREFER;
const ranking = [...letters].sort((a, b) => {
  const pa = prefer && sections[letters.indexOf(a)].includes(prefer) ? 0 : 1;
  const pb = prefer && sections[letters.indexOf(b)].includes(prefer) ? 0 : 1;
  return pa - pb || (process.env.JUDGE_REVERSE ? b.localeCompare(a) : a.localeCompare(b));
});
const answer = {
  candidates: letters.map((letter) => ({
    letter,
    score: ranking[0] === letter ? 8 : 4,
    strengths: ['clear change in candidate ' + letter],
    defects: ranking[0] === letter ? [] : ['less complete than candidate ' + ranking[0]],
    risks: [],
  })),
  ranking,
  reasons: process.env.JUDGE_REASONS || 'Candidate ' + ranking[0] + ' does the task; the others less so.',
  synthesis: { wouldBeatBest: false, reason: 'candidate ' + ranking[0] + ' already has the best parts' },
};
const fence = '\x60\x60\x60';
process.stdout.write('Here is my verdict:\n' + fence + 'json\n' + JSON.stringify(answer, null, 2) + '\n' + fence + '\n');
`;

export function makeStandInReviewer(dir: string, name = 'judge'): StandInReviewer {
  const script = path.join(dir, `${name}.cjs`);
  const log = path.join(dir, `${name}-prompts`);
  writeFileSync(script, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(script, 0o755);
  return {
    define: (env = {}, oneShot = { args: [], prompt: 'stdin' }) => {
      if (!existsSync(log)) mkdirSync(log);
      return {
        command: script,
        oneShot,
        env: { JUDGE_LOG: log, ...env },
      };
    },
    prompts: () =>
      existsSync(log)
        ? readdirSync(log)
            .filter((f) => f.endsWith('.txt'))
            .sort()
            .map((f) => readFileSync(path.join(log, f), 'utf8'))
        : [],
  };
}
