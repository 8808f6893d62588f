/**
 * crates.io versioning: the peer vectors mapped to `cargo` in conformance/versions/ecosystems.json
 * (osv-scalibr semver-versions.txt), checked both ways, and hand-verified cases.
 * vers/tests holds no crates.io comparison/equality tests (see ../shared/semver.test.ts for what was excluded).
 */
import { describe, expect, it } from 'vitest';
import { HAS_SHARED } from '../../testing/shared.js';
import { expectedSign, versionVectors } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

describe.skipIf(!HAS_SHARED)('crates.io versioning: osv-scalibr vectors', () => {
  it('orders every vector both ways', () => {
    const vectors = versionVectors('cargo');
    const failures: string[] = [];
    for (const v of vectors) {
      const want = expectedSign(v.op);
      const got = [versioning.compare(v.a, v.b), versioning.compare(v.b, v.a)];
      if (got[0] !== want || got[1] !== -want) {
        failures.push(`${v.file}:${v.line}: ${v.a} ${v.op} ${v.b}: got ${got[0]} / reversed ${got[1]}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(vectors.length).toBe(86);
  });
});

describe('crates.io versioning: hand-verified cases', () => {
  it.each`
    a | op | b
    ${'0.2.23'} | ${'>'} | ${'0.2.9'}
    ${'1.0.0-alpha.1'} | ${'<'} | ${'1.0.0'}
    ${'1.0.0-alpha'} | ${'<'} | ${'1.0.0-alpha.1'}
    ${'0.10.0'} | ${'>'} | ${'0.9.99'}
    ${'1.0'} | ${'='} | ${'1.0.0'}
    ${'1.2.3+zstd.1.5.2'} | ${'='} | ${'1.2.3'}
  `('$a $op $b', ({ a, op, b }: { a: string; op: '<' | '=' | '>'; b: string }) => {
    const want = expectedSign(op);
    expect(versioning.compare(a, b)).toBe(want);
    expect(versioning.compare(b, a)).toBe(want === 0 ? 0 : -want);
  });

});
