/**
 * `vouch push PATH... --project NAME [--version V] [--server URL] [--token T] [--wait]`: sends a
 * project version's SBOM to the portfolio server. One file (a lockfile or an SBOM) is sent as it
 * is, so the server keeps the document as received; anything else (folders, several paths, archives)
 * is read here with the engine and sent as the CycloneDX 1.6 SBOM `vouch sbom` would write.
 * With --wait it waits for the server's findings and exits like `vouch scan` (0/1/2), so CI can
 * gate on the server's view.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { VouchError } from '../model/errors.js';
import type { ScanReport } from '../model/report.js';
import { RATINGS_DESC, type Rating } from '../model/triage.js';
import { normaliseRating } from '../triage/severity.js';
import { parseNumber } from './options.js';
import { serverOf, tokenOf } from './token.js';
import { readRegularFile } from '../io/input.js';
import { safeLine } from '../model/text.js';
import { UPLOAD_JOB_FAILED_TITLE } from '../portfolio/errors.js';

interface PushOptions {
  project: string;
  version?: string;
  server?: string;
  token?: string;
  wait?: boolean;
  timeout?: string;
  failOn: string;
  format?: 'table' | 'json' | 'sarif' | 'markdown' | 'cyclonedx' | 'html';
  quiet?: boolean;
}

interface UploadView {
  id: string;
  project: string;
  version: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  duplicate?: boolean;
  components?: number | null;
  findings?: number | null;
  error?: { title: string; detail: string; pointer?: string; line?: number };
}

/** Largest document push sends (the server's default limit; it answers 413 above its own). */
const MAX_BYTES = 50 * 1024 * 1024;

export function registerPush(program: Command): void {
  program
    .command('push')
    .description('send a project version\'s SBOM to the portfolio server (docs/server.md)')
    .argument('<path...>', 'a lockfile or SBOM (sent as is), or folders / several files (read here and sent as one CycloneDX SBOM)')
    .requiredOption('--project <name>', 'the project (created on first upload when the token allows)')
    .option('--version <version>', 'the project version: a release, a branch, a deployment (default: $VOUCH_PUSH_VERSION, else "default")')
    .option('--server <url>', 'the server (default: $VOUCH_SERVER)')
    .option('--token <token>', 'an uploader, maintainer or admin token (default: $VOUCH_TOKEN; prefer the variable: arguments show in ps)')
    .option('--wait', 'wait for the findings and exit like vouch scan: 1 when findings at or above --fail-on')
    .option('--timeout <seconds>', 'how long --wait waits (default 600)')
    .option('--fail-on <severity>', 'with --wait: exit 1 only for findings at or above critical|high|medium|low|any|none', 'any')
    .addOption(new Option('-f, --format <format>', 'with --wait: the findings as table (default), json, sarif, markdown, cyclonedx or html').choices(['table', 'json', 'sarif', 'markdown', 'cyclonedx', 'html']))
    .option('-q, --quiet', 'no notes on stderr')
    .addHelpText(
      'after',
      `
Examples (CI):
  VOUCH_SERVER=https://vouch.example VOUCH_TOKEN=$VOUCH_UPLOAD_TOKEN vouch push package-lock.json --project billing --version "$GIT_SHA"
  vouch push . --project billing --version main --wait --fail-on high

Without --wait it prints the upload (id and state) and exits 0 once the server has stored the document.
Exit codes: 0 stored (with --wait: no findings at or above --fail-on); 1 findings at or above
--fail-on (--wait); 2 usage error, the document could not be read, or the server refused.`,
    )
    .action(async (paths: string[], opts: PushOptions) => {
      process.exitCode = await push(paths, opts);
    });
}

async function push(paths: string[], opts: PushOptions): Promise<number> {
  const server = serverOf(opts);
  if (!server) throw new VouchError('USAGE', 'push needs a server: --server URL or VOUCH_SERVER');
  const token = tokenOf(opts);
  if (!token) throw new VouchError('USAGE', 'push needs a token: VOUCH_TOKEN (or --token)');
  const failOn = parseFailOn(opts.failOn);
  const timeout = parseNumber('--timeout', opts.timeout, 1, 86_400) ?? 600;
  const version = opts.version ?? (process.env['VOUCH_PUSH_VERSION'] || 'default');
  const note = (s: string): void => {
    if (!opts.quiet) process.stderr.write(`vouch: ${safeLine(s)}\n`); // the server's answer echoed: escaped (model/text.ts)
  };
  const doc = await documentOf(paths);
  if (doc.bytes.length > MAX_BYTES) throw new VouchError('INPUT_TOO_LARGE', `the document is ${doc.bytes.length} bytes, above the ${MAX_BYTES} the server accepts by default`, { path: doc.fileName });
  const { apiRequest } = await import('../server/client.js');
  const client = { server, token };
  const q = new URLSearchParams({ file: doc.fileName, ...(opts.wait ? { wait: String(Math.min(60, timeout)) } : {}) });
  const answer = await apiRequest<{ upload: UploadView }>(
    client,
    'POST',
    `/api/v1/projects/${encodeURIComponent(opts.project)}/versions/${encodeURIComponent(version)}/documents?${q}`,
    { bytes: doc.bytes, contentType: doc.contentType },
  );
  let upload = answer.body.upload;
  note(`upload ${upload.id}: ${opts.project} ${version}, ${doc.fileName} (${doc.bytes.length} bytes)${upload.duplicate ? ', the same document as before' : ''}: ${upload.state}`);
  if (!opts.wait) {
    process.stdout.write(`${JSON.stringify(upload)}\n`);
    return 0;
  }
  const until = Date.now() + timeout * 1000;
  while (upload.state === 'queued' || upload.state === 'running') {
    if (Date.now() > until) throw new VouchError('NETWORK', `upload ${upload.id} is still ${upload.state} after ${timeout}s (--timeout); it goes on on the server`);
    await new Promise((r) => setTimeout(r, 1000));
    upload = (await apiRequest<UploadView>(client, 'GET', `/api/v1/uploads/${encodeURIComponent(upload.id)}`)).body;
  }
  if (upload.state === 'failed') {
    const e = upload.error;
    // the server's own failure (its ingest job failed for good), not the document's
    if (e?.title === UPLOAD_JOB_FAILED_TITLE) throw new VouchError('NETWORK', `the server failed upload ${upload.id} (not the document): ${e.detail}; see the server's log`);
    throw new VouchError('INPUT_PARSE', e?.detail ?? 'the server could not read the document', { path: doc.fileName, position: { ...(e?.line !== undefined ? { line: e.line } : {}), ...(e?.pointer !== undefined ? { jsonPath: e.pointer } : {}) } });
  }
  const report = (await apiRequest<ScanReport>(client, 'GET', `/api/v1/projects/${encodeURIComponent(opts.project)}/findings?${new URLSearchParams({ format: 'json', version })}`)).body;
  const format = opts.format ?? 'table';
  if (format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const { renderReport } = await import('../report/index.js');
    process.stdout.write(await renderReport(format, report));
  }
  return failedAt(report, failOn) ? 1 : 0;
}

/** One file is sent as it is; anything else is read here and sent as a CycloneDX SBOM. */
async function documentOf(paths: string[]): Promise<{ fileName: string; bytes: Buffer; contentType: string }> {
  if (paths.length === 1) {
    const p = paths[0]!;
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      throw new VouchError('INPUT_MISSING', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path: p, cause: e });
    }
    if (st.isFile() && !/\.(jar|war|ear|tar|zip)$/i.test(p)) {
      if (st.size > MAX_BYTES) throw new VouchError('INPUT_TOO_LARGE', `the file is ${st.size} bytes, above the ${MAX_BYTES} the server accepts by default`, { path: p });
      return { fileName: path.basename(p), bytes: await readRegularFile(p, { maxBytes: MAX_BYTES }), contentType: 'application/octet-stream' };
    }
  }
  const { runSbom } = await import('../engine/sbom.js');
  const sbom = await runSbom({ paths, format: 'cyclonedx-json', deterministic: true });
  return { fileName: 'bom.cdx.json', bytes: Buffer.from(sbom.text, 'utf8'), contentType: 'application/vnd.cyclonedx+json' };
}

function parseFailOn(s: string): Rating | 'any' | 'none' {
  const l = s.trim().toLowerCase();
  if (l === 'any' || l === 'none') return l;
  const r = normaliseRating(l);
  if (!r || r === 'UNKNOWN' || r === 'NONE') throw new VouchError('USAGE', `--fail-on must be one of critical, high, medium, low, any, none (got "${s}")`);
  return r;
}

/** As vouch scan decides: unsuppressed findings at or above the threshold. */
export function failedAt(report: ScanReport, failOn: Rating | 'any' | 'none'): boolean {
  const active = report.findings.filter((f) => !f.suppressed);
  if (failOn === 'none') return false;
  if (failOn === 'any') return active.length > 0;
  const limit = RATINGS_DESC.indexOf(failOn);
  return active.some((f) => {
    const i = RATINGS_DESC.indexOf(f.severity.rating);
    return i >= 0 && i <= limit;
  });
}
