/**
 * The few KDL v1 writer helpers that git-parallel needs to write zellij layouts. Zellij reads KDL v1
 * only (kdl-rs 4.5), while @bgotink/kdl formats v2 only, so layouts are written as text here and the
 * library is used only to parse them back (docs: research/multiplexers.md §1.8, §2).
 *
 * Strings are always written as quoted, escaped strings: never raw strings (`r#"…"#` is v1-only and
 * `#"…"#` is v2-only). Every escape used below is valid in both KDL v1 and v2.
 */

/** Escapes that have a short form. `\/`, `\b` and `\f` are avoided on purpose (v1/v2 differences). */
const SHORT_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Matches what must be escaped: the short escapes above, then the characters written as `\u{hex}`
 * (C0 controls, DEL, C1 controls including U+0085 NEL, the separators U+2028/U+2029, the BOM U+FEFF,
 * and the bidirectional controls that KDL v2 forbids in a document: U+200E, U+200F, U+202A–U+202E,
 * U+2066–U+2069; `@bgotink/kdl/v1-compat` rejects those raw, and escaping them keeps a hostile
 * prompt from hiding text in the layout file), and finally lone surrogates, which cannot be written.
 * With the `u` flag a well-formed surrogate pair is one code point and never matches the last range.
 */
const NEEDS_ESCAPE =
  /[\\"\n\r\t]|[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu;

/**
 * A KDL v1 string literal for `s`, quotes included.
 *
 * Throws a TypeError if `s` holds a lone UTF-16 surrogate: such a string is not Unicode text, cannot be
 * stored in a UTF-8 file, and zellij (Rust `String`) could not receive it.
 */
export function kdlString(s: string): string {
  const body = s.replace(NEEDS_ESCAPE, (ch) => {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) return short;
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      throw new TypeError(`cannot write a lone surrogate (U+${cp.toString(16).toUpperCase()}) as KDL`);
    }
    return `\\u{${cp.toString(16)}}`;
  });
  return `"${body}"`;
}

/**
 * A KDL string for a zellij `cwd`, `command` or `edit` value. Zellij passes those three fields through
 * `shellexpand::full`, where `$$` is the escape for a literal `$`, so every `$` is doubled first. The
 * value should be an absolute path: a leading `~` would still be expanded to the home directory.
 * (`name` and `args` are not expanded: write them with kdlString.)
 */
export function zellijPath(s: string): string {
  return kdlString(s.replaceAll('$', () => '$$'));
}
