import { describe, expect, it } from 'vitest';
import { byCodePoint, compareDigits } from './order.js';

describe('string orders', () => {
  it('code-point order: upper case before lower, no locale', () => {
    expect(['b', 'B', 'a', 'é', 'e'].sort(byCodePoint)).toEqual(['B', 'a', 'b', 'e', 'é']);
  });

  it('digit strings compare as integers, past what a double holds', () => {
    expect(compareDigits('9', '10')).toBe(-1);
    expect(compareDigits('20240101000000', '20240101000000')).toBe(0);
    expect(compareDigits('123456789012345678901', '123456789012345678900')).toBe(1); // Number() would call these equal
  });
});
