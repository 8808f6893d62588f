import { describe, expect, it } from 'vitest';
import { isVouchError } from '../model/errors.js';
import { parseJsonStream } from './json-stream.js';

async function* pieces(text: string, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('parseJsonStream', () => {
  const doc = '{\n  "a": [ {"purl": "x", "n": 1},\n  {"purl"\n: "y"} ],\n  "b": {"purl": "z"},\n  "c": "é"\n}\n';

  it('hands over the selected values with their keys, and the lines of chosen keys, however the bytes are cut', async () => {
    for (const size of [1, 2, 5, 1000]) {
      const values: [unknown, readonly (string | number)[]][] = [];
      const lines: [string, string, number][] = [];
      const tops: [string, string][] = [];
      await parseJsonStream(pieces(doc, size), 'doc.json', {
        paths: ['$.a.*', '$.c'],
        keyLines: ['purl'],
        onValue: (v, k) => values.push([v, k]),
        onKeyLine: (k, v, l) => lines.push([k, v, l]),
        onTopKey: (k, kind) => tops.push([k, kind]),
      });
      expect(values, `chunks of ${size}`).toEqual([
        [{ purl: 'x', n: 1 }, ['a', 0]],
        [{ purl: 'y' }, ['a', 1]],
        ['é', ['c']],
      ]);
      // lines counted by hand in `doc`: the key's line, even when its value is on the next
      expect(lines, `chunks of ${size}`).toEqual([
        ['purl', 'x', 2],
        ['purl', 'y', 3],
        ['purl', 'z', 5],
      ]);
      expect(tops).toEqual([
        ['a', 'array'],
        ['b', 'object'],
        ['c', 'string'],
      ]);
    }
  });

  it("a handler's own error comes out as it was thrown: a bug is not reported as bad input", async () => {
    const e = await parseJsonStream(pieces(doc, 7), 'doc.json', {
      paths: ['$.a.*'],
      onValue: () => {
        throw new TypeError('a bug');
      },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect(isVouchError(e)).toBe(false);
  });

  it('bad JSON is an INPUT_PARSE error naming the file and the line', async () => {
    const e = await parseJsonStream(pieces('{\n"a": [1,\n2,,3]}', 3), 'bad.json', { paths: ['$.a.*'], onValue: () => undefined }).catch((x: unknown) => x);
    expect(isVouchError(e) && e.code).toBe('INPUT_PARSE');
    expect(isVouchError(e) && e.oneLine()).toMatch(/^bad\.json:3: not valid JSON/);
  });
});
