/**
 * A document signed by an organisation's key: the bytes, and a Sigstore bundle beside them
 * (`NAME.sigstore.json`, a message signature as `vouch sign` writes; `vouch verify NAME --bundle
 * ... --key ...` checks it too). The marketplace's needs feed and the advisory feed's index are
 * both signed and read this way. The reader verifies the exact bytes it then parses (never a file
 * read a second time), with any of the keys it trusts.
 */
import { signBlob } from './attest.js';
import type { LoadedKey } from './keys.js';
import { parseBundleText, verifyBundle } from './verify.js';
import { VouchError } from '../model/errors.js';

export const BUNDLE_SUFFIX = '.sigstore.json';

/** The Sigstore bundle over `data`, as the text written beside it. Needs an ECDSA P-256 private key. */
export async function signDocument(data: Buffer, key: LoadedKey): Promise<string> {
  return `${JSON.stringify(await signBlob(data, key), null, 2)}\n`;
}

/**
 * Verifies `doc` against the bundle with any of `keys`; returns the key that verified it. Throws
 * SIGNATURE_INVALID (`<what> refused: <reason>`, naming `doc.name`) when none does, INPUT_PARSE
 * when the bundle is not JSON, USAGE when no key is given.
 */
export async function verifyDocument(
  doc: { name: string; data: Buffer },
  bundle: { name: string; text: string },
  keys: readonly LoadedKey[],
  what: string,
): Promise<LoadedKey> {
  if (keys.length === 0) throw new VouchError('USAGE', `reading a ${what} needs the publisher's public key`);
  const parsed = parseBundleText(bundle.text, bundle.name);
  const reasons: string[] = [];
  for (const key of keys) {
    const r = await verifyBundle({ bundle: parsed, bundlePath: bundle.name, subjects: [doc], key });
    if (r.ok) return key;
    reasons.push(r.subjects[0]?.reason ?? r.signatureError ?? 'does not verify');
  }
  throw new VouchError('SIGNATURE_INVALID', `${what} refused: ${reasons[0]}${keys.length > 1 ? ` (and with the ${keys.length - 1} other key(s))` : ''}`, {
    path: doc.name,
  });
}
