/** Atomic file writes: every file vouch writes goes through here. */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VouchError } from '../model/errors.js';
import { cleanupOnSignal } from './temp.js';

/**
 * Writes `data` to `target` so that readers (and a crash) see the old file or the whole new one,
 * never a part: a temporary file in the same folder, flushed to disk, then renamed over the
 * target. On failure the temporary file is removed and the target is untouched. `mode` is the new
 * file's permission bits (e.g. 0o600 for a private key); without it a file being replaced keeps
 * its own, and a new one gets 0o666 less the umask.
 *
 * A target that is a symbolic link is written through: the file it points to is replaced, the
 * link stays. A target that exists and is not a regular file — `/dev/null`, `/dev/stdout`, a named
 * pipe — is written to directly: renaming over it would replace the device with a file.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  let real = target;
  let mode = opts.mode;
  try {
    const st = await stat(target); // follows links
    if (!st.isFile()) {
      await writeFile(target, data);
      return;
    }
    real = await realpath(target);
    mode ??= st.mode & 0o7777;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new VouchError('USAGE', `cannot write the output file (${code ?? (e as Error).message})`, { path: target, cause: e });
  }
  const dir = path.dirname(real);
  const tmp = path.join(dir, `.${path.basename(real)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  // a Ctrl-C, SIGTERM or SIGHUP mid-write leaves no temporary file beside the target
  const unregister = cleanupOnSignal(() => rmSync(tmp, { force: true }));
  try {
    const fh = await open(tmp, 'wx', mode ?? 0o666);
    created = true;
    try {
      await fh.writeFile(data);
      // open()'s mode is reduced by the umask; a replaced file keeps exactly its own bits
      if (mode !== undefined && opts.mode === undefined) await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, real);
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new VouchError('USAGE', `cannot write the output file (${code})`, { path: target, cause: e });
  } finally {
    unregister();
  }
}
