/**
 * `vouch vex push` and `vouch incident open|status|list` against a listening server (SQLite): what
 * they send, print and exit with. The routes themselves are tested in src/server/routes-*.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG4J, type ResponseWorld, responseWorld } from '../server/response-testing.js';
import { HAS_SHARED } from '../testing/shared.js';
import { incidentList, incidentOpen, incidentStatus } from './incident.js';
import { vexPush } from './vex-push.js';

describe.skipIf(!HAS_SHARED)('the response commands', () => {
  let w: ResponseWorld;
  let server: string;
  let token: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-resp-cli-'));

  beforeAll(async () => {
    w = await responseWorld({ name: 'sqlite' });
    await w.upload('alpha', '1.0', '2.14.1');
    await w.upload('beta', '1.0', '2.14.1');
    server = await w.app.listen({ host: '127.0.0.1', port: 0 });
    token = w.admin['authorization']!.replace('Bearer ', '');
  }, 120_000);
  afterAll(async () => {
    await w?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const capture = () => {
    const o = { stdout: '', stderr: '' };
    return { o, out: { stdout: (s: string) => void (o.stdout += s), stderr: (s: string) => void (o.stderr += s) } };
  };

  it('vex push applies a document and exits 0; with a statement it cannot apply, lists it and exits 1', async () => {
    const file = path.join(dir, 'app.openvex.json');
    const statement = (product: string) => ({ vulnerability: { name: 'CVE-2021-44228' }, products: [{ '@id': product }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' });
    const doc = (products: string[]) => JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/v', author: 'me', timestamp: '2026-12-01T00:00:00Z', version: 1, statements: products.map(statement) });
    writeFileSync(file, doc([`${LOG4J}@2.14.1`]));
    const a = capture();
    expect(await vexPush(file, { project: 'alpha', server, token }, a.out)).toBe(0);
    expect(JSON.parse(a.o.stdout)).toMatchObject({ statements: 1, applied: 1, notApplied: [] });
    expect(a.o.stderr).toContain('alpha: 1 analyses recorded from 1 openvex statements');
    writeFileSync(file, doc([`${LOG4J}@2.14.1`, 'pkg:npm/left-pad@1.3.0']));
    const b = capture();
    expect(await vexPush(file, { project: 'beta', server, token }, b.out)).toBe(1);
    expect(b.o.stderr).toMatch(/not applied: app\.openvex\.json \(\$\.statements\[1\]\) pkg:npm\/left-pad@1\.3\.0: unknown product/);
    await expect(vexPush(path.join(dir, 'missing.json'), { project: 'beta', server, token }, b.out)).rejects.toThrow(/cannot read the VEX file/);
    await expect(vexPush(file, { project: 'nope', server, token }, b.out)).rejects.toThrow(/404/);
  });

  it('incident open, list and status', async () => {
    const lines: string[] = [];
    const out = (s: string) => void lines.push(s);
    expect(await incidentOpen({ vuln: 'CVE-2021-44228', title: 'Log4Shell', server, token }, out)).toBe(0);
    const opened = JSON.parse(lines.join('')) as { id: number; tasks: { project: string }[] };
    expect(opened.tasks.map((t) => t.project)).toEqual(['alpha', 'beta']);
    lines.length = 0;
    expect(await incidentList({ server, token }, out)).toBe(0);
    expect(lines).toEqual([`${opened.id}\t2/2 open\tLog4Shell\n`]);
    lines.length = 0;
    // tasks still open: exit 1, the review on stdout
    expect(await incidentStatus(String(opened.id), { server, token }, out)).toBe(1);
    expect(lines.join('')).toContain(`# Incident ${opened.id}: Log4Shell`);
    lines.length = 0;
    // -f html: the same review as a page; -f json: the incident
    expect(await incidentStatus(String(opened.id), { server, token, format: 'html' }, out)).toBe(1);
    expect(lines.join('')).toMatch(new RegExp(`^<!doctype html>[\\s\\S]*<h1>Incident ${opened.id}: Log4Shell</h1>`));
    lines.length = 0;
    expect(await incidentStatus(String(opened.id), { server, token, format: 'json' }, out)).toBe(1);
    expect((JSON.parse(lines.join('')) as { id: number; totals: { open: number } }).totals.open).toBe(2);
    await expect(incidentOpen({ server, token }, out)).rejects.toThrow(/--vuln ID or --purl/);
    await expect(incidentStatus('x', { server, token }, out)).rejects.toThrow(/positive integer/);
  });
});
