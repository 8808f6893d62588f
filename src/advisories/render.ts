/** The text outputs of `vouch db`: the store's status, one advisory as a person reads it, an update's summary. */
import type { Advisory, OsvRange } from '../model/advisory.js';
import type { EcosystemStatus, FeedStatus } from '../model/store.js';
import type { UpdateSummary } from './import.js';
import { advisorySource, cveIds } from '../model/advisory.js';
import type { AdvisoryStore } from './store.js';
import { safeText } from '../model/text.js';

/** `KEV: 1404 entries (catalog 2025.08.25, released ...)` lines under the status table. */
export function feedLines(feeds: FeedStatus[]): string {
  const kev = feeds.find((f) => f.feed === 'kev');
  const epss = feeds.find((f) => f.feed === 'epss');
  const out: string[] = [];
  out.push(
    kev
      ? `KEV:  ${kev.count} entries (catalog ${kev.version ?? '?'}, released ${kev.date ?? '?'}) from ${kev.source}, loaded ${kev.loadedAt}`
      : 'KEV:  not loaded (vouch db update --kev FILE|URL)',
  );
  out.push(
    epss
      ? `EPSS: ${epss.count} scores (model ${epss.version ?? '?'}, score date ${epss.date ?? '?'}) from ${epss.source}, loaded ${epss.loadedAt}`
      : 'EPSS: not loaded (vouch db update --epss FILE|URL)',
  );
  return `${out.join('\n')}\n`;
}

/** `  KEV: ...` / `  EPSS: ...` lines for the CVEs an advisory names (text output of `db show`). */
export function exploitLines(store: AdvisoryStore, adv: Advisory): string {
  const out: string[] = [];
  for (const cve of cveIds([adv.id, ...(adv.aliases ?? [])])) {
    const k = store.kev(cve);
    if (k) out.push(`  KEV:       ${cve} added ${k.dateAdded}${k.dueDate ? `, due ${k.dueDate}` : ''}${k.knownRansomwareUse ? ', known ransomware use' : ''}`);
    const e = store.epss(cve);
    if (e) out.push(`  EPSS:      ${cve} ${e.score} (percentile ${e.percentile}${e.date ? `, ${e.date}` : ''})`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function summaryLine(s: UpdateSummary): string {
  const loaded = s.loaded.reduce((n, e) => n + e.count, 0);
  const parts = [
    s.source !== undefined
      ? `vouch: loaded ${loaded} advisories (${s.loaded.length} ${plural(s.loaded.length, 'ecosystem')}) from ${s.source}`
      : 'vouch: no advisories loaded (--no-osv)',
  ];
  if (s.kev) parts.push(`KEV: ${s.kev.count} entries${s.kev.version ? ` (catalog ${s.kev.version})` : ''}${s.kev.skipped ? `, ${s.kev.skipped} skipped` : ''}`);
  if (s.epss) parts.push(`EPSS: ${s.epss.count} scores${s.epss.date ? ` (${s.epss.date.slice(0, 10)})` : ''}${s.epss.skipped ? `, ${s.epss.skipped} bad rows` : ''}`);
  if (s.feedsKept.length) parts.push(`kept ${s.feedsKept.map((f) => f.toUpperCase()).join(' and ')}`);
  if (s.kept.length) parts.push(`kept ${s.kept.length} other ${plural(s.kept.length, 'ecosystem')}`);
  if (s.dropped.length) parts.push(`dropped ${s.dropped.join(', ')}`);
  parts.push(`${s.advisories} in the store (${s.withdrawn} withdrawn)`);
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  return `${parts.join('; ')}; ${s.seconds.toFixed(1)}s`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

export function statusTable(rows: EcosystemStatus[], total: number, path: string): string {
  if (!rows.length) return `store ${path} holds no ecosystems\n`;
  const header = ['ECOSYSTEM', 'ADVISORIES', 'NEWEST MODIFIED', 'LOADED AT', 'SOURCE'];
  const body = rows.map((r) => [r.ecosystem, String(r.count), r.newestModified ?? '-', r.loadedAt, r.source]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return safeText(`${[line(header), ...body.map(line)].join('\n')}\n\n${total} advisories in ${path}\n`);
}

/** A short human summary of one record. */
export function describeAdvisory(adv: Advisory, withdrawn: boolean, asked?: string): string {
  const out: string[] = [];
  out.push(withdrawn ? `${adv.id}  [WITHDRAWN${adv.withdrawn ? ` ${adv.withdrawn}` : ''}]` : adv.id);
  if (asked && asked.toLowerCase() !== adv.id.toLowerCase()) out.push(`  (found as an alias: ${asked})`);
  const source = advisorySource(adv);
  if (source) out.push(`  source:    ${source.name}, TLP:${source.tlp} (feed ${source.url}, key ${source.key})`);
  if (adv.aliases?.length) out.push(`  aliases:   ${adv.aliases.join(', ')}`);
  if (adv.summary) out.push(`  summary:   ${oneLine(adv.summary)}`);
  else if (adv.details) out.push(`  details:   ${truncate(oneLine(adv.details), 200)}`);
  const dates = [`modified ${adv.modified}`];
  if (adv.published) dates.unshift(`published ${adv.published}`);
  out.push(`  dates:     ${dates.join(', ')}`);
  const sev = (adv.severity ?? []).map((s) => `${s.type} ${s.score}`);
  const dbSev = adv.database_specific?.['severity'];
  if (typeof dbSev === 'string') sev.push(dbSev);
  if (sev.length) out.push(`  severity:  ${sev.join('; ')}`);
  const affected = adv.affected ?? [];
  if (affected.length) {
    out.push('  affected:');
    for (const a of affected) {
      const pkg = a.package ? `${a.package.ecosystem} ${a.package.name}` : '(no package)';
      out.push(`    ${pkg}`);
      for (const r of a.ranges ?? []) out.push(`      ${describeRange(r)}`);
      if (a.versions?.length) {
        const shown = a.versions.slice(0, 12).join(', ');
        out.push(`      versions: ${shown}${a.versions.length > 12 ? `, ... (${a.versions.length} in all)` : ''}`);
      }
      if (!a.ranges?.length && !a.versions?.length) out.push('      (no ranges or versions)');
    }
  }
  return safeText(`${out.join('\n')}\n`);
}

function describeRange(r: OsvRange): string {
  const events = (r.events ?? []).map((e) => {
    if (e.introduced !== undefined) return `introduced ${e.introduced}`;
    if (e.fixed !== undefined) return `fixed ${e.fixed}`;
    if (e.last_affected !== undefined) return `last_affected ${e.last_affected}`;
    if (e.limit !== undefined) return `limit ${e.limit}`;
    return JSON.stringify(e);
  });
  const repo = r.repo ? ` ${r.repo}` : '';
  return `${r.type}${repo}: ${events.join(', ') || '(no events)'}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
