/**
 * `vouch db`: the OSV advisory store.
 *
 *   vouch db [--home DIR] update [--source S] [--ecosystem E ...] [--prune] [--no-osv]
 *                                [--kev S | --no-kev] [--epss S | --no-epss] [--quiet]
 *   vouch db [--home DIR] status [--json]
 *   vouch db [--home DIR] show ID [--json]
 *
 * Results go to stdout, progress and the update's summary to stderr.
 */
import type { Command } from 'commander';
import { updateStore, type UpdateSummary } from '../advisories/import.js';
import { DEFAULT_OSV_SOURCE, defaultSource } from '../advisories/sources.js';
import { AdvisoryStore } from '../advisories/store.js';
import type { EcosystemStatus, FeedStatus } from '../model/store.js';
import { DEFAULT_KEV_SOURCE } from '../advisories/kev.js';
import { cveIds } from '../model/advisory.js';
import { DEFAULT_EPSS_SOURCE } from '../advisories/epss.js';
import type { Advisory, OsvRange } from '../model/advisory.js';
import { VouchError } from '../model/errors.js';
import { createProgress } from './progress.js';
import { formatOf, formatOption, offlineOption } from './options.js';

interface FormatOptions {
  format?: 'table' | 'json';
  json?: boolean;
}

/** Warnings printed one per line after an update; the rest are only counted. */
const SHOWN_WARNINGS = 20;

export function registerDb(program: Command): void {
  const db = program
    .command('db')
    .description('the OSV advisory store: load it, see what it holds, look up one advisory')
    .option('--home <dir>', 'store folder (default: $VOUCH_HOME, else $XDG_CACHE_HOME/vouch, else ~/.cache/vouch)');

  const update = db
    .command('update')
    .description('load OSV advisories into the store (a new store file is built, then renamed into place)')
    .option(
      '--source <source>',
      'URL laid out like the OSV bulk export, a local folder of <Ecosystem>/all.zip, one zip, or a folder of OSV JSON files ' +
        '(default: $VOUCH_OSV_SOURCE, else https://osv-vulnerabilities.storage.googleapis.com)',
    )
    .option('--ecosystem <name>', 'load only this ecosystem, keeping the others as they are (repeatable, or comma-separated)', collect, [])
    .option('--prune', 'drop ecosystems of the current store that this update does not load')
    .option('--no-osv', 'load no advisories: keep the store\'s as they are (to load only --kev / --epss)')
    .option('--kev <source>', `CISA KEV catalog JSON: a file or an https URL (default: ${DEFAULT_KEV_SOURCE} when the OSV source is the default one)`)
    .option('--no-kev', 'do not load the KEV catalog (the store keeps the one it has)')
    .option('--epss <source>', `EPSS scores CSV, plain or gzipped: a file or an https URL (default: ${DEFAULT_EPSS_SOURCE} when the OSV source is the default one)`)
    .option('--no-epss', 'do not load EPSS scores (the store keeps the ones it has)')
    .option('-q, --quiet', 'no progress, no summary (errors only)')
    .addHelpText(
      'after',
      `
The KEV catalog and EPSS scores are fetched by default only when the advisories come from the
public OSV bucket (no --source and no $VOUCH_OSV_SOURCE): an update from a local source never
touches the network unless --kev / --epss name a URL. Feeds not loaded are kept from the current
store. A failed download or a broken feed is an error that leaves the store as it was.`,
    )
    .action(async (opts: UpdateCliOptions, cmd: Command) => {
      const home = homeOf(cmd);
      const progress = createProgress({ quiet: opts.quiet === true });
      let summary: UpdateSummary;
      try {
        summary = await updateStore({ home, ...feedPlan(opts), ecosystems: opts.ecosystem.length ? opts.ecosystem : undefined, prune: opts.prune === true, progress });
      } finally {
        progress.done();
      }
      if (opts.quiet) return;
      for (const w of summary.warnings.slice(0, SHOWN_WARNINGS)) process.stderr.write(`vouch: skipped ${w}\n`);
      if (summary.skipped > SHOWN_WARNINGS) process.stderr.write(`vouch: ... and ${summary.skipped - SHOWN_WARNINGS} more skipped\n`);
      for (const f of [summary.kev, summary.epss]) {
        if (!f) continue;
        for (const w of f.warnings.slice(0, 5)) process.stderr.write(`vouch: ${f.source}: skipped ${w}\n`);
        if (f.skipped > 5) process.stderr.write(`vouch: ${f.source}: ... and ${f.skipped - 5} more skipped\n`);
      }
      process.stderr.write(`${summaryLine(summary)}\n`);
    });
  offlineOption(update, 'never touch the network: a URL source or feed fails with one line instead of being downloaded');

  db.command('status')
    .description('per ecosystem: advisories, newest `modified`, source and when it was loaded; then the KEV and EPSS feeds')
    .addOption(formatOption(['table', 'json'], 'output format (default: table)'))
    .option('--json', 'the same as --format json')
    .action((opts: FormatOptions, cmd: Command) => {
      const store = AdvisoryStore.open(homeOf(cmd));
      try {
        const rows = store.status();
        const feeds = store.feeds();
        if (formatOf(opts, 'table') === 'json') {
          const feed = (name: string): FeedStatus | null => feeds.find((f) => f.feed === name) ?? null;
          const doc = { store: store.path, advisories: store.count(), ecosystems: rows, kev: feed('kev'), epss: feed('epss') };
          process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        } else {
          process.stdout.write(statusTable(rows, store.count(), store.path) + feedLines(feeds));
        }
      } finally {
        store.close();
      }
    });

  db.command('show')
    .description('the advisory with this OSV id, or the ones listing it as an alias (e.g. CVE-2021-44228)')
    .argument('<id>', 'an OSV id (GHSA-..., PYSEC-..., GO-...) or an alias')
    .addOption(formatOption(['table', 'json'], 'output format: table (default), or json: the record(s) as published, a JSON array'))
    .option('--json', 'the same as --format json')
    .action((id: string, opts: FormatOptions, cmd: Command) => {
      const store = AdvisoryStore.open(homeOf(cmd));
      try {
        const found = store.findByIdOrAlias(id);
        if (!found.length) throw new VouchError('INPUT_MISSING', `no advisory with id or alias "${id}" in the store (${store.path})`);
        if (formatOf(opts, 'table') === 'json') {
          process.stdout.write(`${JSON.stringify(found.map((f) => f.advisory), null, 2)}\n`);
        } else {
          process.stdout.write(found.map((f) => describeAdvisory(f.advisory, f.withdrawn, id) + exploitLines(store, f.advisory)).join('\n'));
        }
      } finally {
        store.close();
      }
    });
}

interface UpdateCliOptions {
  source?: string;
  ecosystem: string[];
  prune?: boolean;
  quiet?: boolean;
  /** false with --no-osv */
  osv?: boolean;
  /** a source, or false with --no-kev */
  kev?: string | false;
  epss?: string | false;
}

/**
 * Which sources an update reads. KEV and EPSS default to the public feeds only when the advisories
 * come from the default public OSV bucket, so an update from local files stays offline.
 */
export function feedPlan(opts: { source?: string; osv?: boolean; kev?: string | false; epss?: string | false }): {
  source: string | undefined;
  kev: string | undefined;
  epss: string | undefined;
} {
  const source = opts.osv === false ? undefined : (opts.source ?? defaultSource());
  if (opts.osv === false && opts.source !== undefined) throw new VouchError('USAGE', '--no-osv and --source cannot be used together');
  const online = source !== undefined && source.replace(/\/+$/, '') === DEFAULT_OSV_SOURCE;
  const pick = (v: string | false | undefined, dflt: string): string | undefined => (v === false ? undefined : (v ?? (online ? dflt : undefined)));
  const plan = { source, kev: pick(opts.kev, DEFAULT_KEV_SOURCE), epss: pick(opts.epss, DEFAULT_EPSS_SOURCE) };
  if (!plan.source && !plan.kev && !plan.epss) throw new VouchError('USAGE', '--no-osv loads nothing without --kev or --epss');
  return plan;
}

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
function exploitLines(store: AdvisoryStore, adv: Advisory): string {
  const out: string[] = [];
  for (const cve of cveIds([adv.id, ...(adv.aliases ?? [])])) {
    const k = store.kev(cve);
    if (k) out.push(`  KEV:       ${cve} added ${k.dateAdded}${k.dueDate ? `, due ${k.dueDate}` : ''}${k.knownRansomwareUse ? ', known ransomware use' : ''}`);
    const e = store.epss(cve);
    if (e) out.push(`  EPSS:      ${cve} ${e.score} (percentile ${e.percentile}${e.date ? `, ${e.date}` : ''})`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function collect(value: string, previous: string[]): string[] {
  return previous.concat(
    value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );
}

function homeOf(cmd: Command): string {
  const home = (cmd.optsWithGlobals() as { home?: string }).home;
  return home ? home : AdvisoryStore.defaultHome();
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
  return `${[line(header), ...body.map(line)].join('\n')}\n\n${total} advisories in ${path}\n`;
}

/** A short human summary of one record. */
export function describeAdvisory(adv: Advisory, withdrawn: boolean, asked?: string): string {
  const out: string[] = [];
  out.push(withdrawn ? `${adv.id}  [WITHDRAWN${adv.withdrawn ? ` ${adv.withdrawn}` : ''}]` : adv.id);
  if (asked && asked.toLowerCase() !== adv.id.toLowerCase()) out.push(`  (found as an alias: ${asked})`);
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
  return `${out.join('\n')}\n`;
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
