/**
 * NuGet version order: NuGet's SemVer 2.0 rules (NuGet.Versioning `VersionComparer.Default`,
 * https://learn.microsoft.com/en-us/nuget/concepts/package-versioning), the order OSV and
 * osv-scalibr (`semantic/version-nuget.go`) apply to NuGet ranges; their test vectors are the
 * conformance suite of this file. Written from the documentation, no code copied.
 *
 * - Grammar (NuGetVersion.TryParse, surrounding whitespace trimmed): 1 to 4 numeric parts
 *   `Major[.Minor[.Patch[.Revision]]]`, optional `-label(.label)*`, optional `+metadata`;
 *   labels and metadata use `[0-9A-Za-z-]`. Unlike NuGet, a part is not capped at 2^31-1: it is
 *   compared as a number of any length.
 * - Comparing: the four numeric parts (a missing part is 0, leading zeros ignored:
 *   `1.0` = `1.0.0.0`, `1.01` = `1.1`); then a release sorts after any prerelease; then the
 *   labels one by one: all-digit labels numerically and before other labels, other labels
 *   case-insensitively (ordinal); more labels sort after fewer. Build metadata is ignored.
 */
import type { Versioning } from '../types.js';
import { cachedParser } from '../shared/parse-cache.js';
import { compareDigits } from '../../model/order.js';

interface Label {
  readonly num: boolean;
  /** Digits without leading zeros, or the lower-cased label. */
  readonly value: string;
}

/** The parsed form: four numeric parts and the prerelease labels (empty for a release). */
export interface NuGetVersion {
  readonly kind: 'nuget';
  readonly parts: readonly [string, string, string, string];
  readonly labels: readonly Label[];
}

const NUGET_VERSION =
  /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function stripZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return i === 0 ? digits : digits.slice(i);
}

function parseNuGet(input: string): NuGetVersion | undefined {
  const m = NUGET_VERSION.exec(input.trim());
  if (m === null) return undefined;
  const part = (g: string | undefined): string => (g === undefined ? '0' : stripZeros(g));
  const labels: Label[] =
    m[5] === undefined
      ? []
      : m[5].split('.').map((l) => (/^\d+$/.test(l) ? { num: true, value: stripZeros(l) } : { num: false, value: l.toLowerCase() }));
  return { kind: 'nuget', parts: [part(m[1]), part(m[2]), part(m[3]), part(m[4])], labels };
}

function compareParsed(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const d = compareDigits(a.parts[i]!, b.parts[i]!);
    if (d !== 0) return d;
  }
  const al = a.labels;
  const bl = b.labels;
  if (al.length === 0 || bl.length === 0) return al.length === bl.length ? 0 : al.length === 0 ? 1 : -1;
  const n = Math.min(al.length, bl.length);
  for (let i = 0; i < n; i++) {
    const l = al[i]!;
    const r = bl[i]!;
    if (l.num !== r.num) return l.num ? -1 : 1;
    if (l.value === r.value) continue;
    // Labels are ASCII: UTF-16 order is ordinal order.
    if (l.num) return compareDigits(l.value, r.value);
    return l.value < r.value ? -1 : 1;
  }
  return al.length === bl.length ? 0 : al.length < bl.length ? -1 : 1;
}

const { parse: parseCached, mustParse } = cachedParser(parseNuGet, 'NuGet');

export const versioning: Versioning = {
  parse: (version) => parseCached(version),
  compare: (a, b) => {
    const pa = mustParse(a);
    return a === b ? 0 : compareParsed(pa, mustParse(b));
  },
};
