/**
 * Verification of Sigstore bundles with @sigstore/verify, for both bundle kinds:
 * - with a public key (`key`): the key is the trust material whatever the bundle's hint says
 *   (a bundle without hint verifies too); transparency-log entries and timestamps, when the
 *   bundle has any, are checked against the trusted root, none are required;
 * - keyless: the certificate chain, SCTs, transparency log and timestamps against a trusted root
 *   (a file, else the public-good root embedded in @sigstore/tuf), and the signer's identity
 *   against the policy.
 * Then each subject: its digest against the statement's subjects (DSSE) or the message digest
 * (message signature). Returns a verdict per subject; throws only for unusable input.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import * as sb from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import * as core from '@sigstore/core';
import * as sv from '@sigstore/verify';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { SignedEntity, Signer as VerifiedSigner, VerificationPolicy } from '@sigstore/verify';
import { VouchError } from '../model/errors.js';
import { type LoadedKey, displayKeyId } from './keys.js';
import { INTOTO_PAYLOAD_TYPE, subjectName } from './statement.js';
import { publicGoodTrustedRoot } from './trusted-root.js';

export interface VerifyOptions {
  /** The bundle as parsed JSON. */
  bundle: unknown;
  /** Where the bundle came from (messages). */
  bundlePath: string;
  /**
   * Files, `sha256:<hex>` (also sha384, sha512) digests (DSSE bundles only), or bytes already in
   * memory with the name they are reported under (a document fetched over the network).
   */
  subjects: readonly (string | { name: string; data: Buffer })[];
  /** Verify with this public key instead of a certificate identity. */
  key?: LoadedKey;
  /** Trusted root; default: the public-good root embedded in @sigstore/tuf. */
  trustedRoot?: TrustedRoot;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  /** The predicate as a JSON value: the signed statement's predicate must equal it. */
  predicate?: { value: unknown; path: string };
}

export interface SubjectVerdict {
  subject: string;
  ok: boolean;
  /** Why it failed. */
  reason?: string;
  /** sha256 of the subject, hex (absent for a subject given as another digest). */
  sha256?: string;
}

export interface VerifyResult {
  ok: boolean;
  bundle: string;
  kind: 'dsse' | 'message-signature' | 'unknown';
  /** The signature (and, keyless, certificate chain, transparency log, identity) verified. */
  signatureOk: boolean;
  /** Why the signature (or the bundle) did not verify. */
  signatureError?: string;
  /** `SHA256:<hex>` of the given key (key mode). */
  key?: string;
  /** The certificate's identity (keyless). */
  identity?: { subjectAlternativeName?: string; issuer?: string };
  payloadType?: string;
  predicateType?: string;
  subjects: SubjectVerdict[];
}

interface SubjectData {
  name: string;
  sha256: string;
  data?: Buffer;
  /** Other digests by algorithm, computed on demand. */
  digest(alg: string): string | undefined;
}

const DIGEST_ALGS: Record<string, string> = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };

async function readSubject(subject: string | { name: string; data: Buffer }): Promise<SubjectData | SubjectVerdict> {
  if (typeof subject !== 'string') return subjectOf(subject.name, subject.data);
  const s = subject;
  const m = /^(sha256|sha384|sha512):([0-9a-f]+)$/i.exec(s);
  if (m) {
    const alg = m[1]!.toLowerCase();
    const hex = m[2]!.toLowerCase();
    const len = { sha256: 64, sha384: 96, sha512: 128 }[alg];
    if (hex.length !== len) throw new VouchError('USAGE', `${s}: a ${alg} digest has ${len} hex digits`);
    return { name: s, sha256: alg === 'sha256' ? hex : '', digest: (a) => (a.toLowerCase() === alg ? hex : undefined) };
  }
  let data: Buffer;
  try {
    data = await readFile(s);
  } catch (e) {
    throw new VouchError('INPUT_MISSING', `cannot read the subject (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: s, cause: e });
  }
  return subjectOf(s, data);
}

function subjectOf(name: string, data: Buffer): SubjectData {
  const sha256 = createHash('sha256').update(data).digest('hex');
  return {
    name,
    sha256,
    data,
    digest: (alg) => {
      const a = DIGEST_ALGS[alg.toLowerCase()];
      return a ? createHash(a).update(data).digest('hex') : undefined;
    },
  };
}

/** The subject's sha256 for the verdict, when known (a subject given as sha512:<hex> has none). */
function digestOf(s: SubjectData): { sha256?: string } {
  return s.sha256 ? { sha256: s.sha256 } : {};
}

function isVerdict(x: SubjectData | SubjectVerdict): x is SubjectVerdict {
  return 'ok' in x;
}

/** Parses bundle JSON text; not-JSON is an input error, a JSON that is no bundle is a failed verification later. */
export function parseBundleText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `the bundle is not JSON (${(e as Error).message})`, { path, cause: e });
  }
}

export async function verifyBundle(opts: VerifyOptions): Promise<VerifyResult> {
  if (opts.subjects.length === 0) throw new VouchError('USAGE', 'name at least one SUBJECT to verify (a file, or sha256:<hex> for an attestation)');
  const keyless = !opts.key;
  if (keyless) {
    if (opts.certificateIdentity !== undefined && opts.certificateIdentityRegexp !== undefined) {
      throw new VouchError('USAGE', '--certificate-identity and --certificate-identity-regexp exclude each other');
    }
    if ((opts.certificateIdentity === undefined && opts.certificateIdentityRegexp === undefined) || opts.certificateOidcIssuer === undefined) {
      throw new VouchError(
        'USAGE',
        'keyless verification needs --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer; to verify with a public key, pass --key',
      );
    }
  }
  let identityRe: RegExp | undefined;
  if (opts.certificateIdentityRegexp !== undefined) {
    try {
      identityRe = new RegExp(opts.certificateIdentityRegexp);
    } catch (e) {
      throw new VouchError('USAGE', `--certificate-identity-regexp: ${(e as Error).message}`);
    }
  }

  const result: VerifyResult = {
    ok: false,
    bundle: opts.bundlePath,
    kind: 'unknown',
    signatureOk: false,
    subjects: [],
    ...(opts.key ? { key: displayKeyId(opts.key.keyId) } : {}),
  };
  const subjects = await Promise.all(opts.subjects.map(readSubject));
  const failAll = (reason: string): VerifyResult => {
    result.signatureError = reason;
    result.subjects = subjects.map((s) => (isVerdict(s) ? s : { subject: s.name, ok: false, reason, ...digestOf(s) }));
    return result;
  };

  let bundle: Bundle;
  try {
    bundle = sb.bundleFromJSON(opts.bundle);
  } catch (e) {
    return failAll(`invalid bundle: ${errorText(e)}`);
  }
  result.kind = bundle.content.$case === 'dsseEnvelope' ? 'dsse' : 'message-signature';

  const root = opts.trustedRoot ?? (await publicGoodTrustedRoot());
  let trust;
  try {
    trust = opts.key
      ? sv.toTrustMaterial(root, () => ({ publicKey: opts.key!.publicKey, validFor: () => true }))
      : sv.toTrustMaterial(root);
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `unusable trusted root (${errorText(e)})`, { cause: e });
  }
  const verifier = new sv.Verifier(trust, opts.key ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 } : {});
  const policy: VerificationPolicy | undefined = keyless
    ? {
        ...(opts.certificateIdentity !== undefined ? { subjectAlternativeName: opts.certificateIdentity } : {}),
        extensions: { issuer: opts.certificateOidcIssuer },
      }
    : undefined;
  const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : undefined;
  if (opts.key && bundle.verificationMaterial.content.$case !== 'publicKey') {
    return failAll('the bundle is signed with a certificate (keyless), not a public key: verify it with --certificate-identity and --certificate-oidc-issuer');
  }

  const check = (artifact: Buffer | undefined): { ok: true; signer: VerifiedSigner } | { ok: false; reason: string } => {
    try {
      const signer = verifier.verify(signedEntity(sv.toSignedEntity(bundle, artifact), bundle, core.dsse.preAuthEncoding), policy);
      if (identityRe) {
        const san = signer.identity?.subjectAlternativeName;
        if (san === undefined || !identityRe.test(san)) {
          return { ok: false, reason: `identity mismatch: certificate identity ${JSON.stringify(san ?? '')} does not match ${identityRe.source}` };
        }
      }
      return { ok: true, signer };
    } catch (e) {
      return { ok: false, reason: signatureReason(e, opts.key, hint) };
    }
  };
  const noteSigner = (signer: VerifiedSigner): void => {
    if (signer.identity) {
      result.identity = {
        ...(signer.identity.subjectAlternativeName !== undefined ? { subjectAlternativeName: signer.identity.subjectAlternativeName } : {}),
        ...(signer.identity.extensions?.issuer !== undefined ? { issuer: signer.identity.extensions.issuer } : {}),
      };
    }
  };

  if (bundle.content.$case === 'messageSignature') {
    if (opts.predicate) throw new VouchError('USAGE', '--predicate applies to attestations; this bundle is a blob signature', { path: opts.bundlePath });
    const expected = Buffer.from(bundle.content.messageSignature.messageDigest.digest).toString('hex');
    let anySignatureOk = false;
    let firstError: string | undefined;
    for (const s of subjects) {
      if (isVerdict(s)) {
        result.subjects.push(s);
        continue;
      }
      if (!s.data) {
        result.subjects.push({ subject: s.name, ok: false, reason: 'a blob signature can only be checked against the file itself, not a digest', ...digestOf(s) });
        continue;
      }
      const c = check(s.data);
      if (c.ok) {
        anySignatureOk = true;
        noteSigner(c.signer);
      }
      if (s.sha256 !== expected) {
        result.subjects.push({ subject: s.name, ok: false, reason: `digest mismatch for ${s.name} (the bundle signs sha256:${expected})`, ...digestOf(s) });
      } else if (!c.ok) {
        firstError ??= c.reason;
        result.subjects.push({ subject: s.name, ok: false, reason: c.reason, ...digestOf(s) });
      } else {
        result.subjects.push({ subject: s.name, ok: true, ...digestOf(s) });
      }
    }
    result.signatureOk = anySignatureOk;
    if (!anySignatureOk && firstError) result.signatureError = firstError;
    result.ok = result.subjects.every((s) => s.ok);
    return result;
  }

  // DSSE: the signature once, then each subject against the statement
  const envelope = bundle.content.dsseEnvelope;
  result.payloadType = envelope.payloadType;
  const c = check(undefined);
  if (!c.ok) return failAll(c.reason);
  result.signatureOk = true;
  noteSigner(c.signer);
  if (envelope.payloadType !== INTOTO_PAYLOAD_TYPE) {
    return failAll(`the envelope's payload is ${envelope.payloadType}, not an in-toto statement: no subjects to check`);
  }
  let statement: { _type?: unknown; subject?: unknown; predicateType?: unknown };
  try {
    statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8')) as typeof statement;
  } catch (e) {
    return failAll(`the signed payload is not JSON (${(e as Error).message})`);
  }
  if (typeof statement.predicateType === 'string') result.predicateType = statement.predicateType;
  if (opts.predicate && !isDeepStrictEqual((statement as { predicate?: unknown }).predicate, opts.predicate.value)) {
    return failAll(`predicate mismatch: ${opts.predicate.path} is not the signed predicate`);
  }
  if (!Array.isArray(statement.subject)) return failAll('the signed statement has no subject list');
  const listed = statement.subject as { name?: unknown; digest?: Record<string, unknown> }[];
  for (const s of subjects) {
    if (isVerdict(s)) {
      result.subjects.push(s);
      continue;
    }
    const matches = listed.some((d) => {
      if (!d || typeof d.digest !== 'object' || d.digest === null) return false;
      const algs = Object.keys(d.digest).filter((a) => s.digest(a) !== undefined);
      return algs.length > 0 && algs.every((a) => String(d.digest![a]).toLowerCase() === s.digest(a));
    });
    if (matches) {
      result.subjects.push({ subject: s.name, ok: true, ...digestOf(s) });
      continue;
    }
    const base = subjectName(s.name).split('/').pop();
    const named = listed.find((d) => typeof d?.name === 'string' && (d.name === subjectName(s.name) || d.name.split('/').pop() === base));
    const reason = named
      ? `digest mismatch for ${s.name} (the statement's subject ${String(named.name)} has another digest)`
      : listed.length === 1
        ? `digest mismatch for ${s.name} (the statement's only subject is ${String(listed[0]?.name ?? '(unnamed)')})`
        : `${s.name} is not a subject of the statement (its sha256 matches none of its ${listed.length} subjects)`;
    result.subjects.push({ subject: s.name, ok: false, reason, ...digestOf(s) });
  }
  result.ok = result.subjects.every((s) => s.ok);
  return result;
}

/**
 * Rekor v2 logs a DSSE envelope either as a `dsse` entry (holding the payload's hash) or as a
 * `hashedrekord` entry over the envelope's pre-authentication encoding (rekor-v2-spec §6.1.4,
 * "hashedrekord-over-DSSE"), which @sigstore/verify 3.1 compares with the payload's hash only.
 * Both hashes commit to the same signed envelope, so the entity accepts either; everything else
 * (signature comparison, inclusion proof, checkpoint) is the library's.
 */
function signedEntity(entity: SignedEntity, bundle: Bundle, preAuthEncoding: (type: string, payload: Buffer) => Buffer): SignedEntity {
  if (bundle.content.$case !== 'dsseEnvelope') return entity;
  const env = bundle.content.dsseEnvelope;
  const paeDigest = createHash('sha256').update(preAuthEncoding(env.payloadType, env.payload)).digest();
  const content = entity.signature;
  return {
    ...entity,
    signature: {
      signature: content.signature,
      compareSignature: (sig) => content.compareSignature(sig),
      verifySignature: (key) => content.verifySignature(key),
      compareDigest: (digest) => content.compareDigest(digest) || (digest.length === paeDigest.length && paeDigest.equals(digest)),
    },
  };
}

function errorText(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.message ?? String(e);
}

function signatureReason(e: unknown, key: LoadedKey | undefined, hint: string | undefined): string {
  const err = e as { code?: string; message?: string; name?: string };
  if (err.code === 'SIGNATURE_ERROR') {
    if (key && hint && hint !== key.keyId) {
      return `signature invalid: wrong key? the bundle names key ${hint}, the given key is ${displayKeyId(key.keyId)}`;
    }
    return key ? `signature invalid for key ${displayKeyId(key.keyId)} (the signed content was changed, or it was signed by another key)` : 'signature invalid';
  }
  if (err.code === 'UNTRUSTED_SIGNER_ERROR') return `identity mismatch: ${err.message ?? ''}`.trim();
  if (err.code === 'PUBLIC_KEY_ERROR' && !key) return `the bundle is signed with a public key (hint ${JSON.stringify(hint ?? '')}): verify it with --key`;
  return err.code ? `${err.code}: ${err.message ?? ''}` : `verification error: ${err.message ?? String(e)}`;
}
