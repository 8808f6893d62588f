import { describe, expect, it } from 'vitest';
import { LineIndex, lineAt } from './lines.js';

describe('offsets to lines', () => {
  const text = 'a\nbc\n\nd';
  // offsets: a=0 \n=1 b=2 c=3 \n=4 \n=5 d=6
  const cases: [offset: number, line: number][] = [
    [0, 1],
    [1, 1], // the newline belongs to the line it ends
    [2, 2],
    [4, 2],
    [5, 3],
    [6, 4],
    [99, 4],
  ];
  it.each(cases)('offset %i is on line %i, both ways', (offset, line) => {
    expect(new LineIndex(text).lineOf(offset)).toBe(line);
    expect(lineAt(text, offset)).toBe(line);
  });

  it('an empty text is one line', () => {
    expect(new LineIndex('').lineOf(0)).toBe(1);
    expect(lineAt('', 0)).toBe(1);
  });
});
