/**
 * `vouch vex push FILE --project NAME [--server URL] [--token T]`: applies an OpenVEX or CycloneDX
 * VEX document to a project on the portfolio server as analyses (docs/respond.md). The document is
 * sent as it is; the server reads it with the same readers as `vouch vex show`. Every statement the
 * server did not apply is printed on stderr with its reason, and the exit code is 1 then.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { VouchError } from '../model/errors.js';
import { MAX_VEX_BYTES } from '../triage/vex/index.js';
import { serverOf, tokenOf } from './token.js';

export interface VexPushOptions {
  project: string;
  server?: string;
  token?: string;
  quiet?: boolean;
}

interface ImportResult {
  format: string;
  statements: number;
  applied: number;
  notApplied: { statement: string; product?: string; reason: string }[];
  warnings: string[];
}

export function registerVexPush(vex: Command): void {
  vex
    .command('push')
    .description('apply a VEX document (OpenVEX or CycloneDX, JSON or XML) to a project on the portfolio server as analyses (docs/respond.md)')
    .argument('<file>', 'the VEX document')
    .requiredOption('--project <name>', 'the project on the server')
    .option('--server <url>', 'the server (default: $VOUCH_SERVER)')
    .option('--token <token>', 'a maintainer or admin token (default: $VOUCH_TOKEN; prefer the variable: arguments show in ps)')
    .option('-q, --quiet', 'no notes on stderr (statements not applied are still listed)')
    .addHelpText(
      'after',
      `
Example:
  VOUCH_SERVER=https://vouch.example VOUCH_TOKEN=$T vouch vex push app.openvex.json --project billing

Prints the server's answer (JSON) on stdout.
Exit codes: 0 every statement applied; 1 some statements not applied (each listed on stderr with
its reason: unknown product, unknown vulnerability, conflicting statements …); 2 usage error, the
file could not be read, or the server refused the document.`,
    )
    .action(async (file: string, opts: VexPushOptions) => {
      process.exitCode = await vexPush(file, opts);
    });
}

export async function vexPush(file: string, opts: VexPushOptions, out: { stdout: (s: string) => void; stderr: (s: string) => void } = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }): Promise<number> {
  const server = serverOf(opts);
  if (!server) throw new VouchError('USAGE', 'vex push needs a server: --server URL or VOUCH_SERVER');
  const token = tokenOf(opts);
  if (!token) throw new VouchError('USAGE', 'vex push needs a token: VOUCH_TOKEN (or --token)');
  let bytes: Buffer;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new VouchError('INPUT_UNSUPPORTED', 'a VEX document must be a file', { path: file });
    if (st.size > MAX_VEX_BYTES) throw new VouchError('INPUT_TOO_LARGE', `VEX file larger than ${MAX_VEX_BYTES / 1024 / 1024} MiB`, { path: file });
    bytes = await readFile(file);
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read the VEX file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path: file, cause: e });
  }
  const { apiRequest } = await import('../server/client.js');
  const name = path.basename(file);
  const answer = await apiRequest<ImportResult>(
    { server, token },
    'POST',
    `/api/v1/projects/${encodeURIComponent(opts.project)}/vex?${new URLSearchParams({ file: name })}`,
    { bytes, contentType: name.endsWith('.xml') ? 'application/xml' : 'application/json' },
  );
  const r = answer.body;
  out.stdout(`${JSON.stringify(r)}\n`);
  if (!opts.quiet) {
    for (const w of r.warnings) out.stderr(`vouch: warning: ${w}\n`);
    out.stderr(`vouch: ${opts.project}: ${r.applied} analyses recorded from ${r.statements} ${r.format} statements\n`);
  }
  for (const n of r.notApplied) out.stderr(`vouch: not applied: ${n.statement}${n.product ? ` ${n.product}` : ''}: ${n.reason}\n`);
  return r.notApplied.length ? 1 : 0;
}
