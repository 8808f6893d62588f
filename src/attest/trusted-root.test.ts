import { describe, expect, it } from 'vitest';
import { parseTrustedRoot, publicGoodTrustedRoot } from './trusted-root.js';

const MEDIA = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
const KEY = { rawBytes: 'AA==', keyDetails: 'PKIX_ECDSA_P256_SHA_256' };

describe('trusted roots', () => {
  it('loads the public-good root embedded in @sigstore/tuf, offline', async () => {
    const root = await publicGoodTrustedRoot();
    expect(root.tlogs.some((t) => t.baseUrl === 'https://rekor.sigstore.dev')).toBe(true);
    expect(root.certificateAuthorities.length).toBeGreaterThan(0);
  });

  it('rejects a log key without validFor.start, naming the JSON path', async () => {
    const json = JSON.stringify({ mediaType: MEDIA, tlogs: [{ baseUrl: 'https://x', hashAlgorithm: 'SHA2_256', publicKey: { ...KEY, validFor: {} }, logId: { keyId: 'AA==' } }] });
    await expect(parseTrustedRoot(json, 'root.json')).rejects.toMatchObject({
      message: 'invalid trusted root: a log key without validFor.start',
      path: 'root.json',
      position: { jsonPath: '$.tlogs[0].publicKey.validFor.start' },
    });
  });

  it('rejects a CA without validFor.start, and what is not a TrustedRoot', async () => {
    await expect(parseTrustedRoot(JSON.stringify({ mediaType: MEDIA, certificateAuthorities: [{ certChain: { certificates: [] } }] }), 'r.json')).rejects.toMatchObject({
      position: { jsonPath: '$.certificateAuthorities[0].validFor.start' },
    });
    await expect(parseTrustedRoot('{', 'r.json')).rejects.toThrow(/the trusted root is not JSON/);
    await expect(parseTrustedRoot('{"mediaType":"application/json"}', 'r.json')).rejects.toThrow(/not a Sigstore TrustedRoot \(mediaType "application\/json"\)/);
  });
});
