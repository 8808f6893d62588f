import { describe, expect, it } from 'vitest';
import { randomUuid } from './uuid.js';

describe('randomUuid', () => {
  it('is a version 4 UUID of the RFC variant, in lower-case hex', () => {
    for (let i = 0; i < 50; i++) {
      expect(randomUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('differs every time (122 random bits)', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomUuid()));
    expect(seen.size).toBe(1000);
  });
});
