import { describe, expect, it } from 'vitest';
import { semverRisk } from './planning.js';

describe('semverRisk', () => {
  it.each([
    ['1.2.3', '1.2.4', 'patch'],
    ['1.2.3', '1.3.0', 'minor'],
    ['1.2.3', '2.0.0', 'major'],
    ['0.5.1', '0.5.2', 'patch'],
    ['0.0.10', '0.2.4', 'major'],
  ])('semverRisk %s → %s = %s', (a, b, r) => expect(semverRisk(a, b)).toBe(r));
});
