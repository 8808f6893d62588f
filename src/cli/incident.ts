/**
 * `vouch incident open|status|list`: incidents on the portfolio server (docs/respond.md) from the
 * command line — open one for a vulnerability or a package and vers range, read one (Markdown
 * review or JSON), list them.
 */
import { type Command, Option } from 'commander';
import { VouchError } from '../model/errors.js';
import { serverOf, tokenOf } from './token.js';

interface ServerOptions {
  server?: string;
  token?: string;
}

type Out = (s: string) => void;

interface IncidentView {
  id: number;
  title: string;
  tasks: { project: string; version: string; state: string }[];
  totals: { tasks: number; open: number; mitigated: number; patched: number; notAffected: number };
}

function client(opts: ServerOptions): { server: string; token: string } {
  const server = serverOf(opts);
  if (!server) throw new VouchError('USAGE', 'incident needs a server: --server URL or VOUCH_SERVER');
  const token = tokenOf(opts);
  if (!token) throw new VouchError('USAGE', 'incident needs a token: VOUCH_TOKEN (or --token)');
  return { server, token };
}

function incidentId(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new VouchError('USAGE', `an incident id is a positive integer (got "${s}")`);
  return n;
}

export function registerIncident(program: Command): void {
  const cmd = program.command('incident').description('incidents on the portfolio server: one task per affected project, followed to the end (docs/respond.md)');
  const common = (c: Command): Command =>
    c.option('--server <url>', 'the server (default: $VOUCH_SERVER)').option('--token <token>', 'a token (default: $VOUCH_TOKEN; prefer the variable: arguments show in ps)');
  common(
    cmd
      .command('open')
      .description('open an incident for a vulnerability (--vuln) or, for a zero-day, a package and range (--purl, --range); prints it as JSON')
      .option('--vuln <id>', 'an OSV id or alias (CVE-2021-44228)')
      .option('--purl <purl>', 'a package without version (pkg:maven/org.apache.logging.log4j/log4j-core)')
      .option('--range <vers>', 'with --purl: the affected versions (vers:maven/<2.17.1)')
      .option('--title <text>', 'a title (default: the id, or the purl and range)'),
  ).action(async (opts: ServerOptions & { vuln?: string; purl?: string; range?: string; title?: string }) => {
    process.exitCode = await incidentOpen(opts);
  });
  common(
    cmd
      .command('status')
      .description('an incident: the post-incident review in Markdown (default) or HTML, or the JSON of GET /api/v1/incidents/{id}')
      .argument('<id>', 'the incident id')
      .addOption(new Option('-f, --format <format>', 'markdown (the review), html (the same as a page) or json').choices(['markdown', 'html', 'json']).default('markdown'))
      .option('--json', 'the same as --format json'),
  ).action(async (id: string, opts: ServerOptions & { json?: boolean; format?: 'markdown' | 'html' | 'json' }) => {
    process.exitCode = await incidentStatus(id, opts);
  });
  common(cmd.command('list').description('the incidents the token sees, newest first: id, open tasks / tasks, title')).action(async (opts: ServerOptions) => {
    process.exitCode = await incidentList(opts);
  });
  cmd.addHelpText(
    'after',
    `
Examples:
  vouch incident open --vuln CVE-2021-44228 --title Log4Shell
  vouch incident open --purl pkg:maven/org.apache.logging.log4j/log4j-core --range 'vers:maven/<2.17.1'
  vouch incident status 1 > log4shell-review.md
  vouch incident status 1 -f html > log4shell-review.html
  vouch incident list

Exit codes: 0 done (status: every task patched or not affected); 1 status: tasks still open or
mitigated; 2 usage error or the server refused.`,
  );
}

export async function incidentOpen(opts: ServerOptions & { vuln?: string; purl?: string; range?: string; title?: string }, out: Out = (s) => process.stdout.write(s)): Promise<number> {
  if ((opts.vuln === undefined) === (opts.purl === undefined)) throw new VouchError('USAGE', 'incident open needs --vuln ID or --purl PURL [--range VERS] (one of them)');
  if (opts.range !== undefined && opts.purl === undefined) throw new VouchError('USAGE', '--range goes with --purl');
  const { apiRequest } = await import('../server/client.js');
  const body = { ...(opts.vuln !== undefined ? { vuln: opts.vuln } : {}), ...(opts.purl !== undefined ? { purl: opts.purl } : {}), ...(opts.range !== undefined ? { range: opts.range } : {}), ...(opts.title !== undefined ? { title: opts.title } : {}) };
  const r = await apiRequest<IncidentView>(client(opts), 'POST', '/api/v1/incidents', { json: body });
  out(`${JSON.stringify(r.body, null, 2)}\n`);
  return 0;
}

export async function incidentStatus(id: string, opts: ServerOptions & { json?: boolean; format?: 'markdown' | 'html' | 'json' }, out: Out = (s) => process.stdout.write(s)): Promise<number> {
  const n = incidentId(id);
  const format = opts.json ? 'json' : (opts.format ?? 'markdown');
  const { apiRequest } = await import('../server/client.js');
  const c = client(opts);
  const v = (await apiRequest<IncidentView>(c, 'GET', `/api/v1/incidents/${n}`)).body;
  if (format === 'json') out(`${JSON.stringify(v, null, 2)}\n`);
  else out((await apiRequest<string>(c, 'GET', `/api/v1/incidents/${n}/export?format=${format}`)).body);
  return v.totals.open + v.totals.mitigated > 0 ? 1 : 0;
}

export async function incidentList(opts: ServerOptions, out: Out = (s) => process.stdout.write(s)): Promise<number> {
  const { apiRequest } = await import('../server/client.js');
  const items = (await apiRequest<{ items: { id: number; title: string; tasks: number; open: number }[] }>(client(opts), 'GET', '/api/v1/incidents')).body.items;
  for (const i of items) out(`${i.id}\t${i.open}/${i.tasks} open\t${i.title}\n`);
  return 0;
}
