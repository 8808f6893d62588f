/**
 * `vouch token create|list|revoke`: API tokens of the portfolio server. With --server (or
 * VOUCH_SERVER) through the API, with an admin token; otherwise straight against the database
 * (`--database`, VOUCH_DATABASE_URL, else the SQLite file in the vouch home) — how the first admin
 * token is made. The secret is printed once, on stdout, and never stored (only its SHA-256).
 */
import type { Command } from 'commander';
import type { Db } from '../db/index.js';
import { VouchError } from '../model/errors.js';

interface Common {
  server?: string;
  token?: string;
  database?: string;
  home?: string;
  json?: boolean;
}

interface CreateOptions extends Common {
  name: string;
  role: string;
  project: string[];
  tag?: string;
  tlp?: string;
}

const ROLE_HELP =
  'admin (everything, tokens included), maintainer (project settings and uploads), viewer (read), uploader (upload and read its projects\' findings), subscriber (a partner: the advisory feed only)';

function where(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'the server to ask (default: $VOUCH_SERVER); without one, the database is used directly')
    .option('--token <token>', 'an admin token for --server (default: $VOUCH_TOKEN)')
    .option('--database <url>', 'postgres://… or a SQLite file, used directly (default: $VOUCH_DATABASE_URL, else portfolio.sqlite in the vouch home)')
    .option('--home <dir>', 'the vouch home holding portfolio.sqlite (default: $VOUCH_HOME, else the XDG cache folder)')
    .option('--json', 'JSON on stdout');
}

export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .description('API tokens of the portfolio server: create, list, revoke (docs/server.md)');

  where(
    token
      .command('create')
      .description('create a token; prints the secret once (stdout) and its id (stderr)')
      .requiredOption('--name <name>', 'what the token is for (a person, a CI pipeline)')
      .requiredOption('--role <role>', ROLE_HELP)
      .option('--project <name>', 'limit the token to this project and its children (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--tag <tag>', 'limit the token to the projects with this tag')
      .option('--tlp <level>', 'the TLP clearance on the server\'s advisory feed: CLEAR (default), GREEN or AMBER (docs/feeds.md)'),
  )
    .addHelpText(
      'after',
      `
The first admin token is made against the database, before the server has any token:
  vouch token create --name ops --role admin                      (SQLite in $VOUCH_HOME)
  vouch token create --name ops --role admin --database postgres://vouch@db/vouch
Afterwards, through the API:
  VOUCH_SERVER=https://vouch.example VOUCH_TOKEN=<admin token> vouch token create --name ci-billing --role uploader --project billing

Exit codes: 0 created; 2 usage error, or the server refused.`,
    )
    .action(async (opts: CreateOptions) => {
      const body = {
        name: opts.name,
        role: parseRole(opts.role),
        ...(opts.project.length ? { projects: opts.project } : {}),
        ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
        ...(opts.tlp !== undefined ? { tlp: parseTokenTlp(opts.tlp) } : {}),
      };
      if (body.role === 'subscriber' && (body.projects || body.tag !== undefined)) throw new VouchError('USAGE', 'a subscriber token reads the advisory feed only: it takes no --project or --tag');
      if (body.projects && body.tag !== undefined) throw new VouchError('USAGE', '--project and --tag do not go together: a token is limited to projects or to a tag');
      if (body.role === 'admin' && (body.projects || body.tag !== undefined)) throw new VouchError('USAGE', 'an admin token covers the whole portfolio: it takes no --project or --tag');
      const server = serverOf(opts);
      let created: { id: string; token: string };
      if (server) {
        const { apiRequest } = await import('../server/client.js');
        created = (await apiRequest<{ id: string; token: string }>({ server, token: tokenOf(opts) }, 'POST', '/api/v1/tokens', { json: body })).body;
      } else {
        created = await withDb(opts, async (db) => (await import('../portfolio/access.js')).createToken(db, body));
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(created)}\n`);
      else {
        process.stdout.write(`${created.token}\n`);
        process.stderr.write(`vouch: token ${created.id} (${body.role}${body.projects ? `, projects ${body.projects.join(', ')}` : body.tag !== undefined ? `, tag ${body.tag}` : ''}) created; the secret above is shown only now\n`);
      }
    });

  where(token.command('list').description('every token: id, name, role, what it is limited to, when created and revoked (never the secret)')).action(async (opts: Common) => {
    const server = serverOf(opts);
    type Row = { id: string; name: string; role: string; projects?: string[]; tag?: string; createdAt?: string; revokedAt?: string | null };
    let rows: Row[];
    if (server) {
      const { apiRequest } = await import('../server/client.js');
      rows = (await apiRequest<{ items: Row[] }>({ server, token: tokenOf(opts) }, 'GET', '/api/v1/tokens')).body.items;
    } else {
      rows = await withDb(opts, async (db) => (await import('../portfolio/access.js')).listTokens(db));
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    const head = ['ID', 'NAME', 'ROLE', 'LIMITED TO', 'CREATED', 'REVOKED'];
    const table = rows.map((r) => [r.id, r.name, r.role, r.projects ? `projects ${r.projects.join(',')}` : r.tag !== undefined ? `tag ${r.tag}` : '-', r.createdAt ?? '', r.revokedAt ?? '']);
    process.stdout.write(formatTable(head, table));
  });

  where(token.command('revoke').description('revoke a token: it stops working at once').argument('<id>', 'the token id (vouch token list)')).action(async (id: string, opts: Common) => {
    const server = serverOf(opts);
    if (server) {
      const { apiRequest } = await import('../server/client.js');
      await apiRequest({ server, token: tokenOf(opts) }, 'DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
    } else {
      const ok = await withDb(opts, async (db) => (await import('../portfolio/access.js')).revokeToken(db, id));
      if (!ok) throw new VouchError('USAGE', `no token ${id} that is not revoked already (vouch token list)`);
    }
    process.stderr.write(`vouch: token ${id} revoked\n`);
  });
}

export function serverOf(opts: { server?: string }): string | undefined {
  return opts.server ?? (process.env['VOUCH_SERVER'] || undefined);
}

export function tokenOf(opts: { token?: string }): string | undefined {
  return opts.token ?? (process.env['VOUCH_TOKEN'] || undefined);
}

function parseRole(s: string): 'admin' | 'maintainer' | 'viewer' | 'uploader' | 'subscriber' {
  const r = s.trim().toLowerCase();
  if (r === 'admin' || r === 'maintainer' || r === 'viewer' || r === 'uploader' || r === 'subscriber') return r;
  throw new VouchError('USAGE', `--role must be one of admin, maintainer, viewer, uploader, subscriber (got "${s}")`);
}

function parseTokenTlp(s: string): 'CLEAR' | 'GREEN' | 'AMBER' {
  const v = s.trim().toUpperCase().replace(/^TLP:/, '');
  if (v === 'CLEAR' || v === 'GREEN' || v === 'AMBER') return v;
  throw new VouchError('USAGE', `--tlp must be CLEAR, GREEN or AMBER (got "${s}"): RED never leaves the server`);
}

export async function withDb<T>(opts: { database?: string; home?: string }, f: (db: Db) => Promise<T>): Promise<T> {
  const { openPortfolio } = await import('../server/database.js');
  const opened = await openPortfolio({ database: opts.database, home: opts.home });
  try {
    return await f(opened.db);
  } catch (e) {
    const { isPortfolioError } = await import('../portfolio/errors.js');
    if (isPortfolioError(e)) throw new VouchError('USAGE', e.message);
    throw e;
  } finally {
    await opened.close();
  }
}

export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
