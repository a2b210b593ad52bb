/**
 * The `string-width` package as the bundle gets it (scripts/build.mjs aliases the package to this file).
 * yargs and cliui measure every line of help text with it, and yargs renders a command's help on every
 * run of that command. The package builds a `\p{RGI_Emoji}` regex and an `Intl.Segmenter` when it is
 * loaded, which alone cost more than the rest of the start-up (25–90 ms on a 2-core machine, see bench/).
 * Here printable ASCII is measured directly and other text per code point, like wcwidth: zero for combining marks,
 * controls and invisible characters, two for East Asian wide and fullwidth characters and emoji, one
 * otherwise. An emoji sequence joined by U+200D counts per emoji, which only help text of ours would see.
 */

// CSI sequences (colours, cursor movement) and OSC sequences (hyperlinks), as terminals read them.
const ANSI = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\))/g;
const PRINTABLE_ASCII = /^[\u0020-\u007E]*$/;

let zeroWidth: RegExp | undefined;
let emoji: RegExp | undefined;

/** East Asian Wide (W) and Fullwidth (F) ranges, from Unicode's EastAsianWidth.txt (as wcwidth has them). */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  return WIDE.some(([from, to]) => codePoint >= from && codePoint <= to);
}

export default function stringWidth(text: string, options: { countAnsiEscapeCodes?: boolean } = {}): number {
  if (typeof text !== 'string' || text === '') return 0;
  const plain = options.countAnsiEscapeCodes ? text : text.replace(ANSI, '');
  if (PRINTABLE_ASCII.test(plain)) return plain.length;
  zeroWidth ??=
    /^[\p{Default_Ignorable_Code_Point}\p{Control}\p{Format}\p{Nonspacing_Mark}\p{Enclosing_Mark}\p{Surrogate}]$/u;
  emoji ??= /^\p{Emoji_Presentation}$/u;
  let width = 0;
  for (const character of plain) {
    if (zeroWidth.test(character)) continue;
    width += emoji.test(character) || isWide(character.codePointAt(0)!) ? 2 : 1;
  }
  return width;
}
