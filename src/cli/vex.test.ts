import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { stdio } from './stdio.js';
import { isVouchError } from '../model/errors.js';
import { readVexFile } from '../triage/vex/read.js';
import { vexFor } from '../triage/vex/match.js';
import { renderStatements } from '../report/vex.js';
import { registerVex, vexTimestamp } from './vex.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'vouch-vex-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const tmp = (): string => {
  const d = path.join(root, `t${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/** Runs `vouch <args>` in process with the vex command, the way main.ts reports errors. */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const sso = vi.spyOn(stdio, 'out').mockImplementation((s: string) => void out.push(s)); // what the command writes without the stream (cli/stdio.ts)
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  const sse = vi.spyOn(stdio, 'err').mockImplementation((s: string) => void err.push(s));
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const program = new Command()
    .name('vouch')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.push(s),
      writeErr: (s) => err.push(s),
      outputError: (s, write) => write(`vouch: ${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
    });
  registerVex(program);
  let code: number;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'vouch', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    if (isVouchError(e)) err.push(`vouch: ${e.oneLine()}\n`);
    else if (!(e instanceof Error && 'exitCode' in e)) throw e;
    code = 2;
  } finally {
    so.mockRestore();
    sso.mockRestore();
    se.mockRestore();
    sse.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  process.exitCode = undefined;
  return { out: out.join(''), err: err.join(''), code };
}

const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';
const CREATE = ['vex', 'create', '--vuln', 'CVE-2021-44228', '--product', LOG4J, '--status', 'not_affected', '--justification', 'vulnerable_code_not_in_execute_path'];
const EPOCH = { SOURCE_DATE_EPOCH: '1717243200' }; // 2024-06-01T12:00:00Z

describe('vouch vex create', () => {
  it('prints an OpenVEX 0.2.0 document on stdout; $SOURCE_DATE_EPOCH makes it reproducible', async () => {
    const r = await run([...CREATE, '--author', 'Jane Doe', '--impact-statement', 'JNDI lookups are disabled'], EPOCH);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const doc = JSON.parse(r.out) as Record<string, unknown>;
    expect(doc).toMatchObject({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      author: 'Jane Doe',
      timestamp: '2024-06-01T12:00:00.000Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2021-44228' },
          timestamp: '2024-06-01T12:00:00.000Z',
          products: [{ '@id': LOG4J }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          impact_statement: 'JNDI lookups are disabled',
        },
      ],
    });
    expect(doc['tooling']).toMatch(/^vouch /);
    expect((await run([...CREATE, '--author', 'Jane Doe', '--impact-statement', 'JNDI lookups are disabled'], EPOCH)).out).toBe(r.out);
  });

  it('-o writes the file atomically and it reads back; --append adds a statement, bumps the version, and a later affected un-suppresses', async () => {
    const dir = tmp();
    const file = path.join(dir, 'app.openvex.json');
    const r1 = await run([...CREATE, '-o', file], EPOCH);
    expect(r1).toMatchObject({ code: 0, out: '' });
    expect(r1.err).toBe(`vouch: wrote not_affected for CVE-2021-44228 to ${file} (1 statement)\n`);
    const finding = { purl: LOG4J, id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'] };
    expect(vexFor((await readVexFile(file)).statements, finding)).toMatchObject({ by: 'vex', status: 'not_affected', source: `${file} ($.statements[0])` });

    const r2 = await run(
      ['vex', 'create', '--vuln', 'CVE-2021-44228', '--product', 'pkg:maven/org.apache.logging.log4j/log4j-core', '--status', 'affected', '--action-statement', 'Upgrade to 2.17.1', '--append', file, '-q'],
      { SOURCE_DATE_EPOCH: '1719792000' }, // 2024-07-01
    );
    expect(r2).toMatchObject({ code: 0, out: '', err: '' });
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { version: number; last_updated: string; statements: unknown[] };
    expect(doc).toMatchObject({ version: 2, last_updated: '2024-07-01T00:00:00.000Z' });
    expect(doc.statements).toHaveLength(2);
    expect(vexFor((await readVexFile(file)).statements, finding)).toBeUndefined();
    // no temporary files left beside it
    expect(readdirSync(dir)).toEqual(['app.openvex.json']);
  });

  it('--append with -o leaves the original alone', async () => {
    const dir = tmp();
    const file = path.join(dir, 'a.openvex.json');
    await run([...CREATE, '-o', file], EPOCH);
    const before = readFileSync(file, 'utf8');
    const out = path.join(dir, 'b.openvex.json');
    expect((await run(['vex', 'create', '--vuln', 'CVE-2021-45046', '--product', LOG4J, '--status', 'fixed', '--append', file, '-o', out], EPOCH)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect((await readVexFile(out)).statements.map((s) => s.vulnerability.id)).toEqual(['CVE-2021-44228', 'CVE-2021-45046']);
  });

  it.each([
    [['--status', 'maybe'], /^vouch: option '--status <status>' argument 'maybe' is invalid\. Allowed choices are not_affected, affected, fixed, under_investigation\. \(see --help\)\n$/],
    [['--status', 'not_affected', '--justification', 'because'], /Allowed choices are component_not_present, vulnerable_code_not_present, vulnerable_code_cannot_be_controlled_by_adversary, vulnerable_code_not_in_execute_path, inline_mitigations_already_exist/],
    [['--status', 'not_affected'], /^vouch: --status not_affected needs --justification \(one of component_not_present, .*\) or --impact-statement\n$/],
    [['--status', 'affected'], /^vouch: --status affected needs --action-statement \(what to do about it\)\n$/],
    [['--status', 'fixed', '--justification', 'component_not_present'], /^vouch: --justification is only for --status not_affected \(got --status fixed\)\n$/],
  ])('exits 2 with one line for %j', async (extra, message) => {
    const r = await run(['vex', 'create', '--vuln', 'CVE-2021-44228', '--product', LOG4J, ...extra]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 when required options are missing or a product is not a purl', async () => {
    expect((await run(['vex', 'create', '--product', LOG4J, '--status', 'fixed'])).err).toMatch(/required option '--vuln <id>' not specified/);
    expect((await run(['vex', 'create', '--vuln', 'CVE-1', '--status', 'fixed'])).err).toMatch(/required option '--product <purl>' not specified/);
    const r = await run(['vex', 'create', '--vuln', 'CVE-1', '--product', 'log4j-core', '--status', 'fixed']);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/^vouch: --product and --subcomponent take a purl/);
  });

  it('--append to a missing, broken or non-0.2 file exits 2 naming the file, and leaves it as it was', async () => {
    const dir = tmp();
    const missing = await run(['vex', 'create', '--vuln', 'CVE-1', '--product', LOG4J, '--status', 'fixed', '--append', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`vouch: ${path.join(dir, 'nope.json')}: cannot read the VEX file to append to (ENOENT)\n`);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "@context": "https://openvex.dev/ns/v0.2.0",\n');
    const r = await run(['vex', 'create', '--vuln', 'CVE-1', '--product', LOG4J, '--status', 'fixed', '--append', broken]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^vouch: ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: not valid JSON`));
    expect(readFileSync(broken, 'utf8')).toBe('{\n  "@context": "https://openvex.dev/ns/v0.2.0",\n');
    const old = path.join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ '@context': 'https://openvex.dev/ns', version: 1, statements: [] }));
    const r2 = await run(['vex', 'create', '--vuln', 'CVE-1', '--product', LOG4J, '--status', 'fixed', '--append', old]);
    expect(r2.err).toBe(`vouch: ${old} ($["@context"]): --append extends OpenVEX 0.2.x documents (@context https://openvex.dev/ns/v0.2.0); this one has "https://openvex.dev/ns"\n`);
  });

  it('vexTimestamp: $SOURCE_DATE_EPOCH or now; a bad value is a usage error', () => {
    expect(vexTimestamp({ SOURCE_DATE_EPOCH: '0' })).toBe('1970-01-01T00:00:00.000Z');
    expect(vexTimestamp({}, new Date('2025-01-02T03:04:05Z'))).toBe('2025-01-02T03:04:05.000Z');
    expect(() => vexTimestamp({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH must be whole seconds/);
  });
});

describe('vouch vex show', () => {
  const fx = (n: string): string => path.join(import.meta.dirname, '..', 'triage', 'vex', '__fixtures__', n);
  const files = [fx('log4j.openvex.json'), fx('app.vex.cdx.json')];

  it('prints the statements of both formats as JSON, warnings on stderr', async () => {
    const r = await run(['vex', 'show', ...files, '-f', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { documents: { format: string; statements: number }[]; statements: { vulnerability: { id: string } }[] };
    expect(out.documents.map((d) => [d.format, d.statements])).toEqual([
      ['openvex', 2],
      ['cyclonedx', 3],
    ]);
    expect(out.statements.map((s) => s.vulnerability.id)).toEqual(['CVE-2021-44228', 'CVE-2021-45046', 'CVE-2021-44228', 'CVE-2021-23337', 'CVE-2020-8203']);
    expect(r.err.trim().split('\n')).toHaveLength(3);
    expect(r.err).toContain('version range "vers:generic/>=1|<2" uses the scheme "generic"');
    expect((await run(['vex', 'show', ...files, '-f', 'json', '-q'])).err).toBe('');
  });

  it('--vuln and --purl: the statements that apply and the decision (latest wins)', async () => {
    const r = await run(['vex', 'show', ...files, '-f', 'json', '-q', '--vuln', 'cve-2021-44228', '--purl', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1']);
    const out = JSON.parse(r.out) as { statements: { source: string }[]; decision: { explanation: string[]; suppressed: { status: string; source: string } | null } };
    expect(out.statements.map((s) => s.source)).toEqual([`${files[0]} ($.statements[0])`, `${files[1]} ($.vulnerabilities[0])`]);
    expect(out.decision.suppressed).toMatchObject({ status: 'not_affected', source: `${files[1]} ($.vulnerabilities[0])` });
    expect(out.decision.explanation[1]).toMatch(/\[decides\]$/);
    const t = await run(['vex', 'show', ...files, '-f', 'table', '-q', '--vuln', 'CVE-2021-45046', '--purl', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.16.0']);
    expect(t.out).toMatch(/CVE-2021-45046 +affected/);
    expect(t.out).toMatch(/\n=> not suppressed\n$/);
    // the finding's OSV id alone does not reach a statement about its CVE alias; both ids do
    const ghsa = ['--purl', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', '-f', 'json', '-q'];
    expect((JSON.parse((await run(['vex', 'show', ...files, '--vuln', 'GHSA-jfh8-c2jp-5v3q', ...ghsa])).out) as { decision: { suppressed: unknown } }).decision.suppressed).toMatchObject({
      source: `${files[1]} ($.vulnerabilities[0])`, // the CycloneDX statement lists the GHSA id as a reference
    });
    const both = JSON.parse((await run(['vex', 'show', ...files, '--vuln', 'GHSA-7rjr-3q55-vv33', '--vuln', 'CVE-2021-45046', ...ghsa])).out) as { statements: unknown[]; decision: { suppressed: unknown } };
    expect(both.statements).toHaveLength(1);
    expect(both.decision.suppressed).toBeNull();
    const none = await run(['vex', 'show', ...files, '-f', 'table', '-q', '--vuln', 'CVE-2000-1', '--purl', 'pkg:npm/x@1']);
    expect(none.out).toMatch(/0 statements\n\nno statement applies\n=> not suppressed\n$/);
  });

  it('exits 2 with one line for a file that is not VEX, or missing', async () => {
    const dir = tmp();
    const lock = path.join(dir, 'package-lock.json');
    writeFileSync(lock, '{"lockfileVersion":3}');
    const r = await run(['vex', 'show', lock]);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(`vouch: ${lock}: not a VEX document: neither an OpenVEX @context (https://openvex.dev/ns...) nor a CycloneDX BOM (bomFormat "CycloneDX")\n`);
    const m = await run(['vex', 'show', path.join(dir, 'none.json')]);
    expect(m.err).toBe(`vouch: ${path.join(dir, 'none.json')}: cannot read the VEX file (ENOENT)\n`);
    expect((await run(['vex', 'show', files[0]!, '--purl', 'lodash'])).err).toMatch(/^vouch: --purl takes a purl/);
  });

  it('- reads a document from stdin', async () => {
    const doc = (await run([...CREATE], EPOCH)).out;
    const stdin = vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([Buffer.from(doc)]) as unknown as typeof process.stdin);
    try {
      const r = await run(['vex', 'show', '-', '-f', 'json']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as { statements: { source: string }[] }).statements.map((s) => s.source)).toEqual(['<stdin> ($.statements[0])']);
    } finally {
      stdin.mockRestore();
    }
  });

  it('renderStatements: one row per statement, long product lists shortened', () => {
    const text = renderStatements([
      { vulnerability: { id: 'CVE-1', aliases: [] }, products: ['pkg:npm/a', 'pkg:npm/b', 'pkg:npm/c'], subcomponents: ['pkg:npm/d'], status: 'fixed', source: 'x.json ($.statements[0])' },
    ]);
    expect(text.split('\n')[1]).toBe(`CVE-1${' '.repeat(13 - 5 + 2)}fixed${' '.repeat(6 - 5 + 2)}${' '.repeat(13 + 2)}pkg:npm/a, pkg:npm/b +2 more  x.json ($.statements[0])`);
    expect(text.endsWith('1 statement\n')).toBe(true);
    const ranged = renderStatements([
      { vulnerability: { id: 'CVE-1', aliases: [] }, products: [], subcomponents: [], versionRanges: [{ purl: 'pkg:npm/a', range: 'vers:npm/<2' }], status: 'fixed', source: 's' },
    ]);
    expect(ranged.split('\n')[1]).toMatch(/ pkg:npm\/a vers:npm\/<2 {2}s$/);
  });
});
