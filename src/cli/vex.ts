/**
 * `vouch vex show FILE...`: the statements of OpenVEX / CycloneDX VEX files as vouch reads them;
 * with --vuln and --purl, which of them apply to that finding and what they decide.
 * `vouch vex create`: writes an OpenVEX 0.2.0 statement, as a new document (stdout or -o FILE) or
 * appended to an existing one (--append FILE). The readers and matching live in src/triage/vex/.
 */
import { type Command, Option } from 'commander';
import { writeFileAtomic } from '../io/atomic-write.js';
import { decodeText } from '../io/json.js';
import { EXIT_CLEAN, VouchError } from '../model/errors.js';
import { createOrAppend } from '../triage/vex/create.js';
import { MAX_VEX_BYTES, parseVex, readVexFile } from '../triage/vex/read.js';
import { OPENVEX_JUSTIFICATIONS, OPENVEX_STATUSES, type VexDocument } from '../triage/vex/types.js';
import { selectVex } from '../triage/vex/show.js';
import { renderVexSelection } from '../report/vex.js';
import { VERSION } from '../version.js';
import { createProgress } from './progress.js';
import { repeatable } from './repeatable.js';
import { registerVexPush } from './vex-push.js';

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
  // issue 14: apply a VEX document to a project on the portfolio server (docs/respond.md)
  registerVexPush(vex);
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
    .addOption(new Option('-f, --format <format>', 'output format (default: table, also when piped)').choices(['table', 'json']))
    .option('--vuln <id>', 'only statements about this vulnerability; repeat it for the ids and aliases of one finding (CVE-…, GHSA-…)', repeatable)
    .option('--purl <purl>', 'only statements whose products or subcomponents cover this package; with --vuln, say what they decide')
    .option('-q, --quiet', 'no warnings on stderr')
    .addHelpText('after', '\nExit codes: 0 read, 2 a file is missing or not a valid VEX document (one line naming the file and JSON path).')
    .action(async (files: string[], opts: ShowOptions) => {
      process.exitCode = await runShow(files, opts);
    });
}

async function runShow(files: string[], opts: ShowOptions): Promise<number> {
  const format = opts.format ?? 'table';
  const progress = createProgress({ quiet: opts.quiet ?? false });
  const documents: VexDocument[] = [];
  for (const f of files) documents.push(f === '-' ? parseVex(await readStdin(), '<stdin>') : await readVexFile(f));
  for (const d of documents) for (const w of d.warnings) progress.log(`vouch: ${w}`);
  const sel = selectVex(documents, { vulns: opts.vuln ?? [], ...(opts.purl !== undefined ? { purl: opts.purl } : {}) });
  if (format === 'json') {
    const out = {
      documents: documents.map((d) => ({ path: d.path, format: d.format, formatVersion: d.formatVersion, statements: d.statements.length, warnings: d.warnings })),
      statements: sel.statements,
      ...(sel.decision ? { decision: sel.decision } : {}),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(renderVexSelection(sel));
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
  const doc = await createOrAppend(
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
    { timestamp: vexTimestamp(), author: opts.author ?? 'Unknown Author', tooling: `vouch ${VERSION}`, ...(opts.append !== undefined ? { append: opts.append } : {}) },
  );
  const target = opts.output ?? opts.append;
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (target) {
    await writeFileAtomic(target, text);
    const n = doc.statements.length;
    progress.log(`vouch: wrote ${opts.status} for ${opts.vuln} to ${target} (${n} statement${n === 1 ? '' : 's'})`);
  } else {
    process.stdout.write(text);
  }
  return EXIT_CLEAN;
}
