/**
 * Text from inputs made safe to show to a person (issue 12, "output hygiene"; docs/reliability.md).
 * A package name, a purl, a reason or a timestamp comes from a file vouch was asked to read — a
 * hostile one can hold ANSI escapes (colour, cursor moves, OSC window titles and hyperlinks), other
 * C0/C1 controls, DEL, or bidirectional overrides that make a terminal or a review page show text
 * other than what is there; and it can be a megabyte long. Every human-readable output (error
 * lines, notes, the table, Markdown, health and fix text) goes through these, and only these.
 * Machine formats (JSON, SARIF, CycloneDX, SPDX) keep values as they are: their encoders escape.
 */

/** How long one echoed value (a run of non-blank characters) may be in a human-readable line. */
export const MAX_SHOWN = 200;

/**
 * Whether `c` is shown escaped: C0 controls, DEL, C1 controls, the bidirectional marks, embeddings,
 * overrides and isolates (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069) and the Unicode
 * line and paragraph separators.
 */
function isUnsafe(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x061c ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0x2028 ||
    c === 0x2029
  );
}

function escapeChar(c: number): string {
  return c <= 0xff ? `\\x${c.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Every control and bidi character as `\xHH` / `\uHHHH` — newlines and tabs too, unless `keep` says so. */
export function escapeControl(s: string, keep: '' | '\n\t' = ''): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isUnsafe(c) || (keep !== '' && (c === 0x0a || c === 0x09))) continue;
    out += s.slice(from, i) + escapeChar(c);
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/** `s` cut to `max` characters (never inside a surrogate pair) with `…` when it was longer. */
export function cut(s: string, max = MAX_SHOWN): string {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** Every run of more than `max` non-blank characters cut to `max` and `…`: long values in a sentence. */
export function cutLongRuns(s: string, max = MAX_SHOWN): string {
  let out = '';
  let from = 0;
  let run = 0;
  for (let i = 0; i <= s.length; i++) {
    const blank = i === s.length || s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x0a;
    if (!blank) {
      run++;
      continue;
    }
    if (run > max) {
      const start = i - run;
      out += s.slice(from, start) + cut(s.slice(start, i), max);
      from = i;
    }
    run = 0;
  }
  return from === 0 ? s : out + s.slice(from);
}

/** One value as a person sees it: escaped, and cut to MAX_SHOWN. */
export function shown(value: string, max = MAX_SHOWN): string {
  // a megabyte-long value is cut before it is escaped (escaping can only lengthen it)
  return cut(escapeControl(value.length > max ? value.slice(0, max + 1) : value), max);
}

/** One line of a message: controls (newlines too) escaped, long values cut. */
export function safeLine(line: string, max = MAX_SHOWN): string {
  return cutLongRuns(escapeControl(line), max);
}

/** A multi-line human-readable text: each line as `safeLine`, the newlines (and tabs) kept. */
export function safeText(text: string, max = MAX_SHOWN): string {
  return cutLongRuns(escapeControl(text, '\n\t'), max);
}
