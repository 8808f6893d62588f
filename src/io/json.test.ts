import { describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import { decodeText, shownValue } from './json.js';

const fail = (f: () => unknown): VouchError => {
  try {
    f();
  } catch (e) {
    if (e instanceof VouchError) return e;
    throw e;
  }
  throw new Error('expected a VouchError');
};

describe('decodeText', () => {
  it('reads UTF-8, dropping a BOM', () => {
    expect(decodeText(Buffer.from('\ufeffa = "é"\n'), 'f')).toBe('a = "é"\n');
  });

  it('reads UTF-16 LE and BE with their BOM (bytes written out by hand)', () => {
    // "a\n€" : a = 0x0061, \n = 0x000A, € = 0x20AC
    expect(decodeText(Buffer.from([0xff, 0xfe, 0x61, 0x00, 0x0a, 0x00, 0xac, 0x20]), 'f')).toBe('a\n€');
    expect(decodeText(Buffer.from([0xfe, 0xff, 0x00, 0x61, 0x00, 0x0a, 0x20, 0xac]), 'f')).toBe('a\n€');
  });

  it('refuses UTF-16 of odd length, a lone surrogate and a NUL character', () => {
    expect(fail(() => decodeText(Buffer.from([0xff, 0xfe, 0x61]), 'f')).oneLine()).toBe('f: not valid UTF-16LE: an odd number of bytes');
    expect(fail(() => decodeText(Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00]), 'f')).oneLine()).toBe('f: not valid UTF-16LE: an unpaired surrogate');
    expect(fail(() => decodeText(Buffer.from([0xff, 0xfe, 0x00, 0x00]), 'f')).oneLine()).toBe('f: binary data where text was expected');
  });

  it('refuses binary data (a NUL in the first 8 KiB)', () => {
    expect(fail(() => decodeText(Buffer.from('abc\0def'), 'x.lock')).oneLine()).toBe('x.lock: binary data where text was expected');
  });

  it.each([
    ['a lone continuation byte', [0x80], 8],
    ['a sequence cut short', [0xe2, 0x82, 0x0a], 8],
    ['an overlong slash', [0xc0, 0xaf], 8],
    ['a UTF-16 surrogate in UTF-8', [0xed, 0xa0, 0x80], 8],
    ['a code point over U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 8],
    ['0xFF', [0xff], 8],
  ])('refuses bytes that are not UTF-8 (%s) naming the line and byte', (_what, bad, at) => {
    const buf = Buffer.concat([Buffer.from('one\ntwo\n'), Buffer.from(bad), Buffer.from('three\n')]);
    expect(fail(() => decodeText(buf, 'requirements.txt')).oneLine()).toBe(`requirements.txt:3: not valid UTF-8 (byte ${at})`);
  });

  it('reads valid multi-byte UTF-8 at the edges of the ranges', () => {
    const s = '\u0080\u07ff\u0800\ud7ff\ue000\uffff\u{10000}\u{10ffff}';
    expect(decodeText(Buffer.from(s), 'f')).toBe(s);
  });

  it("with invalid: 'replace', a bad byte becomes U+FFFD (installed-system databases)", () => {
    expect(decodeText(Buffer.from([0x61, 0xff, 0x62]), 'f', { invalid: 'replace' })).toBe('a\ufffdb');
  });
});

describe('shownValue', () => {
  it('shows scalars as written and anything else by its type, even an object with no prototype', () => {
    expect(shownValue('1.0')).toBe('1.0');
    expect(shownValue(4)).toBe('4');
    expect(shownValue(null)).toBe('null');
    expect(shownValue(Object.create(null))).toBe('an object');
    expect(shownValue([1])).toBe('an array');
  });
});
