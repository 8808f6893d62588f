/**
 * npm versioning: the peer vectors mapped to `npm` in conformance/versions/ecosystems.json
 * (osv-scalibr semver-versions.txt), checked both ways, and hand-verified cases.
 * vers/tests holds no npm comparison/equality tests (see ../shared/semver.test.ts for what was excluded).
 */
import { describe, expect, it } from 'vitest';
import { HAS_SHARED } from '../../testing/shared.js';
import { expectOrderedBothWays, vectorFailures, versionVectors, type VersionOp } from '../../testing/version-vectors.js';
import { versioning } from './versioning.js';

describe.skipIf(!HAS_SHARED)('npm versioning: osv-scalibr vectors', () => {
  it('orders every vector both ways', () => {
    const vectors = versionVectors('npm');
    const failures = vectorFailures(versioning, vectors, { exact: true });
    expect(failures, failures.join('\n')).toEqual([]);
    expect(vectors.length).toBe(86);
  });
});

describe('npm versioning: hand-verified cases', () => {
  it.each`
    a | op | b
    ${'4.17.21'} | ${'>'} | ${'4.17.15'}
    ${'1.2.6'} | ${'>'} | ${'1.2.5'}
    ${'7.5.2'} | ${'<'} | ${'7.5.10'}
    ${'1.0.0-rc.1'} | ${'<'} | ${'1.0.0'}
    ${'1.0.0-beta.2'} | ${'<'} | ${'1.0.0-beta.11'}
    ${'3.0.0-next.0'} | ${'<'} | ${'3.0.0-next.0.1'}
    ${'1.0'} | ${'='} | ${'1.0.0'}
    ${'v1.2.3'} | ${'='} | ${'1.2.3'}
    ${'1.2.3+sha.abc'} | ${'='} | ${'1.2.3'}
  `('$a $op $b', ({ a, op, b }: { a: string; op: VersionOp; b: string }) => {
    expectOrderedBothWays(versioning, a, op, b);
  });

  it.each(['file:../local', 'git+https://example.invalid/x.git', 'npm:other@1.0.0', 'latest', '^1.2.3'])(
    'is not a version: %s',
    (spec) => expect(versioning.parse(spec)).toBeUndefined(),
  );
});
