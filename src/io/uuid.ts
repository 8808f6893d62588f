/**
 * A random UUID (version 4, RFC 9562) without loading node:crypto where the system has
 * /dev/urandom: Node's crypto module costs about as many instructions to load as `node -e 0` does
 * in all (~50 M, callgrind), and `vouch sbom` needs nothing else of it for one serial number. The
 * kernel's generator is the one OpenSSL seeds from; elsewhere, or if it cannot be read, crypto's
 * own randomUUID.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

export function randomUuid(): string {
  const b = urandom(16);
  if (!b) return randomUUID();
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `n` bytes of /dev/urandom; undefined where it cannot be read in full. */
function urandom(n: number): Buffer | undefined {
  if (process.platform === 'win32') return undefined;
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    const b = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, b, got, n - got, null);
      if (r <= 0) return undefined;
      got += r;
    }
    return b;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
