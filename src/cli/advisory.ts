/**
 * `vouch advisory new`: write an OSV record for a vulnerability found in-house or in a dependency
 * before it has a public id (src/share/advisory.ts builds and checks it). Flags give every answer;
 * on a terminal, what is missing is asked for. The record goes to stdout or `-o FILE` (atomically).
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic-write.js';
import { EXIT_CLEAN, VouchError } from '../model/errors.js';
import { type AffectedInput, buildAdvisory, parseEvents } from '../share/advisory.js';
import { repeatable } from './repeatable.js';
import { readRegularFile } from '../io/input.js';

interface NewOptions {
  id?: string;
  summary?: string;
  details?: string;
  detailsFile?: string;
  alias: string[];
  affected: string[];
  range: string[];
  versions: string[];
  severity: string[];
  reference: string[];
  cwe: string[];
  published?: string;
  output?: string;
  quiet?: boolean;
}

/** An id for a record outside OSV.dev's databases: `x_` + the organisation's prefix (the OSV schema's rule). */
const LOCAL_ID = /^x_[A-Za-z0-9][A-Za-z0-9._-]*-[A-Za-z0-9._:-]+$/;

export function registerAdvisory(program: Command): void {
  const advisory = program.command('advisory').description('write OSV advisories for your own findings (see `vouch advisory new`)');
  advisory
    .command('new')
    .description('write an OSV record (schema 1.6) for a vulnerability that has no public advisory yet, validated against the OSV JSON Schema')
    .option('--id <id>', 'the record id: x_<ORG>-<N>, e.g. x_ACME-2026-0001 (the OSV prefix for a database not aggregated by OSV.dev)')
    .option('--summary <text>', 'one line: what is vulnerable and how')
    .option('--details <text>', 'the longer description (Markdown)')
    .option('--details-file <file>', 'read the details from FILE')
    .option('--alias <id>', 'another id of the same vulnerability, e.g. a CVE once assigned (repeatable)', repeatable, [])
    .option('--affected <purl>', 'an affected package, as a purl without version (repeatable)', repeatable, [])
    .option('--range <events>', 'the affected range of the --affected with the same position: introduced=V,fixed=V (or last_affected=V, limit=V); one range applies to every --affected', repeatable, [])
    .option('--versions <list>', 'comma-separated versions affected, for the --affected with the same position', repeatable, [])
    .option('--severity <vector>', 'a CVSS vector (CVSS:3.1/…, CVSS:4.0/…) (repeatable)', repeatable, [])
    .option('--reference <url>', 'a URL, optionally TYPE:URL (ADVISORY, REPORT, FIX, ...) (repeatable)', repeatable, [])
    .option('--cwe <id>', 'a CWE id, e.g. CWE-502 (repeatable)', repeatable, [])
    .option('--published <time>', 'RFC 3339 time (default: now)')
    .option('-o, --output <file>', 'write the record to FILE (atomically) instead of stdout')
    .option('-q, --quiet', 'no notes on stderr')
    .addHelpText(
      'after',
      `
On a terminal, a missing --id, --summary, --affected or --range is asked for; otherwise (a script,
CI) each is required. Versions are checked against the package's ecosystem, and the record
against the OSV JSON Schema (vendor/osv-schema) before anything is written.

Example:
  vouch advisory new --id x_ACME-2026-0001 --summary "Deserialization in acme-parser" \\
    --affected pkg:npm/acme-parser --range introduced=0,fixed=2.4.1 \\
    --severity CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H -o x_ACME-2026-0001.json

Exit codes: 0 written, 2 usage or input error (one line saying what is missing or invalid).`,
    )
    .action(async (opts: NewOptions) => {
      process.exitCode = await runNew(opts);
    });
}

async function runNew(opts: NewOptions): Promise<number> {
  const ask = process.stdin.isTTY && process.stdout.isTTY ? createInterface({ input: process.stdin, output: process.stderr }) : undefined;
  // lines typed (or pasted) ahead of a question wait here for it
  const lines = ask?.[Symbol.asyncIterator]();
  try {
    const answer = async (value: string | undefined, question: string, flag: string): Promise<string> => {
      if (value !== undefined && value.trim()) return value;
      if (!ask || !lines) throw new VouchError('USAGE', `${flag} is required (or run on a terminal to be asked)`);
      process.stderr.write(`${question}: `);
      const next = await lines.next();
      if (next.done) throw new VouchError('USAGE', `${flag} is required (input ended)`);
      const a = String(next.value).trim();
      if (!a) throw new VouchError('USAGE', `${flag} is required`);
      return a;
    };
    const id = await answer(opts.id, 'Id (x_ORG-N, e.g. x_ACME-2026-0001)', '--id');
    if (!LOCAL_ID.test(id)) throw new VouchError('USAGE', `--id ${id}: use x_<ORG>-<N> (e.g. x_ACME-2026-0001) for an advisory of your own; public ids come from their databases`);
    const summary = await answer(opts.summary, 'Summary', '--summary');
    const affectedPurls = opts.affected.length ? opts.affected : [await answer(undefined, 'Affected package (purl without version, e.g. pkg:npm/acme-parser)', '--affected')];
    const ranges = opts.range.length ? opts.range : opts.versions.length ? [] : [await answer(undefined, 'Affected range (e.g. introduced=0,fixed=2.4.1)', '--range')];
    if (ranges.length > 1 && ranges.length !== affectedPurls.length) {
      throw new VouchError('USAGE', `${affectedPurls.length} --affected but ${ranges.length} --range: give one range for all, or one per package in the same order`);
    }
    if (opts.versions.length && opts.versions.length !== affectedPurls.length) {
      throw new VouchError('USAGE', `${affectedPurls.length} --affected but ${opts.versions.length} --versions: one list per package, in the same order`);
    }
    const affected: AffectedInput[] = affectedPurls.map((purl, i) => {
      const spec = ranges.length === 1 ? ranges[0] : ranges[i];
      const versions = opts.versions[i]?.split(',').map((v) => v.trim()).filter(Boolean);
      return { purl, events: spec !== undefined ? parseEvents(spec) : [], ...(versions?.length ? { versions } : {}) };
    });
    let details = opts.details;
    if (opts.detailsFile !== undefined) {
      details = await readRegularFile(opts.detailsFile).then((b) => b.toString('utf8')).catch((e: NodeJS.ErrnoException) => {
        if (e instanceof VouchError) throw e;
        throw new VouchError('INPUT_MISSING', `cannot read the details (${e.code ?? e.message})`, { path: opts.detailsFile! });
      });
    }
    const record = buildAdvisory({
      id,
      summary,
      ...(details !== undefined ? { details } : {}),
      aliases: opts.alias,
      affected,
      severity: opts.severity,
      references: opts.reference,
      cwes: opts.cwe,
      ...(opts.published !== undefined ? { published: opts.published } : {}),
    });
    const text = `${JSON.stringify(record, null, 2)}\n`;
    if (opts.output) {
      await writeFileAtomic(opts.output, text);
      if (!opts.quiet) process.stderr.write(`vouch: wrote ${record.id} to ${opts.output}\n`);
    } else {
      process.stdout.write(text);
    }
    return EXIT_CLEAN;
  } finally {
    ask?.close();
  }
}
