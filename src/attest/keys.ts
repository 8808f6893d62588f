/**
 * Signing keys: generation (Ed25519 or ECDSA P-256), PEM files (PKCS#8 private, optionally
 * encrypted; SPKI public), loading either kind, and the stable key id used as the bundle's key
 * hint. node:crypto does all the cryptography.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic-write.js';
import { VouchError } from '../model/errors.js';
import { readRegularFile } from '../io/input.js';

export const KEY_TYPES = ['p256', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** A key as loaded from `--key`: always the public half; the private half when the file had it. */
export interface LoadedKey {
  publicKey: KeyObject;
  privateKey?: KeyObject;
  type: KeyType;
  /** Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo: the bundle's key hint. */
  keyId: string;
  /** The file it came from. */
  path: string;
}

export interface GeneratedKeyPair {
  /** PKCS#8 PEM (`ENCRYPTED PRIVATE KEY` when a passphrase was given). */
  privatePem: string;
  /** SPKI PEM. */
  publicPem: string;
  keyId: string;
}

/** Lower-case hex SHA-256 of the key's DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** How keys are shown to people: `SHA256:<hex>`. */
export function displayKeyId(keyId: string): string {
  return `SHA256:${keyId}`;
}

export function generateKeyPair(type: KeyType, passphrase?: string): GeneratedKeyPair {
  const { publicKey, privateKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem =
    passphrase === undefined
      ? privateKey.export({ type: 'pkcs8', format: 'pem' })
      : privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });
  return { privatePem: String(privatePem), publicPem: String(publicKey.export({ type: 'spki', format: 'pem' })), keyId: keyIdOf(publicKey) };
}

/**
 * Writes `PREFIX.key` (mode 0600) and `PREFIX.pub`, each atomically. Refuses (USAGE) when either
 * exists, unless `force`.
 */
export async function writeKeyPair(prefix: string, pair: GeneratedKeyPair, opts: { force?: boolean } = {}): Promise<{ keyPath: string; pubPath: string }> {
  const keyPath = `${prefix}.key`;
  const pubPath = `${prefix}.pub`;
  if (!opts.force) {
    for (const p of [keyPath, pubPath]) {
      if (await stat(p).then(() => true, () => false)) throw new VouchError('USAGE', 'already exists; pass --force to overwrite it', { path: p });
    }
  }
  await writeFileAtomic(keyPath, pair.privatePem, { mode: 0o600 });
  await writeFileAtomic(pubPath, pair.publicPem);
  return { keyPath, pubPath };
}

function typeOf(key: KeyObject, path: string): KeyType {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'p256';
  const what = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve ?? '?'}` : (key.asymmetricKeyType ?? 'unknown');
  throw new VouchError('INPUT_UNSUPPORTED', `unsupported key type ${what}: vouch signs and verifies with Ed25519 or ECDSA P-256 keys`, { path });
}

/**
 * Loads `--key FILE`: a PEM public key (verification only) or a PEM private key (PKCS#8,
 * encrypted PKCS#8, or SEC1 `EC PRIVATE KEY`), from which the public key is derived. An encrypted
 * key needs `passphrase`.
 */
export async function loadKey(path: string, passphrase?: string): Promise<LoadedKey> {
  let text: string;
  try {
    text = (await readRegularFile(path)).toString('utf8');
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read the key (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path, cause: e });
  }
  return parseKey(text, path, passphrase);
}

export function parseKey(text: string, path: string, passphrase?: string): LoadedKey {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  if (!label) throw new VouchError('INPUT_PARSE', 'not a PEM key (no -----BEGIN ...----- line)', { path });
  if (label === 'PUBLIC KEY') {
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: text, format: 'pem' });
    } catch (e) {
      throw new VouchError('INPUT_PARSE', `not a valid public key (${(e as Error).message})`, { path, cause: e });
    }
    return { publicKey, type: typeOf(publicKey, path), keyId: keyIdOf(publicKey), path };
  }
  if (!/PRIVATE KEY$/.test(label)) throw new VouchError('INPUT_UNSUPPORTED', `a PEM "${label}" is not a key vouch reads (PUBLIC KEY or PRIVATE KEY)`, { path });
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && passphrase === undefined) {
    throw new VouchError('USAGE', 'the private key is encrypted: give its passphrase with --passphrase-env VAR (or --passphrase on a terminal)', { path });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(encrypted ? { key: text, format: 'pem', passphrase } : { key: text, format: 'pem' });
  } catch (e) {
    const msg = encrypted ? 'cannot decrypt the private key: wrong passphrase?' : `not a valid private key (${(e as Error).message})`;
    throw new VouchError('INPUT_PARSE', msg, { path, cause: e });
  }
  const publicKey = createPublicKey(privateKey);
  return { publicKey, privateKey, type: typeOf(privateKey, path), keyId: keyIdOf(publicKey), path };
}
