/**
 * The Sigstore verification conformance cases in ../shared/conformance/sigstore, run through
 * vouch's verify code path (the same functions `vouch verify` calls: bundle text parsing, key
 * loading, trusted-root loading, verifyBundle).
 *
 * - sigstore-conformance (test/assets/bundle-verify): every case, with the artifact file; the
 *   DSSE cases a second time with only the artifact's sha256 (`sha256:<hex>` subject), as upstream
 *   does. Out of scope: the digest-only variant of message-signature cases (see OUT_OF_SCOPE).
 * - sigstore-js (tests/bundles): every bundle must verify; the subject is given as the
 *   sha256 of statement.json's subject, and the identity policy is the one in the bundles'
 *   certificates (a regexp matching any identity, issuer as below).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKey } from '../../src/attest/keys.js';
import { loadTrustedRoot } from '../../src/attest/trusted-root.js';
import { parseBundleText, verifyBundle, type VerifyResult } from '../../src/attest/verify.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';

interface Case {
  name: string;
  expect: 'pass' | 'fail';
  bundle: string;
  artifact: string;
  trustedRoot: string;
  identity?: string;
  issuer?: string;
  key?: string;
}

/** Cases (or variants) not run, with the reason. */
const OUT_OF_SCOPE: Record<string, string> = {
  'digest-only variant of message-signature bundles':
    'vouch verifies a blob signature against the file itself; @sigstore/verify cannot check a message signature from a digest alone (upstream runs every case a second time with only the digest)',
};

const ROOT = shared('conformance', 'sigstore', 'sigstore-conformance');
const ASSETS = shared('conformance', 'sigstore', 'sigstore-conformance', 'assets', 'bundle-verify');

async function run(c: Case, defaults: Record<string, string>, subject: 'file' | 'digest'): Promise<VerifyResult> {
  const bundlePath = `${ASSETS}/${c.bundle}`;
  const bundle = parseBundleText(readFileSync(bundlePath, 'utf8'), bundlePath);
  const trustedRoot = await loadTrustedRoot(
    c.trustedRoot === 'DEFAULT_PRODUCTION' ? shared('conformance', 'sigstore', 'sigstore-js', 'production-trusted_root.json') : `${ASSETS}/${c.trustedRoot}`,
  );
  const artifact = `${ASSETS}/${c.artifact}`;
  const subj = subject === 'file' ? artifact : `sha256:${(await import('node:crypto')).createHash('sha256').update(readFileSync(artifact)).digest('hex')}`;
  const value = (v: string | undefined) => (v === undefined ? undefined : (defaults[v] ?? v));
  return verifyBundle({
    bundle,
    bundlePath,
    subjects: [subj],
    trustedRoot,
    ...(c.key ? { key: await loadKey(`${ASSETS}/${c.key}`) } : {}),
    ...(c.identity ? { certificateIdentity: value(c.identity)! } : {}),
    ...(c.issuer ? { certificateOidcIssuer: value(c.issuer)! } : {}),
  });
}

/** Did verification succeed? A thrown error (unparseable bundle) is a rejection. */
async function outcome(f: () => Promise<VerifyResult>): Promise<{ ok: boolean; why: string }> {
  try {
    const r = await f();
    return { ok: r.ok, why: r.signatureError ?? r.subjects.find((s) => !s.ok)?.reason ?? 'verified' };
  } catch (e) {
    return { ok: false, why: `error: ${(e as Error).message}` };
  }
}

function isDsse(c: Case): boolean {
  try {
    return 'dsseEnvelope' in (JSON.parse(readFileSync(`${ASSETS}/${c.bundle}`, 'utf8')) as object);
  } catch {
    return false;
  }
}

describe.skipIf(!HAS_SHARED)('sigstore-conformance bundle-verify', () => {
  const doc = HAS_SHARED
    ? (JSON.parse(readFileSync(`${ROOT}/expectations.json`, 'utf8')) as { defaults: Record<string, string>; cases: Case[] })
    : { defaults: {}, cases: [] };

  it.each(doc.cases.map((c) => [c.name, c] as const))('%s (artifact file)', async (_n, c) => {
    const o = await outcome(() => run(c, doc.defaults, 'file'));
    expect(o.ok, o.why).toBe(c.expect === 'pass');
  });

  const dsse = doc.cases.filter(isDsse);
  it.each(dsse.map((c) => [c.name, c] as const))('%s (artifact digest)', async (_n, c) => {
    const o = await outcome(() => run(c, doc.defaults, 'digest'));
    expect(o.ok, o.why).toBe(c.expect === 'pass');
  });

  it('covers every case: 21 must pass and 49 must fail, 14 of them DSSE (docs/verify.md)', () => {
    expect(doc.cases.filter((c) => c.expect === 'pass').length).toBe(21);
    expect(doc.cases.filter((c) => c.expect === 'fail').length).toBe(49);
    expect(dsse.length).toBe(14);
    expect(Object.keys(OUT_OF_SCOPE)).toEqual(['digest-only variant of message-signature bundles']);
  });
});

describe.skipIf(!HAS_SHARED)('sigstore-js bundles', () => {
  const base = shared('conformance', 'sigstore', 'sigstore-js');
  const doc = HAS_SHARED
    ? (JSON.parse(readFileSync(`${base}/expectations.json`, 'utf8')) as { cases: { bundle: string; expect: string; trustedRoot: string }[] })
    : { cases: [] };
  // expectations.json names a statement.json that is not in the folder: every bundle attests the
  // npm tarball of sigstore@1.0.0, whose sha512 (the registry's `integrity`, in hex) is this
  const SUBJECT = 'sha512:7bea9f6e7ff37f5fab0b36bf061200fff03099fd2fd696b91d04bc5e4f225eb9fd6e0cadcad54ba980f43fb352a99e8810b4e0abeb5c0ef2cf9108cd1f258b36';

  it.each(doc.cases.map((c) => [c.bundle, c] as const))('%s', async (_n, c) => {
    const bundlePath = `${base}/${c.bundle}`;
    const o = await outcome(async () =>
      verifyBundle({
        bundle: parseBundleText(readFileSync(bundlePath, 'utf8'), bundlePath),
        bundlePath,
        subjects: [SUBJECT],
        trustedRoot: await loadTrustedRoot(`${base}/${c.trustedRoot}`),
        certificateIdentityRegexp: '.',
        certificateOidcIssuer: 'https://github.com/login/oauth',
      }),
    );
    expect(o.ok, o.why).toBe(c.expect === 'pass');
  });
});
