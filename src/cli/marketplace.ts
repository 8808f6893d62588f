/**
 * `vouch marketplace ...`: the maintenance marketplace from the command line. Needs derived from a
 * portfolio, volunteers matched to them, engagements followed to a re-checked "done", a quarterly
 * report, and a signed feed of needs and pledges. Everything below is src/marketplace/.
 */
import { type Command, Option } from 'commander';
import { loadKey } from '../attest/keys.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { parseJsonInput } from '../io/json.js';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, VouchError } from '../model/errors.js';
import { collectNeeds } from '../marketplace/collect.js';
import { recheck } from '../marketplace/done-check.js';
import { FileEngagementRepository } from '../marketplace/engagement-file.js';
import { ENGAGEMENT_STATES, type EngagementState, addLink, confirmDone, logHours, proposeEngagement, transition } from '../marketplace/engagements.js';
import { FEED_BUNDLE_SUFFIX, FEED_SCHEMA, type MarketplaceFeed, buildFeed, readFeed, signFeed, summariseFeeds } from '../marketplace/feed.js';
import { matchVolunteers } from '../marketplace/match.js';
import { renderEngagements, renderFeedSummary, renderMatchTable, renderNeedsTable, renderReport } from '../marketplace/render.js';
import { quarterReport } from '../marketplace/report.js';
import { NEEDS_SCHEMA, type NeedsReport } from '../marketplace/types.js';
import { type VolunteersFile, parseVolunteers } from '../marketplace/volunteers.js';
import { addPassphraseOptions, loadKeyFromOptions, type PassphraseOptions } from './key.js';
import { formatOf, formatOption, parseNow, parseNumber } from './options.js';
import { createProgress } from './progress.js';
import { repeatable } from './repeatable.js';
import { readRegularFile } from '../io/input.js';
import { safeLine } from '../model/text.js';

const DEFAULT_ENGAGEMENTS = 'vouch-engagements.json';

interface FormatOptions {
  format?: 'table' | 'json';
  output?: string;
  quiet?: boolean;
}

interface NeedsSourceOptions {
  portfolio?: string[];
  repos?: string;
  top?: string;
  home?: string;
  now?: string;
  needs?: string;
}

const FORMAT_HELP = 'output format (default: table)';
const format = (): Option => formatOption(['table', 'json'], FORMAT_HELP);
const formatOfOpts = (opts: FormatOptions): 'table' | 'json' => formatOf(opts, 'table');

async function emit(text: string, opts: FormatOptions): Promise<void> {
  if (opts.output) {
    await writeFileAtomic(opts.output, text);
    if (!opts.quiet) process.stderr.write(`vouch: wrote ${opts.output}\n`);
  } else process.stdout.write(text);
}

const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;



async function readText(file: string, what: string): Promise<string> {
  try {
    return (await readRegularFile(file)).toString('utf8');
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: file, cause: e });
  }
}

/** Needs from `--needs FILE` (the JSON of `vouch marketplace needs`) or computed from `--portfolio`. */
async function needsFrom(opts: NeedsSourceOptions & { quiet?: boolean }): Promise<NeedsReport> {
  if (opts.needs && opts.portfolio) throw new VouchError('USAGE', 'give either --needs FILE or --portfolio PATH..., not both');
  if (opts.needs) {
    const doc = parseJsonInput(await readText(opts.needs, 'needs file'), opts.needs) as Partial<NeedsReport>;
    if (typeof doc !== 'object' || doc === null || doc.schema !== NEEDS_SCHEMA || !Array.isArray(doc.needs)) {
      throw new VouchError('INPUT_PARSE', `not a needs file (write one with \`vouch marketplace needs -f json\`; expected "schema": "${NEEDS_SCHEMA}")`, { path: opts.needs, position: { jsonPath: '$.schema' } });
    }
    return doc as NeedsReport;
  }
  if (!opts.portfolio?.length) throw new VouchError('USAGE', 'name the projects with --portfolio PATH... (project folders, lockfiles or SBOMs), or a saved needs file with --needs FILE');
  const progress = createProgress({ quiet: opts.quiet ?? false });
  progress.phase('reading projects', opts.portfolio.length);
  const top = parseNumber('--top', opts.top, 1, 100000);
  const report = await collectNeeds(opts.portfolio, { reposDir: opts.repos, home: opts.home, now: parseNow(opts.now), ...(top !== undefined ? { top: Math.floor(top) } : {}), onProject: () => progress.tick() });
  progress.done();
  return report;
}

function needsSourceOptions(cmd: Command): Command {
  return cmd
    .option('--portfolio <paths...>', 'project folders, lockfiles or SBOMs: the portfolio whose upstream projects need help')
    .option('--repos <dir>', 'a folder of local clones of the packages (matched as by vouch health --portfolio)')
    .option('--top <n>', 'clones of the most relied-upon packages to check', '25')
    .option('--home <dir>', 'the advisory store folder (default: $VOUCH_HOME, else the XDG cache folder)')
    .option('--now <date>', 'judge the clones\' history as of this date (ISO 8601)');
}

async function readVolunteersFile(file: string): Promise<VolunteersFile> {
  return parseVolunteers(await readText(file, 'volunteers file'), file);
}

export function registerMarketplace(program: Command): void {
  const mp = program
    .command('marketplace')
    .description('match the engineers a company can lend to the open source it relies on: needs, matches, engagements, reports, signed feeds')
    .addHelpText(
      'after',
      `
Start with \`vouch marketplace needs --portfolio PROJECTS... --repos CLONES\`, save it with -f json -o needs.json,
then \`vouch marketplace match --needs needs.json --volunteers volunteers.yaml\`. See docs/marketplace.md.`,
    );

  needsSourceOptions(
    mp
      .command('needs')
      .description('what the upstream projects we rely on need, ranked by reliance × criticality × gap weight, each with its reason')
      .addOption(format())
      .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
      .option('-q, --quiet', 'no progress on stderr'),
  )
    .addHelpText('after', '\nExit codes: 0 needs listed (or none, explained); 2 usage or input error.')
    .action(async (opts: NeedsSourceOptions & FormatOptions) => {
      if (opts.needs) throw new VouchError('USAGE', 'vouch marketplace needs computes needs; --needs is for match, engagement and feed');
      const report = await needsFrom(opts);
      for (const w of report.warnings) if (!opts.quiet) process.stderr.write(`vouch: ${safeLine(w)}\n`);
      await emit(formatOfOpts(opts) === 'json' ? json(report) : renderNeedsTable(report, 50), opts);
      process.exitCode = EXIT_CLEAN;
    });

  needsSourceOptions(
    mp
      .command('match')
      .description('assign volunteers to needs: the exact maximum of Σ priority × fit within everyone\'s hours, one lead per need')
      .requiredOption('--volunteers <file>', 'the volunteers file (YAML; see docs/marketplace.md)')
      .option('--needs <file>', 'a needs file written by `vouch marketplace needs -f json` (instead of --portfolio)')
      .option('--months <n>', 'the planning period: each volunteer gives hours_per_month × N hours', '3')
      .option('--propose', 'record each match as a proposed engagement (in --engagements)')
      .option('--engagements <file>', 'the engagements file', DEFAULT_ENGAGEMENTS)
      .addOption(format())
      .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
      .option('-q, --quiet', 'no progress on stderr'),
  )
    .addHelpText('after', '\nExit codes: 0 matched (or nothing to match, explained); 2 usage or input error (a malformed volunteers file: the needs are still listed, unmatched).')
    .action(async (opts: NeedsSourceOptions & FormatOptions & { volunteers: string; months: string; propose?: boolean; engagements: string }) => {
      const months = parseNumber('--months', opts.months, 0.25, 24)!;
      const report = await needsFrom(opts);
      // a saved needs file's warnings were shown when it was written
      if (!opts.needs) for (const w of report.warnings) if (!opts.quiet) process.stderr.write(`vouch: ${safeLine(w)}\n`);
      let vf: VolunteersFile = { volunteers: [], pledges: [] };
      let bad: VouchError | undefined;
      try {
        vf = await readVolunteersFile(opts.volunteers);
      } catch (e) {
        if (!(e instanceof VouchError)) throw e;
        bad = e;
        process.stderr.write(`vouch: ${e.oneLine()}\n`);
      }
      const result = await matchVolunteers(report.needs, vf.volunteers, { months });
      if (bad) result.empty = `no volunteers read: ${bad.oneLine()}`;
      if (opts.propose && !bad) {
        const repo = new FileEngagementRepository(opts.engagements);
        const byId = new Map(report.needs.map((n) => [n.id, n]));
        for (const a of result.assignments) {
          try {
            const e = await proposeEngagement(repo, byId.get(a.needId)!, { name: a.lead.volunteer, ...(a.lead.company ? { company: a.lead.company } : {}) });
            if (!opts.quiet) process.stderr.write(`vouch: ${safeLine(`proposed ${e.id}: ${a.lead.volunteer} → ${a.title} (${a.needId})`)}\n`);
          } catch (e) {
            if (!(e instanceof VouchError)) throw e;
            if (!opts.quiet) process.stderr.write(`vouch: not proposed: ${e.oneLine()}\n`);
          }
        }
      }
      await emit(formatOfOpts(opts) === 'json' ? json(result) : renderMatchTable(result), opts);
      process.exitCode = bad ? EXIT_INPUT : EXIT_CLEAN;
    });

  registerEngagement(mp);

  mp.command('report')
    .description('a quarter\'s hours given, needs closed, and health and risk before → after for the projects helped')
    .requiredOption('--quarter <quarter>', 'the quarter, e.g. 2026Q4')
    .option('--volunteers <file>', 'the volunteers file, for the companies\' pledges')
    .option('--engagements <file>', 'the engagements file', DEFAULT_ENGAGEMENTS)
    .addOption(format())
    .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
    .option('-q, --quiet', 'no note on stderr')
    .action(async (opts: FormatOptions & { quarter: string; volunteers?: string; engagements: string }) => {
      const pledges = opts.volunteers ? (await readVolunteersFile(opts.volunteers)).pledges : [];
      const r = quarterReport(await new FileEngagementRepository(opts.engagements).list(), pledges, opts.quarter);
      await emit(formatOfOpts(opts) === 'json' ? json(r) : renderReport(r), opts);
      process.exitCode = EXIT_CLEAN;
    });

  const feed = mp.command('feed').description('publish and read the signed feed of needs, pledges and engagements shared between organisations');
  addPassphraseOptions(
    feed
      .command('publish')
      .description('write FILE (the feed) and FILE.sigstore.json (its signature) for others to read')
      .requiredOption('--key <file>', 'the organisation\'s private key (ECDSA P-256; vouch key generate)')
      .requiredOption('--publisher <name>', 'the organisation publishing the feed')
      .requiredOption('-o, --output <file>', 'the feed file to write (the bundle goes to FILE.sigstore.json)')
      .option('--needs <file>', 'the needs to publish (vouch marketplace needs -f json)')
      .option('--volunteers <file>', 'the volunteers file, for its pledges (volunteers themselves are not published)')
      .option('--engagements <file>', 'the engagements file (published without volunteers\' names)', DEFAULT_ENGAGEMENTS)
      .option('--server <url>', 'publish the portfolio server\'s needs, pledges and engagements instead of files (GET /api/v1/marketplace/feed; a token over the whole portfolio)')
      .option('--token <token>', 'with --server: the token (default: $VOUCH_TOKEN)')
      .option('-q, --quiet', 'no note on stderr'),
  ).action(async (opts: PassphraseOptions & { key: string; publisher: string; output: string; needs?: string; volunteers?: string; engagements: string; server?: string; token?: string; quiet?: boolean }, cmd: Command) => {
    let feed: MarketplaceFeed;
    if (opts.server) {
      if (opts.needs || opts.volunteers || cmd.getOptionValueSource('engagements') === 'cli') throw new VouchError('USAGE', '--server publishes the server\'s needs, pledges and engagements: it does not go with --needs, --volunteers or --engagements');
      feed = await serverFeed(opts.server, opts.token, opts.publisher);
    } else {
      const needs = opts.needs ? (await needsFrom({ needs: opts.needs })).needs : [];
      const pledges = opts.volunteers ? (await readVolunteersFile(opts.volunteers)).pledges : [];
      feed = buildFeed(opts.publisher, needs, pledges, await new FileEngagementRepository(opts.engagements).list());
    }
    const key = await loadKeyFromOptions(opts.key, opts);
    const signed = await signFeed(feed, key);
    await writeFileAtomic(opts.output, signed.text);
    await writeFileAtomic(`${opts.output}${FEED_BUNDLE_SUFFIX}`, signed.bundle);
    if (!opts.quiet) process.stderr.write(`vouch: wrote ${opts.output} and ${opts.output}${FEED_BUNDLE_SUFFIX}: ${feed.needs.length} need(s), ${feed.pledges.length} pledge(s), ${feed.engagements.length} engagement(s)\n`);
    process.exitCode = EXIT_CLEAN;
  });
  feed
    .command('read')
    .description('verify feeds with their publishers\' public keys and show where help is going, by project')
    .argument('<files...>', 'feed files (each with FILE.sigstore.json beside it)')
    .requiredOption('--key <file>', 'a trusted publisher\'s public key (repeatable)', repeatable, [])
    .addOption(format())
    .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
    .addHelpText('after', '\nA feed whose signature does not verify with one of the keys is refused (exit 2); nothing of it is used.')
    .action(async (files: string[], opts: FormatOptions & { key: string[] }) => {
      const keys = await Promise.all(opts.key.map((k) => loadKey(k)));
      const feeds = [];
      for (const f of files) feeds.push((await readFeed(f, keys)).feed);
      const summary = summariseFeeds(feeds);
      await emit(formatOfOpts(opts) === 'json' ? json({ feeds: feeds.map((f) => ({ publisher: f.publisher, published: f.published })), projects: summary }) : renderFeedSummary(summary), opts);
      process.exitCode = EXIT_CLEAN;
    });
}

/** The feed the portfolio server builds from its database (routes-marketplace.ts), to be signed here: the key never goes to the server. */
async function serverFeed(server: string, token: string | undefined, publisher: string): Promise<MarketplaceFeed> {
  const { apiRequest } = await import('../server/client.js');
  const { tokenOf } = await import('./token.js');
  const r = await apiRequest<MarketplaceFeed>({ server, token: tokenOf({ ...(token ? { token } : {}) }) }, 'GET', `/api/v1/marketplace/feed?publisher=${encodeURIComponent(publisher)}`);
  const f = r.body as Partial<MarketplaceFeed> | undefined;
  if (!f || f.schema !== FEED_SCHEMA || !Array.isArray(f.needs) || !Array.isArray(f.pledges) || !Array.isArray(f.engagements)) {
    throw new VouchError('NETWORK', `the server at ${server} did not answer a ${FEED_SCHEMA} document`);
  }
  return f as MarketplaceFeed;
}

function registerEngagement(mp: Command): void {
  const eng = mp.command('engagement').description('follow a match from proposed to a re-checked done: propose, accept, start, log, link, check, drop, list');
  const file = (c: Command): Command => c.option('--engagements <file>', 'the engagements file', DEFAULT_ENGAGEMENTS);
  const say = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };

  file(eng.command('propose'))
    .description('propose a volunteer as the lead of a need')
    .requiredOption('--need <id>', 'the need id (from vouch marketplace needs)')
    .requiredOption('--volunteer <name>', 'the volunteer')
    .requiredOption('--needs <file>', 'the needs file the need comes from (vouch marketplace needs -f json)')
    .option('--company <name>', 'the volunteer\'s company')
    .option('--note <text>', 'a note')
    .action(async (opts: { need: string; volunteer: string; needs: string; company?: string; note?: string; engagements: string }) => {
      const need = (await needsFrom({ needs: opts.needs })).needs.find((n) => n.id === opts.need);
      if (!need) throw new VouchError('USAGE', `no need ${opts.need} in the needs file`, { path: opts.needs });
      const e = await proposeEngagement(new FileEngagementRepository(opts.engagements), need, { name: opts.volunteer, ...(opts.company ? { company: opts.company } : {}) }, { ...(opts.note ? { note: opts.note } : {}) });
      say(`${e.id} proposed: ${e.volunteer} → ${e.need.title} (${e.need.id})`);
    });

  for (const [name, to, what] of [
    ['accept', 'accepted', 'the volunteer (and their company) take the engagement on'],
    ['start', 'in_progress', 'work has started'],
    ['drop', 'dropped', 'give the engagement up (the need can be proposed again)'],
  ] as const) {
    file(eng.command(name))
      .description(what)
      .argument('<id>', 'the engagement id')
      .option('--note <text>', 'a note kept in its history')
      .action(async (id: string, opts: { note?: string; engagements: string }) => {
        const e = await transition(new FileEngagementRepository(opts.engagements), id, to, { ...(opts.note ? { note: opts.note } : {}) });
        say(`${e.id} ${e.state}`);
      });
  }

  file(eng.command('log'))
    .description('log hours given to an accepted or in-progress engagement')
    .argument('<id>', 'the engagement id')
    .requiredOption('--hours <n>', 'hours given')
    .option('--date <yyyy-mm-dd>', 'the day (default: today)')
    .option('--note <text>', 'what was done')
    .action(async (id: string, opts: { hours: string; date?: string; note?: string; engagements: string }) => {
      const hours = parseNumber('--hours', opts.hours, 0.01, 744)!;
      const e = await logHours(new FileEngagementRepository(opts.engagements), id, hours, { ...(opts.date ? { date: opts.date } : {}), ...(opts.note ? { note: opts.note } : {}) });
      say(`${e.id}: ${e.hours.reduce((s, h) => s + h.hours, 0)} h logged in total`);
    });

  file(eng.command('link'))
    .description('link an upstream issue or pull request (https only; never fetched)')
    .argument('<id>', 'the engagement id')
    .argument('<url>', 'the https: URL')
    .action(async (id: string, url: string, opts: { engagements: string }) => {
      const e = await addLink(new FileEngagementRepository(opts.engagements), id, url);
      say(`${e.id}: ${e.links.length} link(s)`);
    });

  file(eng.command('check'))
    .description('re-check the need: done when the health check now passes on the clone, or the advisory now names a fix covering our versions')
    .argument('<id>', 'the engagement id')
    .option('--repo <path>', 'the updated clone to re-check (default: the clone the need was found in)')
    .option('--home <dir>', 'the advisory store folder, for vulnerability needs')
    .option('--now <date>', 'judge the history as of this date (ISO 8601)')
    .addHelpText('after', '\nExit codes: 0 done (confirmed); 1 the need is still open (the reason is printed); 2 usage or input error.')
    .action(async (id: string, opts: { repo?: string; home?: string; now?: string; engagements: string }) => {
      const now = parseNow(opts.now);
      const { engagement, verdict } = await confirmDone(new FileEngagementRepository(opts.engagements), id, (e) => recheck(e, { repo: opts.repo, home: opts.home, now }), { ...(now ? { now } : {}) });
      say(`${engagement.id} ${verdict.passed ? 'done' : `still ${engagement.state}`}: ${verdict.detail}`);
      process.exitCode = verdict.passed ? EXIT_CLEAN : EXIT_FINDINGS;
    });

  file(eng.command('list'))
    .description('list engagements')
    .addOption(new Option('--state <state>', 'only this state').choices([...ENGAGEMENT_STATES]))
    .option('--volunteer <name>', 'only this volunteer\'s')
    .addOption(format())
    .action(async (opts: FormatOptions & { state?: EngagementState; volunteer?: string; engagements: string }) => {
      const list = await new FileEngagementRepository(opts.engagements).list({ ...(opts.state ? { state: opts.state } : {}), ...(opts.volunteer ? { volunteer: opts.volunteer } : {}) });
      process.stdout.write(formatOfOpts(opts) === 'json' ? json(list) : renderEngagements(list));
    });
}
