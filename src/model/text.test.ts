import { describe, expect, it } from 'vitest';
import { cut, cutLongRuns, escapeControl, MAX_SHOWN, safeLine, safeText, shown } from './text.js';
import { VouchError } from './errors.js';

describe('escapeControl', () => {
  it.each([
    ['ANSI colour', 'a\u001b[31mred\u001b[0m', 'a\\x1B[31mred\\x1B[0m'],
    ['OSC window title ended by BEL', '\u001b]0;pwned\u0007x', '\\x1B]0;pwned\\x07x'],
    ['OSC 8 hyperlink ended by ST', '\u001b]8;;http://evil\u001b\\', '\\x1B]8;;http://evil\\x1B\\'],
    ['C1 CSI (0x9B)', 'a\u009b2Jb', 'a\\x9B2Jb'],
    ['DEL', 'a\u007fb', 'a\\x7Fb'],
    ['NUL, CR, backspace', 'a\u0000b\rc\bd', 'a\\x00b\\x0Dc\\x08d'],
    ['newline and tab', 'a\nb\tc', 'a\\x0Ab\\x09c'],
    ['right-to-left override', 'evil\u202Etxt.exe', 'evil\\u202Etxt.exe'],
    ['isolates and marks', '\u2066a\u2069\u200F\u061C', '\\u2066a\\u2069\\u200F\\u061C'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['printable text, accents and emoji unchanged', 'café ✅ 日本 \u{1F600} ~', 'café ✅ 日本 \u{1F600} ~'],
  ])('%s', (_what, input, want) => {
    expect(escapeControl(input)).toBe(want);
  });

  it('keeps newlines and tabs when asked (multi-line text) but never CR', () => {
    expect(escapeControl('a\n\tb\r\n', '\n\t')).toBe('a\n\tb\\x0D\n');
  });
});

describe('cut, cutLongRuns, shown', () => {
  it('cuts to the limit with an ellipsis, never inside a surrogate pair', () => {
    expect(cut('abcdef', 3)).toBe('abc…');
    expect(cut('abc', 3)).toBe('abc');
    expect(cut('ab\u{1F600}', 3)).toBe('ab…');
  });

  it('cuts each over-long run of non-blank characters and leaves the sentence around it', () => {
    const purl = `pkg:npm/${'a'.repeat(1_000_000)}@1.0.0`;
    const line = cutLongRuns(`invalid purl ${purl}: bad name`);
    expect(line).toBe(`invalid purl pkg:npm/${'a'.repeat(MAX_SHOWN - 8)}… bad name`);
  });

  it('shown(): a megabyte value with controls is escaped and cut to MAX_SHOWN + …', () => {
    const v = '\u001b'.repeat(1_000_000);
    const s = shown(v);
    expect(s.length).toBe(MAX_SHOWN + 1);
    expect(s.endsWith('…')).toBe(true);
    expect(s).not.toContain('\u001b');
  });

  it('safeLine escapes and cuts; safeText keeps the lines', () => {
    expect(safeLine('x\ny \u001b[2J')).toBe('x\\x0Ay \\x1B[2J');
    expect(safeText('one \u001b[2J\ntwo\n')).toBe('one \\x1B[2J\ntwo\n');
  });
});

describe('VouchError.oneLine', () => {
  it('escapes what the path, JSON path and message echo, and cuts a megabyte-long value', () => {
    const e = new VouchError('INPUT_PARSE', `invalid timestamp "${'9'.repeat(1_000_000)}\u001b]0;t\u0007"`, {
      path: 'vex\u001b[31m.json',
      position: { jsonPath: '$.statements["\u202E"]' },
    });
    const line = e.oneLine();
    expect(line).toBe(`vex\\x1B[31m.json ($.statements["\\u202E"]): invalid timestamp "${'9'.repeat(MAX_SHOWN - 1)}…`);
    expect(line.length).toBeLessThan(400);
  });
});
