/**
 * Signing: an in-toto statement as a DSSE envelope (`attestFiles`), or a blob as a message
 * signature (`signBlob`), each in a Sigstore bundle v0.3 with public-key verification material
 * (key hint = key id) and no transparency-log or timestamp witnesses.
 */
import { createRequire } from 'node:module';
import type { SerializedBundle } from '@sigstore/bundle';
import type * as SigstoreBundle from '@sigstore/bundle';
import type * as SigstoreSign from '@sigstore/sign';
import { VouchError } from '../model/errors.js';
import { type LoadedKey, loadKey } from './keys.js';
import { KeySigner } from './signer.js';
import { INTOTO_PAYLOAD_TYPE, type ResourceDescriptor, type Statement, buildStatement, subjectsOf } from './statement.js';

/**
 * The sigstore libraries, loaded from node_modules on first use: with their HTTP stack they were
 * a third of the code `vouch scan` and `vouch sbom` read at every start (both can attest, few runs do).
 */
let libs: { bundle: typeof SigstoreBundle; sign: typeof SigstoreSign } | undefined;
function sigstore(): { bundle: typeof SigstoreBundle; sign: typeof SigstoreSign } {
  const load = createRequire(import.meta.url);
  return (libs ??= { bundle: load('@sigstore/bundle') as typeof SigstoreBundle, sign: load('@sigstore/sign') as typeof SigstoreSign });
}

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export interface AttestOptions {
  /** The predicate: a JSON object (an SBOM, a scan report, a VEX document, a SLSA provenance predicate ...). */
  predicate: unknown;
  /** The statement's predicateType URI (see `predicateTypeFor`). */
  predicateType: string;
  /** Files (hashed with sha256, named by their path as given) or ready subjects. */
  subjects: readonly (string | ResourceDescriptor)[];
  /** A loaded private key, or the path of an unencrypted `.key` file. */
  key: LoadedKey | string;
}

export interface AttestResult {
  bundle: SerializedBundle;
  statement: Statement;
}

async function signerKey(key: LoadedKey | string): Promise<LoadedKey> {
  return typeof key === 'string' ? loadKey(key) : key;
}

/** Builds the in-toto Statement v1 over the subjects and signs it as DSSE; returns the bundle as JSON. */
export async function attestFiles(opts: AttestOptions): Promise<SerializedBundle> {
  return (await attest(opts)).bundle;
}

/** `attestFiles`, returning the statement too. */
export async function attest(opts: AttestOptions): Promise<AttestResult> {
  const key = await signerKey(opts.key);
  const files = opts.subjects.filter((s): s is string => typeof s === 'string');
  const given = opts.subjects.filter((s): s is ResourceDescriptor => typeof s !== 'string');
  const subject = [...(files.length ? await subjectsOf(files) : []), ...given];
  if (subject.length === 0) throw new VouchError('USAGE', 'an attestation needs at least one subject');
  const statement = buildStatement(subject, opts.predicateType, opts.predicate);
  const builder = new (sigstore().sign.DSSEBundleBuilder)({ signer: new KeySigner(key), witnesses: [] });
  const bundle = await builder.create({ data: Buffer.from(JSON.stringify(statement), 'utf8'), type: INTOTO_PAYLOAD_TYPE });
  return { bundle: sigstore().bundle.bundleToJSON(bundle), statement };
}

/**
 * Signs a blob: a message-signature bundle holding the blob's sha256 and the signature over the
 * blob. Needs an ECDSA P-256 key: @sigstore/verify checks message signatures with SHA-256, which
 * Ed25519 does not take.
 */
export async function signBlob(data: Uint8Array, keyOrPath: LoadedKey | string): Promise<SerializedBundle> {
  const key = await signerKey(keyOrPath);
  if (key.type === 'ed25519' && key.privateKey) {
    throw new VouchError(
      'INPUT_UNSUPPORTED',
      'blob signatures need an ECDSA P-256 key (Sigstore verifies message signatures with SHA-256, which Ed25519 does not take); use `vouch key generate --type p256`, or sign an attestation (`vouch attest`), which works with Ed25519',
      { path: key.path },
    );
  }
  const builder = new (sigstore().sign.MessageSignatureBundleBuilder)({ signer: new KeySigner(key), witnesses: [] });
  const bundle = await builder.create({ data: Buffer.from(data) });
  // the builder labels every message signature v0.2; with a public key it is a valid v0.3 bundle
  bundle.mediaType = BUNDLE_MEDIA_TYPE;
  return sigstore().bundle.bundleToJSON(bundle);
}
