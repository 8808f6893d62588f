/** Atomic file writes: every file vouch writes goes through here. */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { VouchError } from '../model/errors.js';

/**
 * Writes `data` to `target` so that readers (and a crash) see the old file or the whole new one,
 * never a part: a temporary file in the same folder, flushed to disk, then renamed over the
 * target. On failure the temporary file is removed and the target is untouched. `mode` (default
 * 0o666, less the umask) is the new file's permission bits, e.g. 0o600 for a private key.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx', opts.mode ?? 0o666);
    created = true;
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new VouchError('USAGE', `cannot write the output file (${code})`, { path: target, cause: e });
  }
}
