/**
 * `vouch vex create`: writes an OpenVEX 0.2.0 statement, as a new document (stdout or -o FILE) or
 * appended to an existing one (--append FILE). The readers and matching live in src/triage/vex/.
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { writeFileAtomic } from '../io/atomic-write.js';
import { decodeText, parseJsonInput } from '../inventory/json.js';
import { EXIT_CLEAN, VouchError } from '../model/errors.js';
import { appendStatement, buildStatement, createDocument } from '../triage/vex/create.js';
import { readOpenVex } from '../triage/vex/openvex.js';
import { OPENVEX_JUSTIFICATIONS, OPENVEX_STATUSES } from '../triage/vex/types.js';
import { VERSION } from '../version.js';
import { createProgress } from './progress.js';

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

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function registerVex(program: Command): void {
  const vex = program
    .command('vex')
    .description('VEX (Vulnerability Exploitability eXchange): write OpenVEX statements; `vouch scan --vex` reads OpenVEX and CycloneDX VEX');
  vex
    .command('create')
    .description('write an OpenVEX 0.2.0 statement: a new document, or appended to one with --append')
    .requiredOption('--vuln <id>', 'the vulnerability id (CVE-…, GHSA-…, an OSV id)')
    .option('--alias <id>', 'another id of the same vulnerability (repeatable)', collect)
    .requiredOption('--product <purl>', 'the package or product the statement is about, a purl; without @version it covers every version (repeatable)', collect)
    .option('--subcomponent <purl>', 'a package inside the product(s) the statement is about (repeatable)', collect)
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
