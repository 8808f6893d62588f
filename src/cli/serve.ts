/**
 * `vouch serve`: the portfolio server (src/server/node.ts). No set-up: state in SQLite under the
 * vouch home, created and migrated on start; `--database postgres://…` for several nodes. Logs are
 * JSON lines (pino) on stderr; SIGTERM / SIGINT stop it gracefully (exit 0).
 */
import { type Command, Option } from 'commander';
import { VouchError } from '../model/errors.js';
import { parseNumber } from './options.js';

interface ServeOptions {
  host: string;
  port: string;
  database?: string;
  home?: string;
  migrateOnly?: boolean;
  role: 'api' | 'worker' | 'all';
  updateEvery?: string;
  osvSource?: string;
  bodyLimit?: string;
  rateLimit?: string;
  logLevel: string;
  jobsSchema?: string;
  feedKey?: string;
  feedPublisher?: string;
  feedPassphraseEnv?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the portfolio server: projects\' SBOMs in one place, re-checked when advisories change (docs/server.md)')
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--port <port>', 'the port to listen on', '8080')
    .option('--database <url>', 'postgres://user@host/db for PostgreSQL (also $VOUCH_DATABASE_URL); default: SQLite portfolio.sqlite in the vouch home')
    .option('--home <dir>', 'the vouch home: the advisory store and the SQLite database (default: $VOUCH_HOME, else the XDG cache folder)')
    .option('--migrate-only', 'bring the database schema up to date and exit (for deploy pipelines)')
    .addOption(new Option('--role <role>', 'api (answers requests), worker (runs ingest and re-match jobs) or all').choices(['api', 'worker', 'all']).default('all'))
    .option('--update-every <duration>', 'refresh the advisory store this often, then re-match what changed: 30m, 6h, 1d')
    .option('--osv-source <source>', 'what --update-every loads (default: $VOUCH_OSV_SOURCE, else the public OSV export)')
    .option('--jobs-schema <name>', 'PostgreSQL: the schema of the job queue (default pgboss); several deployments on one database each need their own')
    .option('--body-limit <mb>', 'the largest document accepted, in MB (default 50): larger is answered 413')
    .option('--rate-limit <n>', 'requests per minute per token (default 1200)')
    .option('--feed-key <file>', 'serve the organisation\'s own advisories as a signed feed at /api/v1/feed/, signed with this ECDSA P-256 key (docs/feeds.md)')
    .option('--feed-publisher <name>', 'the organisation\'s name in that feed (default: the key\'s SHA256 id)')
    .option('--feed-passphrase-env <var>', 'the environment variable holding --feed-key\'s passphrase, when it is encrypted')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'))
    .addHelpText(
      'after',
      `
Examples:
  vouch serve                                              SQLite in $VOUCH_HOME, http://127.0.0.1:8080
  vouch serve --database postgres://vouch@db/vouch --host 0.0.0.0 --update-every 6h
  vouch serve --database postgres://vouch@db/vouch --migrate-only

The first token: vouch token create --name ops --role admin (against the same database).
API: /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /docs); /healthz, /readyz, /metrics.

Exit codes: 0 stopped by SIGTERM/SIGINT (or --migrate-only done); 2 usage error or the database
cannot be opened.`,
    )
    .action(async (opts: ServeOptions) => {
      await serve(opts);
    });
}

/** `30m`, `6h`, `1d`, `90s` (or a number of seconds) in milliseconds. */
export function parseDuration(flag: string, s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/i.exec(s);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m ? Number(m[1]) * unit[((m[2] ?? 's').toLowerCase() as keyof typeof unit)] : NaN;
  if (!Number.isFinite(ms) || ms < 60_000 || ms > 30 * 86_400_000) throw new VouchError('USAGE', `${flag} must be a duration from 1m to 30d such as 30m, 6h or 1d (got "${s}")`);
  return ms;
}

function parseSchemaName(s: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(s)) throw new VouchError('USAGE', `--jobs-schema must be a lower-case PostgreSQL name such as vouch_jobs (got "${s}")`);
  return s;
}

async function serve(opts: ServeOptions): Promise<void> {
  const port = parseNumber('--port', opts.port, 0, 65535)!;
  const updateEvery = opts.updateEvery !== undefined ? parseDuration('--update-every', opts.updateEvery) : undefined;
  const bodyMb = parseNumber('--body-limit', opts.bodyLimit, 0.001, 4096);
  const rate = parseNumber('--rate-limit', opts.rateLimit, 1, 10_000_000);
  const node = await import('../server/node.js');
  const { describeDatabase } = await import('../server/database.js');
  const choice = { database: opts.database, home: opts.home };
  if (opts.migrateOnly) {
    await node.migrateOnly(choice);
    process.stderr.write(`vouch: ${describeDatabase(choice)} is up to date\n`);
    return;
  }
  // feeds (docs/feeds.md): partners' feeds are verified with src/attest, as `db update --trusted-key` does
  const feed = await import('./feed.js');
  if (opts.feedPassphraseEnv !== undefined && process.env[opts.feedPassphraseEnv] === undefined) throw new VouchError('USAGE', `--feed-passphrase-env: $${opts.feedPassphraseEnv} is not set`);
  const signer = opts.feedKey !== undefined ? await feed.serverFeedSigner(opts.feedKey, opts.feedPublisher, opts.feedPassphraseEnv !== undefined ? process.env[opts.feedPassphraseEnv] : undefined) : undefined;
  if (signer === undefined && opts.feedPublisher !== undefined) throw new VouchError('USAGE', '--feed-publisher names the feed --feed-key signs: give --feed-key');
  const running = await node.startNode({
    ...choice,
    host: opts.host,
    port,
    role: opts.role,
    updateEvery,
    osvSource: opts.osvSource,
    limits: { ...(bodyMb !== undefined ? { bodyLimit: Math.round(bodyMb * 1024 * 1024) } : {}), ...(rate !== undefined ? { rateMax: rate } : {}) },
    logLevel: opts.logLevel,
    ...(opts.jobsSchema !== undefined ? { jobsSchema: parseSchemaName(opts.jobsSchema) } : {}),
    feeds: { crypto: feed.serverFeedCrypto(), ...(signer ? { signer } : {}) },
  });
  process.stderr.write(`vouch: serving ${running.url ?? '(worker only)'} on ${describeDatabase(choice)}, role ${opts.role}\n`);
  await new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (signalled) return;
      signalled = true;
      process.stderr.write(`vouch: ${sig}: finishing in-flight requests and jobs\n`);
      running.stop().then(
        () => resolve(),
        (e: unknown) => {
          process.stderr.write(`vouch: error while stopping: ${(e as Error).message}\n`);
          process.exitCode = 70;
          resolve();
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  process.stderr.write('vouch: stopped\n');
}
