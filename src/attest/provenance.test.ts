import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProvenance, dependencyDescriptor, VOUCH_BUILD_TYPE } from './provenance.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'provenance', 'package-lock.json');

describe('buildProvenance', () => {
  it('lists every locked package as a ResourceDescriptor: purl, and the npm integrity as a hex sha512', async () => {
    const { predicate, skipped } = await buildProvenance({ builderId: 'https://ci.example/builders/release@v1', lockfiles: [FIXTURE], params: { ref: 'refs/tags/v1.0.0' } });
    expect(skipped).toEqual([]);
    expect(predicate).toEqual({
      buildDefinition: {
        buildType: VOUCH_BUILD_TYPE,
        externalParameters: { ref: 'refs/tags/v1.0.0', lockfiles: [FIXTURE] },
        resolvedDependencies: [
          // no integrity in the lockfile: uri only
          { uri: 'pkg:npm/left-pad@1.3.0' },
          {
            uri: 'pkg:npm/lodash@4.17.21',
            // base64 "v2kDEe57...j5FvSg==" decoded to hex by hand (python base64.b64decode(...).hex())
            digest: { sha512: 'bf690311ee7b95e713ba568322e3533f2dd1cb880b189e99d4edef13592b81764daec43e2c54c61d5c558dc5cfb35ecb85b65519e74026ff17675b6f8f916f4a' },
          },
        ],
      },
      runDetails: { builder: { id: 'https://ci.example/builders/release@v1' } },
    });
  });

  it('refuses a builder id that is not a URI', async () => {
    await expect(buildProvenance({ builderId: 'my laptop', lockfiles: [FIXTURE] })).rejects.toThrow(/--builder-id must be a URI/);
  });

  it('spells digest algorithms as in-toto DigestSet keys and drops non-hex values', () => {
    expect(
      dependencyDescriptor({
        purl: 'pkg:pypi/x@1',
        ecosystem: 'PyPI',
        name: 'x',
        version: '1',
        scope: 'prod',
        direct: true,
        locations: [],
        hashes: [
          { alg: 'SHA-256', value: 'AB12' },
          { alg: 'md5', value: 'not hex' },
        ],
      }),
    ).toEqual({ uri: 'pkg:pypi/x@1', digest: { sha256: 'ab12' } });
  });
});
