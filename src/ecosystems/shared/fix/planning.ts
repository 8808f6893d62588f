/** Helpers of the fix planners (loaded with them, when `vouch fix` plans). */
import semver from 'semver';
import { VouchError } from '../../../model/errors.js';
import type { Risk } from '../../../model/fix.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../../../io/input.js';

/** A file's text; a file that cannot be read is INPUT_MISSING naming it. */
export async function readText(file: string): Promise<string> {
  // a regular file only (a FIFO or device is refused with one line), bounded
  const buf = await readRegularFile(file, { maxBytes: MAX_INPUT_BYTES }).catch((e: unknown) => {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path: file });
  });
  return buf.toString('utf8');
}

/** The semver size of a change from one version to another; on 0.x a minor change is breaking under npm's caret rules (major). */
export function semverRisk(from: string, to: string): Risk {
  const a = semver.coerce(from)?.version;
  const b = semver.coerce(to)?.version;
  if (!a || !b) return 'major';
  const d = semver.diff(a, b);
  if (d === null || d === 'patch' || d === 'prepatch' || d === 'prerelease') return 'patch';
  if (d === 'minor' || d === 'preminor') return semver.major(a) === 0 ? 'major' : 'minor';
  return 'major';
}
