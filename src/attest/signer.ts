/**
 * A @sigstore/sign `Signer` over a local key (node:crypto): no Fulcio certificate, the bundle
 * carries a public-key hint (the key id) as its verification material.
 */
import { sign } from 'node:crypto';
import type { Signature, Signer } from '@sigstore/sign';
import { VouchError } from '../model/errors.js';
import type { LoadedKey } from './keys.js';

export class KeySigner implements Signer {
  readonly #key: LoadedKey;

  constructor(key: LoadedKey) {
    if (!key.privateKey) {
      throw new VouchError('USAGE', 'signing needs the private key (the .key file), not the public key', { path: key.path });
    }
    this.#key = key;
  }

  async sign(data: Buffer): Promise<Signature> {
    // Ed25519 signs the message itself (no separate digest); ECDSA P-256 signs its SHA-256.
    const signature = sign(this.#key.type === 'ed25519' ? null : 'sha256', data, this.#key.privateKey!);
    const publicKey = String(this.#key.publicKey.export({ type: 'spki', format: 'pem' }));
    return { signature, key: { $case: 'publicKey', publicKey, hint: this.#key.keyId } };
  }
}
