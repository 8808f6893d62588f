/**
 * Issue 14 item 1, VEX in and out per project, on SQLite and (VOUCH_TEST_PG) PostgreSQL: a
 * project's analyses exported as OpenVEX and as CycloneDX and re-imported into another project
 * give the same analyses statement for statement — including a 25,000-statement document — and a
 * document with unknown products, unknown vulnerabilities and conflicting statements is applied as
 * far as it is valid, with every statement not applied listed with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG4J_ADVISORIES } from '../portfolio/portfolio-testing.js';
import { testDbs } from '../testing/db.js';
import { HAS_SHARED } from '../testing/shared.js';
import { LOG4J, type ResponseWorld, responseWorld } from './response-testing.js';

const L4J = `${LOG4J}@2.14.1`;
/** the four advisories 2.14.1 is hit by (portfolio-testing.ts): the ids this server's findings know */
const HITS = LOG4J_ADVISORIES.slice(0, 4);
const MANY = 6250; // × 4 advisories = 25,000 statements

/** A CycloneDX SBOM of a service with log4j-core 2.14.1 and `extra` small libraries. */
function bigSbom(service: string, extra: number): Buffer {
  const libs = Array.from({ length: extra }, (_, i) => ({ type: 'library', 'bom-ref': `lib${i}`, group: 'com.example', name: `lib${i}`, version: '1.0.0', purl: `pkg:maven/com.example/lib${i}@1.0.0` }));
  return Buffer.from(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { component: { type: 'application', name: service, 'bom-ref': 'app' } },
      components: [{ type: 'library', 'bom-ref': 'log4j', group: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1', purl: L4J }, ...libs],
      dependencies: [{ ref: 'app', dependsOn: ['log4j', ...libs.map((l) => l['bom-ref'])] }],
    }),
  );
}

type A = { purl: string; vuln: string; state: string; justification?: string; response: string[]; detail?: string };
const essence = (items: A[]): string[] => items.map((a) => JSON.stringify([a.purl, a.vuln, a.state, a.justification ?? null, a.response, a.detail ?? null])).sort();

describe.skipIf(!HAS_SHARED).each(testDbs())('VEX per project on $name', (kind) => {
  let w: ResponseWorld;

  beforeAll(async () => {
    w = await responseWorld(kind);
    for (const p of ['source', 'copy-openvex', 'copy-cyclonedx']) await w.upload(p, '1.0', '2.14.1');
    for (const p of ['big', 'big-copy']) {
      const r = await w.app.inject({ method: 'POST', url: `/api/v1/projects/${p}/versions/1.0/documents?file=bom.cdx.json&wait=120`, headers: w.admin, payload: bigSbom(p, MANY) });
      expect(r.statusCode, r.body).toBe(200);
    }
  }, 300_000);
  afterAll(() => w?.close());

  const analyses = async (project: string): Promise<A[]> => {
    const r = await w.app.inject({ method: 'GET', url: `/api/v1/projects/${project}/analyses`, headers: w.admin });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { items: A[] }).items;
  };
  const importInto = async (project: string, body: string, file = 'vex.json') => {
    const r = await w.app.inject({ method: 'POST', url: `/api/v1/projects/${project}/vex?file=${file}`, headers: { ...w.admin, 'content-type': 'application/json' }, payload: body });
    expect(r.statusCode, r.body.slice(0, 500)).toBe(200);
    return r.json() as { applied: number; statements: number; notApplied: { statement: string; product?: string; reason: string }[] };
  };
  const exportOf = async (project: string, format: string): Promise<string> => {
    const r = await w.app.inject({ method: 'GET', url: `/api/v1/projects/${project}/vex?format=${format}`, headers: w.admin });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    return r.body;
  };

  it('round-trips every state, justification, response and detail through OpenVEX and CycloneDX', async () => {
    const written: object[] = [
      { purl: L4J, vuln: 'CVE-2021-44228', state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', detail: 'JNDI disabled' },
      { purl: L4J, vuln: 'GHSA-7rjr-3q55-vv33', state: 'false_positive', detail: 'the scanner matched a shaded copy' },
      { purl: L4J, vuln: 'GHSA-p6xc-xr62-6r2g', state: 'exploitable', response: ['update', 'workaround_available'], detail: 'patch planned' },
      { purl: L4J, vuln: 'GHSA-8489-44mv-ggj8', state: 'in_triage' },
      { purl: 'pkg:maven/com.example/logging-wrapper@1.0.0', vuln: 'CVE-2021-44228', state: 'resolved', response: ['rollback'] },
      { purl: 'pkg:maven/com.example/logging-wrapper@1.0.0', vuln: 'GHSA-7rjr-3q55-vv33', state: 'not_affected', justification: 'component_not_present' },
    ];
    for (const b of written) {
      const r = await w.app.inject({ method: 'POST', url: '/api/v1/projects/source/analyses', headers: w.admin, payload: b });
      expect(r.statusCode, r.body).toBe(201);
    }
    const source = await analyses('source');
    expect(source).toHaveLength(6);
    for (const [format, target] of [['openvex', 'copy-openvex'], ['cyclonedx', 'copy-cyclonedx']] as const) {
      const doc = await exportOf('source', format);
      const res = await importInto(target, doc, `source.${format}.json`);
      expect(res.notApplied, format).toEqual([]);
      expect(res).toMatchObject({ statements: 6, applied: 6 });
      expect(essence(await analyses(target)), format).toEqual(essence(source));
    }
    // the imported analyses act like any other: the not_affected and false_positive findings leave the count
    const rep = (await w.app.inject({ method: 'GET', url: '/api/v1/projects/copy-openvex/findings', headers: w.admin })).json() as { summary: { suppressed: number } };
    expect(rep.summary.suppressed).toBe(2);
  });

  it('applies a 25,000-statement document in one go and exports it back statement for statement', async () => {
    const states = [
      { status: 'not_affected', justification: 'vulnerable_code_not_present' },
      { status: 'affected', action_statement: 'response: will_not_fix' },
      { status: 'fixed' },
      { status: 'under_investigation', status_notes: 'looking' },
    ];
    const statements = [];
    for (let i = 0; i < MANY; i++) {
      for (let k = 0; k < HITS.length; k++) statements.push({ vulnerability: { name: HITS[k] }, products: [{ '@id': `pkg:maven/com.example/lib${i}@1.0.0` }], ...states[(i + k) % states.length] });
    }
    expect(statements).toHaveLength(25_000);
    const doc = JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/big', author: 'test', timestamp: '2026-12-01T00:00:00Z', version: 1, statements });
    const res = await importInto('big', doc, 'big.openvex.json');
    expect(res.notApplied).toEqual([]);
    expect(res).toMatchObject({ statements: 25_000, applied: 25_000 });
    const big = await analyses('big');
    expect(big).toHaveLength(25_000);
    // spot-check against the statement written, by hand: lib7 × HITS[2] is states[(7 + 2) % 4] = affected → exploitable, will_not_fix
    expect(big.find((a) => a.purl === 'pkg:maven/com.example/lib7@1.0.0' && a.vuln === HITS[2])).toMatchObject({ state: 'exploitable', response: ['will_not_fix'] });
    expect(big.find((a) => a.purl === 'pkg:maven/com.example/lib7@1.0.0' && a.vuln === HITS[1])).toMatchObject({ state: 'not_affected', justification: 'vulnerable_code_not_present' });
    const back = await exportOf('big', 'openvex');
    expect((JSON.parse(back) as { statements: unknown[] }).statements).toHaveLength(25_000);
    const res2 = await importInto('big-copy', back, 'big-export.json');
    expect(res2).toMatchObject({ applied: 25_000, notApplied: [] });
    expect(essence(await analyses('big-copy'))).toEqual(essence(big));
  }, 300_000);

  it('applies what is valid and lists every statement it did not apply, and why', async () => {
    const doc = JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/mixed',
      author: 'partner',
      timestamp: '2026-12-01T00:00:00Z',
      version: 1,
      statements: [
        { vulnerability: { name: 'CVE-2021-44228' }, products: [{ '@id': L4J }], status: 'under_investigation' },
        { vulnerability: { name: 'CVE-2021-44228' }, products: [{ '@id': 'pkg:npm/left-pad@1.3.0' }], status: 'under_investigation' },
        { vulnerability: { name: 'CVE-1999-0001' }, products: [{ '@id': L4J }], status: 'under_investigation' },
        { vulnerability: { name: 'GHSA-8489-44mv-ggj8' }, products: [{ '@id': L4J }], status: 'fixed' },
        { vulnerability: { name: 'GHSA-8489-44mv-ggj8' }, products: [{ '@id': L4J }], status: 'under_investigation' },
        { vulnerability: { name: 'CVE-2021-45046' }, products: [{ '@id': 'registry.example.com/app:1.0' }], status: 'under_investigation' },
        // a purl without version: every version of it the project has
        { vulnerability: { name: 'CVE-2021-45105' }, products: [{ '@id': LOG4J }], status: 'not_affected', justification: 'inline_mitigations_already_exist' },
      ],
    });
    const res = await importInto('copy-cyclonedx', doc, 'mixed.json');
    expect(res.statements).toBe(7);
    expect(res.applied).toBe(2);
    const reasons = res.notApplied.map((n) => `${n.statement.replace(/^mixed\.json /, '')} ${n.reason.split(':')[0]}`).sort();
    expect(reasons).toEqual([
      '($.statements[1]) unknown product',
      '($.statements[2]) unknown vulnerability CVE-1999-0001',
      '($.statements[3]) conflicts with another statement about GHSA-8489-44mv-ggj8 on pkg',
      '($.statements[4]) conflicts with mixed.json ($.statements[3]) about GHSA-8489-44mv-ggj8 on pkg',
      '($.statements[5]) not a purl',
    ]);
    const now = await analyses('copy-cyclonedx');
    expect(now.find((a) => a.vuln === 'CVE-2021-44228' && a.purl === L4J)?.state).toBe('in_triage');
    expect(now.find((a) => a.vuln === 'CVE-2021-45105')).toMatchObject({ purl: L4J, state: 'not_affected', justification: 'inline_mitigations_already_exist' });
  });

  it('refuses a body that is no VEX with one line, and writes nothing', async () => {
    const before = (await analyses('source')).length;
    const r = await w.app.inject({ method: 'POST', url: '/api/v1/projects/source/vex?file=x.json', headers: { ...w.admin, 'content-type': 'application/json' }, payload: '{"hello": 1}' });
    expect(r.statusCode).toBe(422);
    expect(r.json().detail).toMatch(/not a VEX document/);
    const bad = await w.app.inject({ method: 'POST', url: '/api/v1/projects/source/vex?file=x.json', headers: { ...w.admin, 'content-type': 'application/json' }, payload: '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [' });
    expect(bad.statusCode).toBe(422);
    expect((await analyses('source')).length).toBe(before);
    const viewer = await w.token('viewer', 'v');
    expect((await w.app.inject({ method: 'POST', url: '/api/v1/projects/source/vex', headers: { ...viewer, 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBe(403);
    expect((await w.app.inject({ method: 'GET', url: '/api/v1/projects/source/vex', headers: viewer })).statusCode).toBe(200);
    const other = await w.token('maintainer', 'm', ['big']);
    expect((await w.app.inject({ method: 'GET', url: '/api/v1/projects/source/vex', headers: other })).statusCode).toBe(404);
  });
});
