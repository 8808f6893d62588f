/**
 * Go versioning: the peer vectors mapped to `Go` in conformance/versions/ecosystems.json
 * (osv-scalibr semver-versions.txt), checked both ways, and hand-verified cases.
 * vers/tests holds no Go comparison/equality tests (see ../shared/semver.test.ts for what was excluded).
 */
import { describe, expect, it } from 'vitest';
import { HAS_SHARED } from '../../testing/shared.js';
import { expectOrderedBothWays, vectorFailures, versionVectors, type VersionOp } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

describe.skipIf(!HAS_SHARED)('Go versioning: osv-scalibr vectors', () => {
  it('orders every vector both ways', () => {
    const vectors = versionVectors('Go');
    const failures = vectorFailures(versioning, vectors, { exact: true });
    expect(failures, failures.join('\n')).toEqual([]);
    expect(vectors.length).toBe(86);
  });
});

describe('Go versioning: hand-verified cases', () => {
  it.each`
    a | op | b
    ${'v1.2.3'} | ${'='} | ${'1.2.3'}
    ${'v1.10.0'} | ${'>'} | ${'v1.9.9'}
    ${'v1.2.3-pre'} | ${'<'} | ${'v1.2.3'}
    ${'v0.0.0-20191109021931-daa7c04131f5'} | ${'<'} | ${'v0.0.1'}
    ${'v0.0.0-20191109021931-daa7c04131f5'} | ${'>'} | ${'v0.0.0-20190101000000-000000000000'}
    ${'v1.2.4-0.20191109021931-daa7c04131f5'} | ${'>'} | ${'v1.2.3'}
    ${'v1.2.4-0.20191109021931-daa7c04131f5'} | ${'<'} | ${'v1.2.4'}
    ${'v1.2.4-pre.0.20191109021931-daa7c04131f5'} | ${'>'} | ${'v1.2.4-pre'}
    ${'v2.0.0+incompatible'} | ${'='} | ${'v2.0.0'}
    ${'v2.0.0+incompatible'} | ${'>'} | ${'v1.99.0'}
    ${'v2.0.1+incompatible'} | ${'>'} | ${'v2.0.0'}
  `('$a $op $b', ({ a, op, b }: { a: string; op: VersionOp; b: string }) => {
    expectOrderedBothWays(versioning, a, op, b);
  });

  it('orders pseudo-versions of v0.0.0 below the version "0" (OSV "introduced: 0" must mean -infinity to the matcher)', () => {
    expect(versioning.compare('v0.0.0-20191109021931-daa7c04131f5', '0')).toBe(-1);
  });
});
