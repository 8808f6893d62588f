/**
 * Files inside a root filesystem (an unpacked image, a mounted disk, `--rootfs DIR`) read as if the
 * root were `/`: symlinks are resolved inside it, absolute targets start again at the root and `..`
 * never climbs above it, so nothing outside the root is ever read.
 */
import { constants } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import path from 'node:path';

const MAX_LINK_HOPS = 40;

/**
 * The real path of `rel` inside `root`, resolving symlinks as if `root` were `/`: absolute link
 * targets start again at the root and `..` never climbs above it, so the result is always inside
 * `root`. The last component is resolved only with `followLast`. Components that do not exist are
 * taken as they are. Undefined after too many links (a loop).
 */
export async function resolveInRoot(root: string, rel: string, followLast = true): Promise<string | undefined> {
  const queue = rel.split('/').filter((s) => s !== '' && s !== '.');
  const cur: string[] = [];
  let hops = 0;
  let missing = false;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '..') {
      cur.pop();
      missing = false; // back in a folder that may exist: look again from here
      continue;
    }
    if (missing || (queue.length === 0 && !followLast)) {
      cur.push(part);
      continue;
    }
    const candidate = path.join(root, ...cur, part);
    let st;
    try {
      st = await lstat(candidate);
    } catch {
      missing = true;
      cur.push(part);
      continue;
    }
    if (!st.isSymbolicLink()) {
      cur.push(part);
      continue;
    }
    if (++hops > MAX_LINK_HOPS) return undefined;
    let target: string;
    try {
      target = await readlink(candidate);
    } catch {
      return undefined;
    }
    if (target.startsWith('/')) cur.length = 0;
    queue.unshift(...target.split('/').filter((s) => s !== '' && s !== '.'));
  }
  return path.join(root, ...cur);
}

/**
 * A small text file inside a root (symlinks resolved within the root); undefined when absent or
 * not a regular file (a FIFO or device is never opened for reading; at most `maxBytes` are read).
 */
export async function readInRoot(root: string, rel: string, maxBytes = 1024 * 1024): Promise<string | undefined> {
  const real = await resolveInRoot(root, rel);
  if (real === undefined) return undefined;
  let fh;
  try {
    const st = await lstat(real);
    if (!st.isFile()) return undefined;
    fh = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    if (!(await fh.stat()).isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(st.size, maxBytes));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}
