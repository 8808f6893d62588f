/**
 * `vouch query affected ID` and `vouch query component PURL [--range VERS]`: the portfolio's
 * questions, through the API with --server (or VOUCH_SERVER) and a token, or straight from the
 * database (`--database`, VOUCH_DATABASE_URL, else portfolio.sqlite in the vouch home) — the same
 * portfolio functions either way. Every page is fetched (up to --limit rows); a table or JSON.
 */
import { type Command, Option } from 'commander';
import { parseNumber } from './options.js';
import { formatTable, serverOf, tokenOf, withDb } from './token.js';

interface QueryOptions {
  server?: string;
  token?: string;
  database?: string;
  home?: string;
  format: 'table' | 'json';
  limit?: string;
}

interface AffectedOptions extends QueryOptions {
  current?: boolean;
  tag?: string;
  owner?: string;
}

interface ComponentOptions extends QueryOptions {
  range?: string;
}

interface AffectedRow {
  project: string;
  version: string;
  current: boolean;
  purl: string;
  path: string[];
  firstSeen?: string;
}

interface ComponentRow {
  project: string;
  version: string;
  purl: string;
  componentVersion?: string;
}

/** Rows fetched at most, unless --limit says otherwise. */
const DEFAULT_LIMIT = 10_000;
const PAGE = 500;

function common(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'the server to ask (default: $VOUCH_SERVER); without one, the database is read directly')
    .option('--token <token>', 'the API token for --server (default: $VOUCH_TOKEN)')
    .option('--database <url>', 'postgres://… or a SQLite file, read directly (default: $VOUCH_DATABASE_URL, else portfolio.sqlite in the vouch home)')
    .option('--home <dir>', 'the vouch home holding portfolio.sqlite (default: $VOUCH_HOME)')
    .addOption(new Option('-f, --format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('--limit <n>', `at most this many rows (default ${DEFAULT_LIMIT})`);
}

export function registerQuery(program: Command): void {
  const query = program.command('query').description('ask the portfolio: who is affected by a vulnerability, who uses a package (docs/server.md)');

  common(
    query
      .command('affected')
      .description('every project version affected by a vulnerability: an OSV id or any alias (CVE-2021-44228 finds the GHSA findings)')
      .argument('<id>', 'OSV id or alias')
      .option('--current', 'current versions only')
      .option('--tag <tag>', 'projects with this tag only')
      .option('--owner <owner>', 'projects with this owner only'),
  )
    .addHelpText('after', '\nExample:\n  vouch query affected CVE-2021-44228 --server http://127.0.0.1:8080 --current\n\nExit codes: 0 answered (even with no rows); 2 usage error, or the server refused.')
    .action(async (id: string, opts: AffectedOptions) => {
      const limit = parseNumber('--limit', opts.limit, 1, 10_000_000) ?? DEFAULT_LIMIT;
      const filters = { ...(opts.current ? { current: true } : {}), ...(opts.tag !== undefined ? { tag: opts.tag } : {}), ...(opts.owner !== undefined ? { owner: opts.owner } : {}) };
      const server = serverOf(opts);
      const rows = server
        ? await collect<AffectedRow>(limit, async (cursor, size) => {
            const q = new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, String(v)])), limit: String(size), ...(cursor ? { cursor } : {}) });
            const { apiRequest } = await import('../server/client.js');
            return (await apiRequest<Page<AffectedRow>>({ server, token: tokenOf(opts) }, 'GET', `/api/v1/vulnerabilities/${encodeURIComponent(id)}/affected?${q}`)).body;
          })
        : await withDb(opts, async (db) => {
            const { affected } = await import('../portfolio/queries.js');
            return collect<AffectedRow>(limit, (cursor, size) =>
              affected(db, id, { all: true }, { ...(opts.current ? { currentOnly: true } : {}), ...(opts.tag !== undefined ? { tag: opts.tag } : {}), ...(opts.owner !== undefined ? { owner: opts.owner } : {}), ...(cursor ? { cursor } : {}), limit: size }),
            );
          });
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        process.stdout.write(formatTable(['PROJECT', 'VERSION', 'CURRENT', 'COMPONENT', 'PATH', 'FIRST SEEN'], rows.map((r) => [r.project, r.version, r.current ? 'yes' : 'no', r.purl, r.path.join(' > '), r.firstSeen ?? ''])));
        process.stderr.write(`vouch: ${rows.length} project version(s) affected by ${id}\n`);
      }
    });

  common(
    query
      .command('component')
      .description('who uses a package (a purl without version), optionally within a vers range — for a zero-day with no advisory yet')
      .argument('<purl>', 'pkg:maven/org.apache.logging.log4j/log4j-core')
      .option('--range <vers>', 'only versions in this vers range: vers:maven/<2.17.1'),
  )
    .addHelpText('after', '\nExample:\n  vouch query component pkg:maven/org.apache.logging.log4j/log4j-core --range "vers:maven/<2.17.1"\n\nExit codes: 0 answered (even with no rows); 2 usage error, or the server refused.')
    .action(async (purl: string, opts: ComponentOptions) => {
      const limit = parseNumber('--limit', opts.limit, 1, 10_000_000) ?? DEFAULT_LIMIT;
      const server = serverOf(opts);
      const rows = server
        ? await collect<ComponentRow>(limit, async (cursor, size) => {
            const q = new URLSearchParams({ purl, ...(opts.range !== undefined ? { range: opts.range } : {}), limit: String(size), ...(cursor ? { cursor } : {}) });
            const { apiRequest } = await import('../server/client.js');
            return (await apiRequest<Page<ComponentRow>>({ server, token: tokenOf(opts) }, 'GET', `/api/v1/components?${q}`)).body;
          })
        : await withDb(opts, async (db) => {
            const { componentsUsing } = await import('../portfolio/queries.js');
            return collect<ComponentRow>(limit, async (cursor, size) => {
              const page = await componentsUsing(db, purl, { all: true }, { ...(opts.range !== undefined ? { range: opts.range } : {}), ...(cursor ? { cursor } : {}), limit: size });
              return { items: page.items.map(({ version_, ...rest }) => ({ ...rest, componentVersion: version_ })), ...(page.next !== undefined ? { next: page.next } : {}) };
            });
          });
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        process.stdout.write(formatTable(['PROJECT', 'VERSION', 'COMPONENT'], rows.map((r) => [r.project, r.version, r.purl])));
        process.stderr.write(`vouch: ${rows.length} project version(s) use ${purl}${opts.range ? ` within ${opts.range}` : ''}\n`);
      }
    });
}

interface Page<T> {
  items: T[];
  next?: string;
}

/** Pages until there is no `next` or `limit` rows were read. */
async function collect<T>(limit: number, page: (cursor: string | undefined, size: number) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor, Math.min(PAGE, limit - out.length));
    out.push(...p.items);
    cursor = p.next;
  } while (cursor !== undefined && out.length < limit);
  return out;
}
