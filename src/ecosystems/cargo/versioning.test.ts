/**
 * crates.io versioning: the peer vectors mapped to `cargo` in conformance/versions/ecosystems.json
 * (osv-scalibr semver-versions.txt), checked both ways, and hand-verified cases.
 * vers/tests holds no crates.io comparison/equality tests (see ../shared/semver.test.ts for what was excluded).
 */
import { describe, expect, it } from 'vitest';
import { HAS_SHARED } from '../../testing/shared.js';
import { expectOrderedBothWays, vectorFailures, versionVectors, type VersionOp } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

describe.skipIf(!HAS_SHARED)('crates.io versioning: osv-scalibr vectors', () => {
  it('orders every vector both ways', () => {
    const vectors = versionVectors('cargo');
    const failures = vectorFailures(versioning, vectors, { exact: true });
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
  `('$a $op $b', ({ a, op, b }: { a: string; op: VersionOp; b: string }) => {
    expectOrderedBothWays(versioning, a, op, b);
  });

});
