import realStringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import stringWidth from '../../src/output/string-width.js';

/** The bundle's string-width (scripts/build.mjs aliases the package to it) measures like the package. */
describe('string-width for the bundle', () => {
  it.each([
    [''],
    ['git parallel rm <tasks..>'],
    ['  --json  print one JSON document on stdout  [boolean] [default: false]'],
    ['refs/git-parallel/…, the run’s base branch'],
    ['\u001B[31mred\u001B[39m and \u001B[1mbold\u001B[22m'],
    ['\u001B]8;;https://example.com\u0007link\u001B]8;;\u0007'],
    ['日本語のテキスト'],
    ['한국어'],
    ['ｆｕｌｌｗｉｄｔｈ'],
    ['e\u0301te\u0301'],
    ['tab\there'],
    ['zero\u200Bwidth'],
    ['🚀 launch'],
    ['✓ PASS ✗ FAIL'],
    ['Ω≈ç√∫'],
  ])('%j', (text) => {
    expect(stringWidth(text)).toBe(realStringWidth(text));
  });

  it('counts escape codes when asked to', () => {
    expect(stringWidth('\u001B[31mx', { countAnsiEscapeCodes: true })).toBe(
      realStringWidth('\u001B[31mx', { countAnsiEscapeCodes: true }),
    );
  });
});
