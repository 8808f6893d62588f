/**
 * End to end through the built CLI (bin/vouch → dist/, `npm run build`): key generate, attest,
 * sign, verify (with the tampering cases), sbom --attest, provenance; and the cross-check that a
 * bundle `vouch attest` wrote verifies with @sigstore/verify's own public-key path too.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, vouch } from '../../test/acceptance/helpers.js';
import { HAS_SHARED, shared } from '../testing/shared.js';

const dir = tempDir('attest-cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (f: string): string => path.join(dir, f);

const SBOM = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, metadata: { component: { type: 'application', name: 'demo' } }, components: [] };

function flipB64(b64: string, i: number): string {
  const b = Buffer.from(b64, 'base64');
  b[i] = b[i]! ^ 1;
  return b.toString('base64');
}

let keyId = '';

beforeAll(() => {
  const r = vouch(['key', 'generate', '--out', at('signer')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  keyId = r.stdout.trim().split('\n').pop()!;
  writeFileSync(at('sbom.json'), JSON.stringify(SBOM, null, 2));
  writeFileSync(at('app.tgz'), 'pretend tarball\n');
});

describe('vouch key generate', () => {
  it('writes a 0600 PKCS#8 key and an SPKI public key, prints the key id, and refuses to overwrite', () => {
    expect(statSync(at('signer.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(at('signer.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const der = createPublicKey(readFileSync(at('signer.pub'))).export({ type: 'spki', format: 'der' });
    expect(keyId).toBe(`SHA256:${createHash('sha256').update(der).digest('hex')}`);
    const again = vouch(['key', 'generate', '--out', at('signer')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`vouch: ${at('signer.key')}: already exists; pass --force to overwrite it\n`);
  });

  it('encrypts with --passphrase-env, and signing with that key needs the passphrase', () => {
    const env = { VOUCH_TEST_PASS: 'open sesame' };
    expect(vouch(['key', 'generate', '--type', 'ed25519', '--out', at('enc'), '--passphrase-env', 'VOUCH_TEST_PASS'], env).code).toBe(0);
    expect(readFileSync(at('enc.key'), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const args = ['attest', '--predicate', at('sbom.json'), '--type', 'sbom', '--subject', at('app.tgz'), '--key', at('enc.key'), '-o', at('enc.bundle.json')];
    const without = vouch(args);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/enc\.key: the private key is encrypted: give its passphrase with --passphrase-env VAR/);
    const wrong = vouch([...args, '--passphrase-env', 'VOUCH_TEST_PASS'], { VOUCH_TEST_PASS: 'nope' });
    expect(wrong.stderr).toMatch(/cannot decrypt the private key: wrong passphrase/);
    expect(vouch([...args, '--passphrase-env', 'VOUCH_TEST_PASS'], env).code).toBe(0);
    const v = vouch(['verify', at('app.tgz'), '--bundle', at('enc.bundle.json'), '--key', at('enc.pub')]);
    expect(v.code).toBe(0);
  });
});

describe('vouch attest + vouch verify --key, cross-checked with @sigstore/verify', () => {
  it('attests an SBOM; vouch verify says OK; @sigstore/verify alone verifies the same bundle with the public key', () => {
    const a = vouch(['attest', '--predicate', at('sbom.json'), '--type', 'sbom', '--subject', at('app.tgz'), '--key', at('signer.key'), '-o', at('app.att.json')]);
    expect(a.code).toBe(0);
    const v = vouch(['verify', at('app.tgz'), '--bundle', at('app.att.json'), '--key', at('signer.pub')]);
    expect(v.stdout).toBe(`OK  ${at('app.tgz')}  (key ${keyId}, predicate https://cyclonedx.org/bom)\n`);
    expect(v.code).toBe(0);

    // independently: the library's own public-key path, trust material = this key under the bundle's hint
    const json = JSON.parse(readFileSync(at('app.att.json'), 'utf8'));
    expect(json.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    const bundle = bundleFromJSON(json);
    const hint = json.verificationMaterial.publicKey.hint as string;
    expect(`SHA256:${hint}`).toBe(keyId);
    const der = createPublicKey(readFileSync(at('signer.pub'))).export({ type: 'spki', format: 'der' });
    const root = TrustedRoot.fromJSON({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] });
    const trust = toTrustMaterial(root, { [hint]: { rawBytes: der, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256 } });
    const signer = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundle));
    expect(signer.key.export({ type: 'spki', format: 'der' })).toEqual(der);
    // and the statement names the subject with its sha256
    const statement = JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString('utf8'));
    expect(statement.subject[0].digest.sha256).toBe(createHash('sha256').update('pretend tarball\n').digest('hex'));
    expect(statement.predicate).toEqual(SBOM);
  });

  describe('tampering', () => {
    type Json = { dsseEnvelope: { payload: string; signatures: { sig: string }[] } };
    const original = (): Json => JSON.parse(readFileSync(at('app.att.json'), 'utf8')) as Json;
    const check = (bundle: object, subject = at('app.tgz'), key = at('signer.pub')) => {
      writeFileSync(at('t.json'), JSON.stringify(bundle));
      return vouch(['verify', subject, '--bundle', at('t.json'), '--key', key]);
    };

    it('one byte of the subject: digest mismatch for the file', () => {
      writeFileSync(at('app2.tgz'), 'pretend tarball!\n');
      const r = check(original(), at('app2.tgz'));
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`^FAIL ${at('app2.tgz')}: digest mismatch for ${at('app2.tgz')} `));
    });

    it('one byte of the DSSE payload: signature invalid', () => {
      const b = original();
      b.dsseEnvelope.payload = flipB64(b.dsseEnvelope.payload, 30);
      const r = check(b);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(`FAIL ${at('app.tgz')}: signature invalid for key ${keyId} (the signed content was changed, or it was signed by another key)\n`);
    });

    it('one byte of the signature: signature invalid', () => {
      const b = original();
      b.dsseEnvelope.signatures[0]!.sig = flipB64(b.dsseEnvelope.signatures[0]!.sig, 20);
      const r = check(b);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/: signature invalid for key SHA256:/);
    });

    it('the wrong key: says so', () => {
      expect(vouch(['key', 'generate', '--out', at('other')]).code).toBe(0);
      const r = check(original(), at('app.tgz'), at('other.pub'));
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`: signature invalid: wrong key\\? the bundle names key ${keyId.slice(7)}, the given key is SHA256:[0-9a-f]{64}\\n$`));
    });

    it('--json gives the verdicts to machines', () => {
      const r = vouch(['verify', at('app.tgz'), '--bundle', at('app.att.json'), '--key', at('signer.pub'), '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, kind: 'dsse', key: keyId, predicateType: 'https://cyclonedx.org/bom', subjects: [{ subject: at('app.tgz'), ok: true }] });
    });
  });
});

describe('vouch sign', () => {
  it('signs a blob; verify says OK, and FAIL with a digest mismatch once the blob changes', () => {
    writeFileSync(at('blob.bin'), 'blob v1\n');
    expect(vouch(['sign', at('blob.bin'), '--key', at('signer.key'), '-o', at('blob.sigstore.json')]).code).toBe(0);
    const ok = vouch(['verify', at('blob.bin'), '--bundle', at('blob.sigstore.json'), '--key', at('signer.pub')]);
    expect(ok.stdout).toBe(`OK  ${at('blob.bin')}  (key ${keyId}, blob signature)\n`);
    writeFileSync(at('blob.bin'), 'blob v2\n');
    const bad = vouch(['verify', at('blob.bin'), '--bundle', at('blob.sigstore.json'), '--key', at('signer.pub')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL .*blob\.bin: digest mismatch for .*blob\.bin \(the bundle signs sha256:/);
  });
});

describe('vouch sbom --attest', () => {
  it('writes the SBOM and its bundle beside it; the bundle verifies for the input and the SBOM file as predicate', () => {
    const lock = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'attest', '__fixtures__', 'provenance', 'package-lock.json');
    const r = vouch(['sbom', lock, '-o', at('demo.cdx.json'), '--attest', '--key', at('signer.key'), '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const v = vouch(['verify', lock, '--bundle', at('demo.cdx.json.sigstore.json'), '--key', at('signer.pub'), '--predicate', at('demo.cdx.json')]);
    expect(v.stdout).toMatch(/^OK {2}.*package-lock\.json {2}\(key SHA256:[0-9a-f]{64}, predicate https:\/\/cyclonedx\.org\/bom\)\n$/);
    expect(v.code).toBe(0);
    writeFileSync(at('other.cdx.json'), JSON.stringify(SBOM));
    const mismatch = vouch(['verify', lock, '--bundle', at('demo.cdx.json.sigstore.json'), '--key', at('signer.pub'), '--predicate', at('other.cdx.json')]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toMatch(/: predicate mismatch: .*other\.cdx\.json is not the signed predicate\n$/);
  });

  it('--attest needs -o, --key and a JSON format', () => {
    expect(vouch(['sbom', at('sbom.json'), '--attest', '--key', at('signer.key')]).stderr).toMatch(/--attest needs -o FILE/);
    const xml = vouch(['sbom', at('sbom.json'), '-o', at('x.cdx.xml'), '--attest', '--key', at('signer.key')]);
    expect(xml.code).toBe(2);
    expect(xml.stderr).toMatch(/--attest needs a JSON format \(cyclonedx-json or spdx-json\), not cyclonedx-xml/);
  });
});

describe('usage and input errors exit 2 with one line', () => {
  it.each([
    [['verify', 'x', '--bundle', 'nope.json', '--key', 'k.pub'], /^vouch: nope\.json: cannot read the bundle \(ENOENT\)\n$/],
    [['sign', 'nope.bin', '--key', 'k.key'], /^vouch: nope\.bin: cannot read the file to sign \(ENOENT\)\n$/],
    [['attest', '--predicate', 'p.json', '--type', 'not a uri', '--subject', 'x', '--key', 'k'], /^vouch: p\.json: cannot read the predicate/],
    [['provenance', '--builder-id', 'laptop'], /^vouch: --builder-id must be a URI/],
  ])('vouch %j', (args, message) => {
    const r = vouch(args as string[]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('a bundle that is not JSON names the file; keyless without identity says what is needed', () => {
    writeFileSync(at('broken.json'), '{"mediaType": ');
    const r = vouch(['verify', at('app.tgz'), '--bundle', at('broken.json'), '--key', at('signer.pub')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^vouch: ${at('broken.json')}: the bundle is not JSON`));
    writeFileSync(at('empty.json'), '{}');
    const k = vouch(['verify', at('app.tgz'), '--bundle', at('empty.json')]);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/keyless verification needs --certificate-identity/);
  });

  it('an unreadable subject is an input error naming it', () => {
    writeFileSync(at('empty2.json'), '{}');
    const r = vouch(['verify', at('missing.bin'), '--bundle', at('empty2.json'), '--key', at('signer.pub')]);
    expect(r.stderr).toBe(`vouch: ${at('missing.bin')}: cannot read the subject (ENOENT)\n`);
    expect(r.code).toBe(2);
  });

  it('ed25519 keys cannot make blob signatures, and vouch says why', () => {
    expect(vouch(['key', 'generate', '--type', 'ed25519', '--out', at('ed')]).code).toBe(0);
    const r = vouch(['sign', at('app.tgz'), '--key', at('ed.key')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/blob signatures need an ECDSA P-256 key/);
  });
});

describe.skipIf(!HAS_SHARED)('vouch verify keyless (sigstore-conformance bundles)', () => {
  const assets = shared('conformance', 'sigstore', 'sigstore-conformance', 'assets', 'bundle-verify');
  const ID = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
  const ISSUER = 'https://token.actions.githubusercontent.com';
  const base = (extra: string[]) => ['verify', path.join(assets, 'a.txt'), '--bundle', path.join(assets, 'happy-path-v0.3', 'bundle.sigstore.json'), ...extra];

  it('verifies against the embedded public-good root with identity and issuer', () => {
    const r = vouch(base(['--certificate-identity', ID, '--certificate-oidc-issuer', ISSUER]));
    expect(r.stdout).toBe(`OK  ${path.join(assets, 'a.txt')}  (identity ${ID}, issuer ${ISSUER}, blob signature)\n`);
    expect(r.code).toBe(0);
  });

  it('a regexp identity matches; another identity or issuer fails with the reason', () => {
    expect(vouch(base(['--certificate-identity-regexp', '^https://github\\.com/sigstore-conformance/', '--certificate-oidc-issuer', ISSUER])).code).toBe(0);
    const wrongId = vouch(base(['--certificate-identity', 'someone@example.com', '--certificate-oidc-issuer', ISSUER]));
    expect(wrongId.code).toBe(1);
    expect(wrongId.stdout).toMatch(/^FAIL .*a\.txt: identity mismatch: /);
    const wrongRe = vouch(base(['--certificate-identity-regexp', '^mailto:', '--certificate-oidc-issuer', ISSUER]));
    expect(wrongRe.stdout).toMatch(/: identity mismatch: certificate identity ".*" does not match \^mailto:\n$/);
    const wrongIssuer = vouch(base(['--certificate-identity', ID, '--certificate-oidc-issuer', 'https://accounts.google.com']));
    expect(wrongIssuer.code).toBe(1);
    expect(wrongIssuer.stdout).toMatch(/identity mismatch: .*issuer/);
  });

  it('a bundle of another Sigstore instance fails against the public-good root, verifies with its own --trusted-root', () => {
    const dirCase = path.join(assets, 'rekor2-happy-path');
    const args = ['verify', path.join(assets, 'a.txt'), '--bundle', path.join(dirCase, 'bundle.sigstore.json'), '--certificate-identity', ID, '--certificate-oidc-issuer', ISSUER];
    expect(vouch(args).code).toBe(1);
    expect(vouch([...args, '--trusted-root', path.join(dirCase, 'trusted_root.json')]).code).toBe(0);
  });
});
