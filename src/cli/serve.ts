/**
 * `vouch serve`: the portfolio server (src/server/node.ts). No set-up: state in SQLite under the
 * vouch home, created and migrated on start; `--database postgres://…` for several nodes. Logs are
 * JSON lines (pino) on stderr; SIGTERM / SIGINT stop it gracefully (exit 0).
 */
import { type Command, Option } from 'commander';
import { VouchError } from '../model/errors.js';
import type { OidcOptions } from '../server/oidc.js';
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
  publicUrl?: string;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecretFile?: string;
  oidcGroupClaim: string;
  oidcRoles?: string;
  smtp?: string;
  smtpFrom?: string;
  notifyEvery?: string;
  retryAfter?: string;
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
    .option('--public-url <url>', 'the URL users reach the dashboard at (https://… makes the session cookie Secure; the origin sign-ins and changes must come from)')
    .option('--oidc-issuer <url>', 'sign in to the dashboard through this OpenID Connect provider (needs --public-url and the --oidc-* options below)')
    .option('--oidc-client-id <id>', 'the client id registered at the provider (redirect URI: <public-url>/api/v1/oidc/callback)')
    .option('--oidc-client-secret-file <file>', 'a file holding the client secret (kept out of the process list)')
    .option('--oidc-group-claim <claim>', 'the ID token / userinfo claim listing the user\'s groups', 'groups')
    .option('--oidc-roles <mappings>', "groups to roles: 'secteam=admin,devs=viewer:tag=payments,web=maintainer:projects=shop|cart'")
    .option('--smtp <url>', 'the SMTP server of e-mail notification rules: smtp://user:pass@host:587 or smtps://…:465 (better: $VOUCH_SMTP_URL, which ps does not show); never logged')
    .option('--smtp-from <address>', 'the From address of notification mails (also $VOUCH_SMTP_FROM)')
    .option('--notify-every <seconds>', 'how often a worker sends due notifications (default 5)')
    .option('--retry-after <seconds>', 'the wait before a failed notification is sent again, doubled each time up to an hour (default 30)')
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
  vouch serve --public-url https://vouch.example.org --oidc-issuer https://login.example.org \\
    --oidc-client-id vouch --oidc-client-secret-file /run/secrets/oidc --oidc-roles 'secteam=admin,devs=viewer:tag=payments'
  VOUCH_SMTP_URL=smtp://vouch:pw@mail.example:587 vouch serve --smtp-from vouch@example.com

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

/** --smtp / $VOUCH_SMTP_URL and --smtp-from / $VOUCH_SMTP_FROM, checked; messages never quote the URL (it may hold a password). */
export function smtpSettings(url: string | undefined, from: string | undefined): { url: string; from: string } | undefined {
  if (!url) {
    if (from) throw new VouchError('USAGE', '--smtp-from needs --smtp (or $VOUCH_SMTP_URL)');
    return undefined;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VouchError('USAGE', '--smtp must be a URL such as smtp://user:pass@mail.example:587 or smtps://mail.example:465');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new VouchError('USAGE', `--smtp must be an smtp:// or smtps:// URL (got ${u.protocol}//…)`);
  if (u.search) throw new VouchError('USAGE', '--smtp takes no query options: host, port and credentials only');
  if (!from || !/^[^\s@<>]+@[^\s@<>]+$/.test(from)) throw new VouchError('USAGE', '--smtp needs --smtp-from (or $VOUCH_SMTP_FROM): the From address, such as vouch@example.com');
  return { url, from };
}

function parseSchemaName(s: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(s)) throw new VouchError('USAGE', `--jobs-schema must be a lower-case PostgreSQL name such as vouch_jobs (got "${s}")`);
  return s;
}

function parsePublicUrl(s: string): string {
  let u: URL | undefined;
  try {
    u = new URL(s);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.search || u.hash) {
    throw new VouchError('USAGE', `--public-url must be an http:// or https:// URL such as https://vouch.example.org (got "${s}")`);
  }
  return u.origin;
}

async function oidcOptions(opts: ServeOptions, publicUrl: string | undefined): Promise<OidcOptions | undefined> {
  const given = [opts.oidcClientId, opts.oidcClientSecretFile, opts.oidcRoles].some((v) => v !== undefined);
  if (opts.oidcIssuer === undefined) {
    if (given) throw new VouchError('USAGE', '--oidc-client-id, --oidc-client-secret-file and --oidc-roles go with --oidc-issuer');
    return undefined;
  }
  if (publicUrl === undefined) throw new VouchError('USAGE', '--oidc-issuer needs --public-url (the provider sends users back to <public-url>/api/v1/oidc/callback)');
  if (opts.oidcClientId === undefined || opts.oidcClientSecretFile === undefined || opts.oidcRoles === undefined) {
    throw new VouchError('USAGE', '--oidc-issuer needs --oidc-client-id, --oidc-client-secret-file and --oidc-roles');
  }
  const { parseRoleMappings } = await import('../server/oidc.js');
  const { readFileSync } = await import('node:fs');
  let secret: string;
  try {
    secret = readFileSync(opts.oidcClientSecretFile, 'utf8').trim();
  } catch (e) {
    throw new VouchError('USAGE', `--oidc-client-secret-file: cannot read ${opts.oidcClientSecretFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (secret === '') throw new VouchError('USAGE', `--oidc-client-secret-file: ${opts.oidcClientSecretFile} is empty`);
  if (!opts.oidcGroupClaim.trim()) throw new VouchError('USAGE', '--oidc-group-claim must name a claim');
  return { issuer: opts.oidcIssuer, clientId: opts.oidcClientId, clientSecret: secret, groupClaim: opts.oidcGroupClaim.trim(), roles: parseRoleMappings(opts.oidcRoles) };
}

async function serve(opts: ServeOptions): Promise<void> {
  const port = parseNumber('--port', opts.port, 0, 65535)!;
  const updateEvery = opts.updateEvery !== undefined ? parseDuration('--update-every', opts.updateEvery) : undefined;
  const bodyMb = parseNumber('--body-limit', opts.bodyLimit, 0.001, 4096);
  const rate = parseNumber('--rate-limit', opts.rateLimit, 1, 10_000_000);
  const publicUrl = opts.publicUrl !== undefined ? parsePublicUrl(opts.publicUrl) : undefined;
  const oidc = await oidcOptions(opts, publicUrl);
  const notifyEvery = parseNumber('--notify-every', opts.notifyEvery, 0.05, 3600);
  const retryAfter = parseNumber('--retry-after', opts.retryAfter, 0.05, 3600);
  const smtp = smtpSettings(opts.smtp ?? process.env['VOUCH_SMTP_URL'], opts.smtpFrom ?? process.env['VOUCH_SMTP_FROM']);
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
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    ...(oidc ? { oidc } : {}),
    notify: { ...(smtp ? { smtp } : {}), ...(notifyEvery !== undefined ? { everyMs: Math.round(notifyEvery * 1000) } : {}), ...(retryAfter !== undefined ? { firstRetryMs: Math.round(retryAfter * 1000) } : {}) },
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
