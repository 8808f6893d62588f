/** Helpers of the fix planners (loaded with them, when `vouch fix` plans). */
import { readFile } from 'node:fs/promises';
import semver from 'semver';
import { VouchError } from '../../../model/errors.js';
import type { Risk } from '../../../model/fix.js';

/** A file's text; a file that cannot be read is INPUT_MISSING naming it. */
export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new VouchError('INPUT_MISSING', `cannot read (${e.code ?? e.message})`, { path: file });
  });
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
