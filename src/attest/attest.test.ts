import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { crypto as sigCrypto, dsse as sigDsse } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { attest, attestFiles, BUNDLE_MEDIA_TYPE, signBlob } from './attest.js';
import { displayKeyId, generateKeyPair, type KeyType, loadKey, parseKey, writeKeyPair } from './keys.js';
import { PREDICATE_TYPES, predicateTypeFor } from './statement.js';
import { verifyBundle } from './verify.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vouch-attest-'));

async function keyPair(type: KeyType, name: string = type) {
  const pair = generateKeyPair(type);
  const { keyPath, pubPath } = await writeKeyPair(path.join(dir, name), pair);
  return { pair, keyPath, pubPath, priv: await loadKey(keyPath), pub: await loadKey(pubPath) };
}

function write(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

const SBOM = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] };

/** Flips the lowest bit of byte `i` of a base64 field. */
function flipB64(b64: string, i = 0): string {
  const b = Buffer.from(b64, 'base64');
  b[i] = b[i]! ^ 1;
  return b.toString('base64');
}

describe('keys', () => {
  it.each(['p256', 'ed25519'] as const)('%s: writes PKCS#8 (0600) and SPKI PEM whose key id is the SHA-256 of the SPKI', async (type) => {
    const { pair, keyPath, pubPath, priv, pub } = await keyPair(type, `k-${type}`);
    expect(readFileSync(keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(pubPath, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const der = createPublicKey(readFileSync(pubPath)).export({ type: 'spki', format: 'der' });
    expect(pair.keyId).toBe(createHash('sha256').update(der).digest('hex'));
    expect(priv.keyId).toBe(pair.keyId);
    expect(pub.keyId).toBe(pair.keyId);
    expect(pub.privateKey).toBeUndefined();
    expect(priv.type).toBe(type);
  });

  it('refuses to overwrite without force', async () => {
    const pair = generateKeyPair('p256');
    await writeKeyPair(path.join(dir, 'dup'), pair);
    await expect(writeKeyPair(path.join(dir, 'dup'), pair)).rejects.toThrow(/already exists; pass --force/);
    await expect(writeKeyPair(path.join(dir, 'dup'), generateKeyPair('p256'), { force: true })).resolves.toBeDefined();
  });

  it('encrypts with a passphrase and needs it back', () => {
    const pair = generateKeyPair('ed25519', 'correct horse');
    expect(pair.privatePem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(() => parseKey(pair.privatePem, 'x.key')).toThrow(/encrypted: give its passphrase/);
    expect(() => parseKey(pair.privatePem, 'x.key', 'wrong')).toThrow(/^cannot decrypt the private key: wrong passphrase/);
    expect(parseKey(pair.privatePem, 'x.key', 'correct horse').keyId).toBe(pair.keyId);
  });

  it('rejects what is not a key, naming the file', () => {
    expect(() => parseKey('hello', 'a.pem')).toThrow(/not a PEM key/);
    expect(() => parseKey('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n', 'c.pem')).toThrow(/"CERTIFICATE" is not a key/);
    expect(() => parseKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'b.pub')).toThrow(/not a valid public key/);
  });
});

describe('predicateTypeFor', () => {
  it.each([
    ['sbom', { bomFormat: 'CycloneDX' }, 'https://cyclonedx.org/bom'],
    ['sbom', { spdxVersion: 'SPDX-2.3' }, 'https://spdx.dev/Document'],
    ['vuln', {}, 'https://in-toto.io/attestation/vulns/v0.2'],
    ['vex', {}, 'https://openvex.dev/ns/v0.2.0'],
    ['slsa-provenance', {}, 'https://slsa.dev/provenance/v1'],
    ['https://example.com/custom/v1', {}, 'https://example.com/custom/v1'],
  ])('%s → %s', (type, predicate, expected) => {
    expect(predicateTypeFor(type, predicate)).toBe(expected);
  });
  it('rejects an SBOM of unknown kind and a type that is no URI', () => {
    expect(() => predicateTypeFor('sbom', { foo: 1 }, 'p.json')).toThrow(/^--type sbom: the predicate is neither CycloneDX/);
    expect(() => predicateTypeFor('sboms', {})).toThrow(/neither one of sbom, vuln, vex, slsa-provenance nor a URI/);
  });
});

describe.each(['p256', 'ed25519'] as const)('attest and verify with %s', (type) => {
  it('signs an in-toto statement as DSSE in a v0.3 bundle with the key id as hint, and verifies it', async () => {
    const { priv, pub } = await keyPair(type, `a-${type}`);
    const subject = write(`app-${type}.tgz`, 'the artifact\n');
    const { bundle, statement } = await attest({ predicate: SBOM, predicateType: PREDICATE_TYPES.cyclonedx, subjects: [subject], key: priv });
    expect(bundle.mediaType).toBe(BUNDLE_MEDIA_TYPE);
    expect(bundle.dsseEnvelope?.payloadType).toBe('application/vnd.in-toto+json');
    expect(bundle.verificationMaterial.publicKey?.hint).toBe(priv.keyId);
    expect(bundle.verificationMaterial.tlogEntries ?? []).toEqual([]);
    const payload = JSON.parse(Buffer.from(bundle.dsseEnvelope!.payload, 'base64').toString('utf8'));
    expect(payload).toEqual(statement);
    expect(payload._type).toBe('https://in-toto.io/Statement/v1');
    expect(payload.subject).toEqual([{ name: subject.split(path.sep).join('/'), digest: { sha256: createHash('sha256').update('the artifact\n').digest('hex') } }]);

    // the signature is over the DSSE pre-authentication encoding, checked here with node:crypto alone
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 28 application/vnd.in-toto+json ${Buffer.from(bundle.dsseEnvelope!.payload, 'base64').length} `),
      Buffer.from(bundle.dsseEnvelope!.payload, 'base64'),
    ]);
    expect(nodeVerify(type === 'ed25519' ? null : 'sha256', pae, pub.publicKey, Buffer.from(bundle.dsseEnvelope!.signatures[0]!.sig, 'base64'))).toBe(true);

    const r = await verifyBundle({ bundle, bundlePath: 'b.json', subjects: [subject], key: pub });
    expect(r).toMatchObject({ ok: true, kind: 'dsse', signatureOk: true, predicateType: 'https://cyclonedx.org/bom', key: displayKeyId(pub.keyId) });
    expect(r.subjects).toEqual([{ subject, ok: true, sha256: payload.subject[0].digest.sha256 }]);
    // a digest names the subject as well as the file
    const byDigest = await verifyBundle({ bundle, bundlePath: 'b.json', subjects: [`sha256:${payload.subject[0].digest.sha256}`], key: pub });
    expect(byDigest.ok).toBe(true);
  });

  it('tampering: subject byte, payload byte, signature byte, wrong key', async () => {
    const { priv, pub } = await keyPair(type, `t-${type}`);
    const other = await keyPair(type, `t2-${type}`);
    const subject = write(`sbom-${type}.json`, JSON.stringify(SBOM));
    const bundle = await attestFiles({ predicate: SBOM, predicateType: PREDICATE_TYPES.cyclonedx, subjects: [subject], key: priv });

    const changed = write(`sbom-${type}.json`, JSON.stringify(SBOM).replace('1.6', '1.7'));
    const r1 = await verifyBundle({ bundle, bundlePath: 'b', subjects: [changed], key: pub });
    expect(r1.ok).toBe(false);
    expect(r1.signatureOk).toBe(true);
    expect(r1.subjects[0]!.reason).toMatch(new RegExp(`^digest mismatch for ${changed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    write(`sbom-${type}.json`, JSON.stringify(SBOM));

    const payloadTampered = structuredClone(bundle);
    payloadTampered.dsseEnvelope!.payload = flipB64(bundle.dsseEnvelope!.payload, 40);
    const r2 = await verifyBundle({ bundle: payloadTampered, bundlePath: 'b', subjects: [subject], key: pub });
    expect(r2).toMatchObject({ ok: false, signatureOk: false });
    expect(r2.signatureError).toMatch(/^signature invalid for key SHA256:[0-9a-f]{64}/);
    expect(r2.subjects[0]!.reason).toBe(r2.signatureError);

    const sigTampered = structuredClone(bundle);
    sigTampered.dsseEnvelope!.signatures[0]!.sig = flipB64(bundle.dsseEnvelope!.signatures[0]!.sig, 10);
    const r3 = await verifyBundle({ bundle: sigTampered, bundlePath: 'b', subjects: [subject], key: pub });
    expect(r3.signatureError).toMatch(/^signature invalid for key/);

    const r4 = await verifyBundle({ bundle, bundlePath: 'b', subjects: [subject], key: other.pub });
    expect(r4.ok).toBe(false);
    expect(r4.signatureError).toBe(`signature invalid: wrong key? the bundle names key ${priv.keyId}, the given key is SHA256:${other.pub.keyId}`);
  });

  it('a bundle without key hint verifies against the given key', async () => {
    const { priv, pub } = await keyPair(type, `h-${type}`);
    const subject = write(`h-${type}.bin`, 'x');
    const bundle = await attestFiles({ predicate: { a: 1 }, predicateType: 'https://example.com/p', subjects: [subject], key: priv });
    bundle.verificationMaterial.publicKey!.hint = '';
    bundle.dsseEnvelope!.signatures[0]!.keyid = '';
    expect((await verifyBundle({ bundle, bundlePath: 'b', subjects: [subject], key: pub })).ok).toBe(true);
  });
});

describe('blob signatures', () => {
  it('signs the blob with P-256 (message digest = sha256 of the blob) and verifies; a changed blob is a digest mismatch', async () => {
    const { priv, pub } = await keyPair('p256', 'blob');
    const file = write('blob.txt', 'hello blob\n');
    const bundle = await signBlob(readFileSync(file), priv);
    expect(bundle.mediaType).toBe(BUNDLE_MEDIA_TYPE);
    expect(bundle.messageSignature?.messageDigest).toEqual({ algorithm: 'SHA2_256', digest: createHash('sha256').update('hello blob\n').digest('base64') });
    expect(nodeVerify('sha256', Buffer.from('hello blob\n'), pub.publicKey, Buffer.from(bundle.messageSignature!.signature, 'base64'))).toBe(true);
    expect((await verifyBundle({ bundle, bundlePath: 'b', subjects: [file], key: pub })).ok).toBe(true);

    write('blob2.txt', 'hello blob!\n');
    const r = await verifyBundle({ bundle, bundlePath: 'b', subjects: [path.join(dir, 'blob2.txt')], key: pub });
    expect(r.subjects[0]!.reason).toMatch(/^digest mismatch for .*blob2\.txt/);

    const sigTampered = structuredClone(bundle);
    sigTampered.messageSignature!.signature = flipB64(bundle.messageSignature!.signature, 12);
    const r2 = await verifyBundle({ bundle: sigTampered, bundlePath: 'b', subjects: [file], key: pub });
    expect(r2.subjects[0]!.reason).toMatch(/^signature invalid for key/);
  });

  it('refuses Ed25519 for blob signatures, saying why', async () => {
    const { priv } = await keyPair('ed25519', 'blob-ed');
    await expect(signBlob(Buffer.from('x'), priv)).rejects.toThrow(/blob signatures need an ECDSA P-256 key/);
  });
});

describe('verify input checks', () => {
  it('keyless needs identity and issuer', async () => {
    await expect(verifyBundle({ bundle: {}, bundlePath: 'b', subjects: ['x'] })).rejects.toThrow(/keyless verification needs --certificate-identity/);
    await expect(
      verifyBundle({ bundle: {}, bundlePath: 'b', subjects: ['x'], certificateIdentity: 'a', certificateOidcIssuer: 'i', certificateIdentityRegexp: 'a' }),
    ).rejects.toThrow(/exclude each other/);
  });

  it('a JSON that is not a bundle fails verification with the reason', async () => {
    const { pub } = await keyPair('p256', 'nb');
    const file = write('nb.txt', 'x');
    const r = await verifyBundle({ bundle: { mediaType: 'application/vnd.dev.sigstore.bundle.v0.9+json' }, bundlePath: 'b', subjects: [file], key: pub });
    expect(r.ok).toBe(false);
    expect(r.signatureError).toMatch(/^invalid bundle: /);
  });

  it('the bundle, read back by @sigstore/bundle, verifies with @sigstore/core directly (and not over other bytes)', async () => {
    const { priv, pub } = await keyPair('p256', 'core');
    const subject = write('core.txt', 'x');
    const json = await attestFiles({ predicate: SBOM, predicateType: PREDICATE_TYPES.cyclonedx, subjects: [subject], key: priv });
    const b = bundleFromJSON(json);
    if (b.content.$case !== 'dsseEnvelope') throw new Error('not DSSE');
    const env = b.content.dsseEnvelope;
    const pae = sigDsse.preAuthEncoding(env.payloadType, env.payload);
    expect(sigCrypto.verify(pae, pub.publicKey, env.signatures[0]!.sig)).toBe(true);
    expect(sigCrypto.verify(Buffer.concat([pae, Buffer.from(' ')]), pub.publicKey, env.signatures[0]!.sig)).toBe(false);
  });
});
