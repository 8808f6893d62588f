/**
 * The line bookkeeping the SBOM readers share (a number per value met once, a list for repeats)
 * and the exact-length copies of small lists.
 */
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../io/lines.js';
import { addLine, exact, jsonStringLines, takeLine, type ValueLines } from './common.js';

describe('lines per value', () => {
  it('gives each repeat of a value its own line in document order, then keeps the last for any further take', () => {
    const lines: ValueLines = new Map();
    for (const l of [3, 9, 14]) addLine(lines, 'pkg:npm/a@1.0.0', l);
    addLine(lines, 'pkg:npm/b@1.0.0', 5);
    expect([1, 2, 3, 4].map(() => takeLine(lines, 'pkg:npm/a@1.0.0'))).toEqual([3, 9, 14, 14]);
    expect([1, 2].map(() => takeLine(lines, 'pkg:npm/b@1.0.0'))).toEqual([5, 5]);
    expect(takeLine(lines, 'pkg:npm/c@1.0.0')).toBeUndefined();
    expect(takeLine(lines, undefined)).toBeUndefined();
  });

  it('finds the line of each "key": "value" pair in JSON text, escapes decoded', () => {
    const text = '{\n "purl": "pkg:npm/a@1.0.0",\n "x": { "purl" : "pkg:npm/a@1.0.0" },\n "purl": "pkg:npm/we\\"ird@1.0.0", "purl": 7\n}';
    const lines = jsonStringLines(text, 'purl', new LineIndex(text));
    expect([...lines]).toEqual([
      ['pkg:npm/a@1.0.0', [2, 3]],
      ['pkg:npm/we"ird@1.0.0', 4],
    ]);
  });
});

describe('exact', () => {
  it('copies a non-empty list (same items, same order) and returns an empty one as it is', () => {
    const grown: number[] = [];
    for (let i = 0; i < 3; i++) grown.push(i);
    const copy = exact(grown);
    expect(copy).toEqual([0, 1, 2]);
    expect(copy).not.toBe(grown);
    const empty: number[] = [];
    expect(exact(empty)).toBe(empty);
  });
});
