/**
 * Formatting and data shaping for the pages — pure functions, unit-tested (format.test.ts).
 * Everything that comes from a document or an advisory is shown as text (React escapes it); the
 * only markup decision taken here is whether a URL may become a link (http and https only).
 */
import type { Finding, Severity } from '../api/types';

export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNKNOWN'];

/** Higher is worse; for sorting by severity. */
export function severityWeight(s: string | undefined): number {
  const i = SEVERITIES.indexOf((s ?? 'UNKNOWN').toUpperCase() as Severity);
  // UNKNOWN ranks between MEDIUM and LOW would be a guess: it is ranked last, as vouch scan does
  return i < 0 ? 0 : SEVERITIES.length - i;
}

/** A URL that may be a link: absolute http(s) only — never javascript:, data:, or a relative path. */
export function safeHref(url: string | undefined | null): string | undefined {
  if (typeof url !== 'string') return undefined;
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return undefined;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
}

/** An EPSS probability (0…1) as a percentage: 0.9712 → "97.1%", 0.00042 → "0.04%". */
export function formatEpss(score: number | undefined): string {
  if (score === undefined || !Number.isFinite(score)) return '';
  const pct = score * 100;
  if (pct === 0) return '0%';
  if (pct < 1) return `${Number(pct.toPrecision(1))}%`;
  return `${pct.toFixed(1)}%`;
}

/**
 * How long ago an ISO time was, in the largest whole unit: "just now", "5 minutes ago", "3 days ago".
 * A time that cannot be read is shown as it is; one in the future as "just now".
 */
export function formatAge(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.floor((now.getTime() - t) / 1000));
  const units: [number, string][] = [
    [365 * 86400, 'year'],
    [30 * 86400, 'month'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(s / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/** Whole days between an ISO time and now (0 for today or the future; undefined when unreadable). */
export function daysSince(iso: string | undefined, now: Date = new Date()): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, Math.floor((now.getTime() - t) / 86_400_000));
}

/** A purl's parts for display: `pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1` → type maven, name `org.apache.logging.log4j/log4j-core`, version 2.14.1. */
export function purlParts(purl: string): { type: string; name: string; version?: string } {
  const m = /^pkg:([^/]+)\/([^@?#]+)(?:@([^?#]+))?/.exec(purl);
  if (!m) return { type: '', name: purl };
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { type: m[1]!, name: dec(m[2]!), ...(m[3] !== undefined ? { version: dec(m[3]) } : {}) };
}

/** The findings filter of the project page (the HTML report's): free text, minimum severity, KEV only, hide suppressed. */
export interface FindingFilter {
  text?: string;
  minSeverity?: Severity;
  kevOnly?: boolean;
  showSuppressed?: boolean;
}

/** Every text a finding is found by: its ids, aliases, package, version and summary. */
function haystack(f: Finding): string {
  return [f.id, ...(f.ids ?? []), ...(f.aliases ?? []), f.purl, f.name, f.version, f.summary ?? ''].join('\n').toLowerCase();
}

export function filterFindings(findings: readonly Finding[], filter: FindingFilter): Finding[] {
  const words = (filter.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const min = filter.minSeverity ? severityWeight(filter.minSeverity) : 0;
  return findings.filter((f) => {
    if (f.suppressed && !filter.showSuppressed) return false;
    if (filter.kevOnly && !f.kev) return false;
    if (min > 0 && severityWeight(f.severity?.rating) < min) return false;
    if (words.length) {
      const h = haystack(f);
      if (!words.every((w) => h.includes(w))) return false;
    }
    return true;
  });
}

/** Priority order: the report's `priority.rank` (1 first); findings without a rank after, by severity then id. */
export function byPriority(a: Finding, b: Finding): number {
  const ra = a.priority?.rank ?? Number.POSITIVE_INFINITY;
  const rb = b.priority?.rank ?? Number.POSITIVE_INFINITY;
  if (ra !== rb) return ra < rb ? -1 : 1;
  const s = severityWeight(b.severity?.rating) - severityWeight(a.severity?.rating);
  if (s !== 0) return s;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The fix to show: the versions that close the installed version's interval, else every fixed version named. */
export function fixText(f: Finding): string {
  const fixed = f.fixed?.length ? f.fixed : f.fixedVersions ?? [];
  return fixed.length ? fixed.join(', ') : 'no fix';
}

/** A dependency path for display: the root label, then each purl shortened to name@version. */
export function pathLabel(path: readonly string[]): string[] {
  return path.map((p, i) => {
    if (i === 0 && !p.startsWith('pkg:')) return p;
    const { name, version } = purlParts(p);
    return version !== undefined ? `${name}@${version}` : name;
  });
}

/** The severity totals of a portfolio summary in display order, with their sum. */
export function severityRows(bySeverity: Record<string, number> | undefined): { severity: Severity; count: number }[] {
  return SEVERITIES.map((s) => ({ severity: s, count: bySeverity?.[s] ?? 0 }));
}

/** A project list filter: every word must be in the name, a tag or an owner. */
export function matchesProject(p: { name: string; tags?: string[]; owners?: string[] }, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const h = [p.name, ...(p.tags ?? []), ...(p.owners ?? [])].join('\n').toLowerCase();
  return words.every((w) => h.includes(w));
}

/** The latest `n` events, newest first (the API lists them oldest first). */
export function latestEvents<T extends { id: number }>(events: readonly T[], n: number): T[] {
  return [...events].sort((a, b) => b.id - a.id).slice(0, n);
}

/**
 * Events counted per UTC day, every day from the first to the last (days without any as 0), for
 * the Portfolio's chart: x in Unix seconds (uPlot's time scale), then the new and resolved counts.
 */
export function eventsPerDay(events: readonly { type: string; at: string }[]): { days: number[]; added: number[]; resolved: number[] } {
  const byDay = new Map<number, { added: number; resolved: number }>();
  for (const e of events) {
    const t = Date.parse(e.at);
    if (Number.isNaN(t)) continue;
    const day = Math.floor(t / 86_400_000) * 86_400;
    const c = byDay.get(day) ?? { added: 0, resolved: 0 };
    if (e.type === 'finding.new') c.added++;
    else if (e.type === 'finding.resolved') c.resolved++;
    byDay.set(day, c);
  }
  const out = { days: [] as number[], added: [] as number[], resolved: [] as number[] };
  if (byDay.size === 0) return out;
  const first = Math.min(...byDay.keys());
  const last = Math.max(...byDay.keys());
  for (let d = first; d <= last; d += 86_400) {
    const c = byDay.get(d);
    out.days.push(d);
    out.added.push(c?.added ?? 0);
    out.resolved.push(c?.resolved ?? 0);
  }
  return out;
}
