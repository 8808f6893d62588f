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
import { describeAdvisory, exploitLines, feedLines, statusTable, summaryLine } from '../advisories/render.js';
import { DEFAULT_OSV_SOURCE, defaultSource } from '../advisories/sources.js';
import { AdvisoryStore, type PartnerFeedStatus } from '../advisories/store.js';
import { repeatable } from './repeatable.js';
import type { FeedStatus } from '../model/store.js';
import { DEFAULT_KEV_SOURCE } from '../advisories/kev.js';
import { DEFAULT_EPSS_SOURCE } from '../advisories/epss.js';
import { VouchError } from '../model/errors.js';
import { createProgress } from './progress.js';
import { formatOf, formatOption, offlineOption } from './options.js';
import { safeLine } from '../model/text.js';

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
    .option(
      '--trusted-key <file>',
      'the --source is a signed advisory feed (vouch feed publish; docs/feeds.md): verify it with this publisher\'s public key (repeatable) and load it beside the OSV records',
      repeatable,
      [],
    )
    .option('--drop-feed <feed>', 'forget a subscribed feed: drop its records (its URL or folder, as `vouch db status` lists it); nothing else is loaded')
    .option('-q, --quiet', 'no progress, no summary (errors only)')
    .addHelpText(
      'after',
      `
With --trusted-key, --source names a partner's signed feed (an https URL or a local folder): its
index must verify with one of the keys, every file must match its digest, and no file may be
missing or added; otherwise nothing of it is loaded and the store stays as it was. Its records
are kept apart from OSV's, with their source, and a scan names the partner of each finding:
  vouch db update --source https://partner.example/feed --trusted-key partner.pub

The KEV catalog and EPSS scores are fetched by default only when the advisories come from the
public OSV bucket (no --source and no $VOUCH_OSV_SOURCE): an update from a local source never
touches the network unless --kev / --epss name a URL. Feeds not loaded are kept from the current
store. A failed download or a broken feed is an error that leaves the store as it was.`,
    )
    .action(async (opts: UpdateCliOptions, cmd: Command) => {
      const home = homeOf(cmd);
      const progress = createProgress({ quiet: opts.quiet === true });
      if (opts.dropFeed !== undefined) {
        await dropFeed(home, opts);
        return;
      }
      if (opts.trustedKey.length) {
        await updateFromFeed(home, opts);
        return;
      }
      let summary: UpdateSummary;
      try {
        summary = await updateStore({ home, ...feedPlan(opts), ecosystems: opts.ecosystem.length ? opts.ecosystem : undefined, prune: opts.prune === true, progress });
      } finally {
        progress.done();
      }
      if (opts.quiet) return;
      for (const w of summary.warnings.slice(0, SHOWN_WARNINGS)) process.stderr.write(`vouch: skipped ${safeLine(w)}\n`);
      if (summary.skipped > SHOWN_WARNINGS) process.stderr.write(`vouch: ... and ${summary.skipped - SHOWN_WARNINGS} more skipped\n`);
      for (const f of [summary.kev, summary.epss]) {
        if (!f) continue;
        for (const w of f.warnings.slice(0, 5)) process.stderr.write(`vouch: ${safeLine(`${f.source}: skipped ${w}`)}\n`);
        if (f.skipped > 5) process.stderr.write(`vouch: ${f.source}: ... and ${f.skipped - 5} more skipped\n`);
      }
      process.stderr.write(`${summaryLine(summary)}\n`);
    });
  offlineOption(update, 'never touch the network: a URL source or feed fails with one line instead of being downloaded');

  db.command('status')
    .description('per ecosystem: advisories, newest `modified`, source and when it was loaded; then the KEV and EPSS feeds and the subscribed advisory feeds')
    .addOption(formatOption(['table', 'json'], 'output format (default: table)'))
    .option('--json', 'the same as --format json')
    .action((opts: FormatOptions, cmd: Command) => {
      const store = AdvisoryStore.open(homeOf(cmd));
      try {
        const rows = store.status();
        const feeds = store.feeds();
        if (formatOf(opts, 'table') === 'json') {
          const feed = (name: string): FeedStatus | null => feeds.find((f) => f.feed === name) ?? null;
          const doc = { store: store.path, advisories: store.count(), ecosystems: rows, kev: feed('kev'), epss: feed('epss'), subscribed: store.partnerFeeds() };
          process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        } else {
          process.stdout.write(statusTable(rows, store.count(), store.path) + feedLines(feeds) + partnerLines(store.partnerFeeds()));
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
  trustedKey: string[];
  dropFeed?: string;
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

/** One line per subscribed feed (docs/feeds.md), after the KEV / EPSS lines. */
function partnerLines(partners: PartnerFeedStatus[]): string {
  return partners.map((p) => `Feed: ${p.publisher}: ${p.count} record(s), published ${p.published}, loaded ${p.loadedAt}, key ${p.key}, from ${p.feed}\n`).join('');
}

/**
 * `db update --source FEED --trusted-key KEY`: the feed read and verified in full first (nothing is
 * built unless all of it verifies), then loaded by the same atomic swap as every update.
 */
async function updateFromFeed(home: string, opts: UpdateCliOptions): Promise<void> {
  if (opts.source === undefined) throw new VouchError('USAGE', '--trusted-key needs --source naming the feed (an https URL or a folder)');
  if (opts.ecosystem.length || opts.prune || opts.osv === false || typeof opts.kev === 'string' || typeof opts.epss === 'string') {
    throw new VouchError('USAGE', '--trusted-key loads one signed feed: --ecosystem, --prune, --no-osv, --kev and --epss do not apply');
  }
  // the signing libraries load only for a signed feed (ARCHITECTURE.md, "Start-up")
  const [{ displayKeyId, loadKey }, { verifyDocument }, { readAdvisoryFeed }] = await Promise.all([
    import('../attest/keys.js'),
    import('../attest/signed-document.js'),
    import('../share/feed.js'),
  ]);
  const keys = await Promise.all(opts.trustedKey.map((k) => loadKey(k)));
  const previous = previousFeeds(home);
  const feed = await readAdvisoryFeed(
    opts.source,
    async (index, bundle) => ({ keyId: (await verifyDocument(index, bundle, keys, 'feed')).keyId }),
    { notBefore: (location) => previous.find((p) => p.feed === location)?.published },
  );
  const summary = await updateStore({
    home,
    partner: {
      location: feed.location,
      publisher: feed.publisher,
      published: feed.published,
      key: displayKeyId(feed.keyId),
      records: feed.records.map((r) => ({ id: r.id, tlp: r.tlp, data: r.data, origin: r.from })),
    },
  });
  if (opts.quiet) return;
  const tlps = ['CLEAR', 'GREEN', 'AMBER', 'RED'].map((l) => [l, feed.records.filter((r) => r.tlp === l).length] as const).filter(([, n]) => n > 0);
  process.stderr.write(
    `vouch: loaded ${feed.records.length} advisory record(s) from ${feed.publisher} (${feed.location}; ${tlps.map(([l, n]) => `${n} ${l}`).join(', ') || 'none'}), ` +
      `signed by ${displayKeyId(feed.keyId)}, published ${feed.published}${feed.vex.length ? `; ${feed.vex.length} VEX document(s) verified, not applied` : ''} → ${summary.path}\n`,
  );
}

/** `db update --drop-feed FEED`: the store rebuilt without that feed's records (the same atomic swap). */
async function dropFeed(home: string, opts: UpdateCliOptions): Promise<void> {
  if (opts.source !== undefined || opts.trustedKey.length || opts.ecosystem.length || opts.prune || typeof opts.kev === 'string' || typeof opts.epss === 'string') {
    throw new VouchError('USAGE', '--drop-feed only drops a subscribed feed: give it alone');
  }
  const spec = opts.dropFeed!;
  const feed = (await import('../share/feed.js')).feedLocation(spec);
  const summary = await updateStore({ home, dropPartner: feed });
  if (!opts.quiet) process.stderr.write(`vouch: dropped the records of ${feed}; ${summary.partnersKept.length} subscribed feed(s) kept\n`);
}

function previousFeeds(home: string): PartnerFeedStatus[] {
  try {
    const store = AdvisoryStore.open(home);
    try {
      return store.partnerFeeds();
    } finally {
      store.close();
    }
  } catch (e) {
    if (e instanceof VouchError && (e.code === 'STORE_MISSING' || e.code === 'STORE_CORRUPT')) return [];
    throw e;
  }
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

