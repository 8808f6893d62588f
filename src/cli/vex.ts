/**
 * `vouch vex show FILE...`: the statements of OpenVEX / CycloneDX VEX files as vouch reads them;
 * with --vuln and --purl, which of them apply to that finding and what they decide.
 * `vouch vex create`: writes an OpenVEX 0.2.0 statement, as a new document (stdout or -o FILE) or
 * appended to an existing one (--append FILE). The readers and matching live in src/triage/vex/.
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { writeFileAtomic } from '../io/atomic-write.js';
import { decodeText, parseJsonInput } from '../io/json.js';
import { EXIT_CLEAN, VouchError } from '../model/errors.js';
import { appendStatement, buildStatement, createDocument } from '../triage/vex/create.js';
import { explainVex, vexFor } from '../triage/vex/match.js';
import { readOpenVex } from '../triage/vex/openvex.js';
import { purlCovers } from '../triage/purl-match.js';
import { MAX_VEX_BYTES, parseVex, readVexFile } from '../triage/vex/read.js';
import { OPENVEX_JUSTIFICATIONS, OPENVEX_STATUSES, type VexDocument, type VexStatement } from '../triage/vex/types.js';
import { VERSION } from '../version.js';
import { createProgress } from './progress.js';
import { repeatable } from './repeatable.js';

interface CreateOptions {
  vuln: string;
  alias?: string[];
  product: string[];
  subcomponent?: string[];
  status: string;
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  author?: string;
  output?: string;
  append?: string;
  quiet?: boolean;
}

interface ShowOptions {
  format?: 'table' | 'json';
  vuln?: string[];
  purl?: string;
  quiet?: boolean;
}

export function registerVex(program: Command): void {
  const vex = program
    .command('vex')
    .description('VEX (Vulnerability Exploitability eXchange): write OpenVEX statements, show what OpenVEX / CycloneDX VEX files say (docs/vex.md)');
  vex
    .command('create')
    .description('write an OpenVEX 0.2.0 statement: a new document, or appended to one with --append')
    .requiredOption('--vuln <id>', 'the vulnerability id (CVE-…, GHSA-…, an OSV id)')
    .option('--alias <id>', 'another id of the same vulnerability (repeatable)', repeatable)
    .requiredOption('--product <purl>', 'the package or product the statement is about, a purl; without @version it covers every version (repeatable)', repeatable)
    .option('--subcomponent <purl>', 'a package inside the product(s) the statement is about (repeatable)', repeatable)
    .addOption(new Option('--status <status>', 'the VEX status').choices([...OPENVEX_STATUSES]).makeOptionMandatory())
    .addOption(new Option('--justification <justification>', 'why not_affected (needed with not_affected unless --impact-statement is given)').choices([...OPENVEX_JUSTIFICATIONS]))
    .option('--impact-statement <text>', 'for not_affected: why the product is not affected, in words')
    .option('--action-statement <text>', 'for affected (required there): what users should do')
    .option('--author <name>', 'the document author (new documents)', 'Unknown Author')
    .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
    .option('--append <file>', 'add the statement to this OpenVEX 0.2.x document (version + 1, last_updated set) and write it back, or to -o')
    .option('-q, --quiet', 'no notes on stderr')
    .addHelpText(
      'after',
      `
Rules (OpenVEX 0.2.0): not_affected needs --justification or --impact-statement; affected needs
--action-statement; fixed and under_investigation take none of the three.
Timestamps are now, or $SOURCE_DATE_EPOCH when set. The document @id is a SHA-256 of its content.

Example:
  vouch vex create --vuln CVE-2021-44228 \\
    --product pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 \\
    --status not_affected --justification vulnerable_code_not_in_execute_path \\
    --impact-statement "JNDI lookups are disabled (log4j2.formatMsgNoLookups=true)" -o app.openvex.json

Exit codes: 0 written, 2 usage or input error.`,
    )
    .action(async (opts: CreateOptions) => {
      process.exitCode = await runCreate(opts);
    });

  vex
    .command('show')
    .description('the statements of VEX files as vouch reads them (OpenVEX, CycloneDX VEX JSON/XML); with --vuln and --purl, which apply to that finding')
    .argument('<file...>', 'VEX documents (- reads one from stdin)')
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, json when piped)').choices(['table', 'json']))
    .option('--vuln <id>', 'only statements about this vulnerability; repeat it for the ids and aliases of one finding (CVE-…, GHSA-…)', repeatable)
    .option('--purl <purl>', 'only statements whose products or subcomponents cover this package; with --vuln, say what they decide')
    .option('-q, --quiet', 'no warnings on stderr')
    .addHelpText('after', '\nExit codes: 0 read, 2 a file is missing or not a valid VEX document (one line naming the file and JSON path).')
    .action(async (files: string[], opts: ShowOptions) => {
      process.exitCode = await runShow(files, opts);
    });
}

async function runShow(files: string[], opts: ShowOptions): Promise<number> {
  const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'json');
  const progress = createProgress({ quiet: opts.quiet ?? false });
  const documents: VexDocument[] = [];
  for (const f of files) documents.push(f === '-' ? parseVex(await readStdin(), '<stdin>') : await readVexFile(f));
  const statements = documents.flatMap((d) => d.statements);
  for (const d of documents) for (const w of d.warnings) progress.log(`vouch: ${w}`);
  if (opts.purl !== undefined && !/^pkg:/i.test(opts.purl)) throw new VouchError('USAGE', `--purl takes a purl such as pkg:npm/lodash@4.17.20 (got "${opts.purl}")`);
  const vulns = opts.vuln ?? [];
  const finding = { purl: opts.purl ?? '', id: vulns[0] ?? '', aliases: vulns.slice(1) };
  const purl = opts.purl;
  const selected = statements.filter(
    (s) =>
      (vulns.length === 0 || vulns.some((v) => aboutVulnerability(s, v))) &&
      (purl === undefined || [...s.products, ...s.subcomponents].some((p) => purlCovers(p, purl))),
  );
  const decision =
    vulns.length > 0 && opts.purl !== undefined
      ? { explanation: explainVex(statements, finding), suppressed: vexFor(statements, finding) ?? null }
      : undefined;
  if (format === 'json') {
    const out = {
      documents: documents.map((d) => ({ path: d.path, format: d.format, formatVersion: d.formatVersion, statements: d.statements.length, warnings: d.warnings })),
      statements: selected,
      ...(decision ? { decision } : {}),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(renderStatements(selected));
    if (decision) {
      const lines = decision.explanation.length ? decision.explanation : ['no statement applies'];
      process.stdout.write(`\n${lines.join('\n')}\n${decision.suppressed ? `=> suppressed (${decision.suppressed.status})` : '=> not suppressed'}\n`);
    }
  }
  return EXIT_CLEAN;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_VEX_BYTES) throw new VouchError('INPUT_TOO_LARGE', `VEX document larger than ${MAX_VEX_BYTES / 1024 / 1024} MiB`, { path: '<stdin>' });
    chunks.push(b);
  }
  return decodeText(Buffer.concat(chunks), '<stdin>');
}

/** Whether the statement is about the vulnerability `id` (its id or an alias, CVE/GHSA case-insensitively). */
function aboutVulnerability(s: VexStatement, id: string): boolean {
  const key = (x: string): string => (/^(cve|ghsa)-/i.test(x) ? x.toUpperCase() : x);
  return [s.vulnerability.id, ...s.vulnerability.aliases].some((v) => key(v) === key(id.trim()));
}

export function renderStatements(statements: readonly VexStatement[]): string {
  const rows = statements.map((s) => {
    const ids = [...s.products, ...s.subcomponents.map((c) => `(sub) ${c}`), ...(s.versionRanges ?? []).map((r) => `${r.purl} ${r.range}`)];
    return [
      s.vulnerability.id,
      s.status,
      s.justification ?? '',
      ids.length <= 2 ? ids.join(', ') : `${ids.slice(0, 2).join(', ')} +${ids.length - 2} more`,
      s.source,
    ];
  });
  const head = ['VULNERABILITY', 'STATUS', 'JUSTIFICATION', 'PRODUCTS', 'SOURCE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n${statements.length} statement${statements.length === 1 ? '' : 's'}\n`;
}

/** RFC 3339 UTC: $SOURCE_DATE_EPOCH (seconds) when set, else now. */
export function vexTimestamp(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string {
  const sde = env['SOURCE_DATE_EPOCH'];
  if (sde !== undefined && sde !== '') {
    if (!/^\d+$/.test(sde)) throw new VouchError('USAGE', `SOURCE_DATE_EPOCH must be whole seconds since 1970 (got "${sde}")`);
    return new Date(Number(sde) * 1000).toISOString();
  }
  return now.toISOString();
}

async function runCreate(opts: CreateOptions): Promise<number> {
  const progress = createProgress({ quiet: opts.quiet ?? false });
  const timestamp = vexTimestamp();
  const statement = buildStatement(
    {
      vulnerability: opts.vuln,
      aliases: opts.alias ?? [],
      products: opts.product,
      subcomponents: opts.subcomponent ?? [],
      status: opts.status,
      ...(opts.justification !== undefined ? { justification: opts.justification } : {}),
      ...(opts.impactStatement !== undefined ? { impactStatement: opts.impactStatement } : {}),
      ...(opts.actionStatement !== undefined ? { actionStatement: opts.actionStatement } : {}),
    },
    timestamp,
  );
  let doc: unknown;
  if (opts.append) {
    let text: string;
    try {
      text = decodeText(await readFile(opts.append), opts.append);
    } catch (e) {
      if (e instanceof VouchError) throw e;
      throw new VouchError('INPUT_MISSING', `cannot read the VEX file to append to (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        path: opts.append,
        cause: e,
      });
    }
    doc = appendStatement(parseJsonInput(text, opts.append), statement, timestamp, opts.append);
  } else {
    doc = createDocument(statement, { author: opts.author ?? 'Unknown Author', timestamp, tooling: `vouch ${VERSION}` });
  }
  const target = opts.output ?? opts.append;
  // what we write must read back
  readOpenVex(doc, target ?? '<stdout>');
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (target) {
    await writeFileAtomic(target, text);
    const n = (doc as { statements: unknown[] }).statements.length;
    progress.log(`vouch: wrote ${opts.status} for ${opts.vuln} to ${target} (${n} statement${n === 1 ? '' : 's'})`);
  } else {
    process.stdout.write(text);
  }
  return EXIT_CLEAN;
}
