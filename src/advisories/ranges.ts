/**
 * OSV range evaluation (osv-schema "Evaluation"): SEMVER and ECOSYSTEM ranges with introduced,
 * fixed, last_affected and limit events in any order, several ranges per entry, and explicit
 * `versions` lists. GIT ranges describe commits, not package versions: they never match a package
 * version and are counted instead.
 *
 * A range is turned into half-open/closed intervals by sorting its events in the ecosystem's order
 * (introduced "0" lowest) and pairing each `introduced` with the next `fixed` (exclusive) or
 * `last_affected` (inclusive). Evaluating intervals instead of a running flag lets a finding say
 * which interval matched, and keeps disjoint ranges disjoint.
 */
import type { OsvEvent, OsvRange } from '../model/advisory.js';
import type { Versioning } from '../ecosystems/types.js';

export interface Interval {
  introduced: string; // "0" = from the beginning
  fixed?: string; // exclusive upper bound
  lastAffected?: string; // inclusive upper bound
}

export interface EvaluatedRange {
  intervals: Interval[];
  /** `limit` events: versions at or above every limit are outside the range ("*" = no limit). */
  limits: string[];
}

export class MalformedRangeError extends Error {}

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface Ev {
  kind: Kind;
  version: string;
}

function eventOf(e: OsvEvent): Ev {
  const keys = (['introduced', 'fixed', 'last_affected', 'limit'] as const).filter((k) => e[k] !== undefined);
  if (keys.length !== 1) throw new MalformedRangeError(`event ${JSON.stringify(e)} must have exactly one of introduced, fixed, last_affected, limit`);
  const kind = keys[0]!;
  const version = e[kind];
  if (typeof version !== 'string') throw new MalformedRangeError(`event ${kind} is not a string`);
  return { kind, version };
}

/** Build the intervals of one SEMVER/ECOSYSTEM range. Throws MalformedRangeError on a broken range. */
export function evaluateRange(range: OsvRange, versioning: Versioning): EvaluatedRange {
  if (!Array.isArray(range.events) || range.events.length === 0) throw new MalformedRangeError('range has no events');
  const events: Ev[] = [];
  const limits: string[] = [];
  for (const raw of range.events) {
    if (raw === null || typeof raw !== 'object') throw new MalformedRangeError('event is not an object');
    const ev = eventOf(raw);
    if (ev.kind === 'limit') {
      if (ev.version !== '*') check(versioning, ev.version);
      limits.push(ev.version);
      continue;
    }
    // An empty fixed (seen in the wild: {"fixed": ""}) closes nothing: the range stays open.
    if (ev.version === '' && ev.kind !== 'introduced') continue;
    if (!(ev.kind === 'introduced' && ev.version === '0')) check(versioning, ev.version);
    events.push(ev);
  }
  if (!events.some((e) => e.kind === 'introduced')) throw new MalformedRangeError('range has no introduced event');

  // Sort by version ("0" first), then walk groups of equal versions. At a version X where events
  // tie, what is open decides (real records do this: PYSEC-2023-72 chains [0, 3.1.1), [3.1.1, 3.2.0),
  // [3.2.0, 3.2.2) as `fixed 3.1.1` + `introduced 3.1.1`):
  //   - an interval is open: the closing event ends it at X, and an `introduced X` starts the next
  //     one at X, so the chain stays continuous;
  //   - nothing is open: `introduced X` + `fixed X` is empty; `introduced X` + `last_affected X` is
  //     exactly X; `introduced X` alone opens at X.
  events.sort((a, b) => {
    const za = a.kind === 'introduced' && a.version === '0';
    const zb = b.kind === 'introduced' && b.version === '0';
    if (za || zb) return za && zb ? 0 : za ? -1 : 1;
    return versioning.compare(a.version, b.version);
  });

  const intervals: Interval[] = [];
  let open: string | undefined;
  for (let i = 0; i < events.length; ) {
    let j = i + 1;
    while (j < events.length && sameVersion(events[i]!, events[j]!, versioning)) j++;
    const group = events.slice(i, j);
    i = j;
    const intro = group.find((e) => e.kind === 'introduced');
    const close = group.find((e) => e.kind === 'fixed') ?? group.find((e) => e.kind === 'last_affected');
    if (open !== undefined) {
      if (close) {
        intervals.push(close.kind === 'fixed' ? { introduced: open, fixed: close.version } : { introduced: open, lastAffected: close.version });
        open = undefined;
        if (intro) open = intro.version;
      }
      // a second introduced inside an open interval extends nothing
    } else if (intro) {
      if (!close) open = intro.version;
      else if (close.kind === 'last_affected') intervals.push({ introduced: intro.version, lastAffected: close.version });
      // introduced X + fixed X: an empty interval
    }
    // a fixed/last_affected with nothing open closes nothing
  }
  if (open !== undefined) intervals.push({ introduced: open });
  return { intervals, limits };
}

function sameVersion(a: Ev, b: Ev, versioning: Versioning): boolean {
  const za = a.kind === 'introduced' && a.version === '0';
  const zb = b.kind === 'introduced' && b.version === '0';
  if (za || zb) return za && zb;
  return versioning.compare(a.version, b.version) === 0;
}

function check(versioning: Versioning, v: string): void {
  if (versioning.parse(v) === undefined) throw new MalformedRangeError(`"${v}" is not a valid version`);
}

/** The interval of `range` containing `version`, or undefined. `version` must parse. */
export function intervalContaining(range: EvaluatedRange, version: string, versioning: Versioning): Interval | undefined {
  if (range.limits.length > 0 && !range.limits.some((l) => l === '*' || versioning.compare(version, l) < 0)) return undefined;
  for (const iv of range.intervals) {
    if (iv.introduced !== '0' && versioning.compare(version, iv.introduced) < 0) continue;
    if (iv.fixed !== undefined && versioning.compare(version, iv.fixed) >= 0) continue;
    if (iv.lastAffected !== undefined && versioning.compare(version, iv.lastAffected) > 0) continue;
    return iv;
  }
  return undefined;
}
