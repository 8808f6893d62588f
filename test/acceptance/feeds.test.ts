/**
 * The "Feed test" of issue 14, end to end with the built CLI (the second describe: between two
 * `vouch serve` processes): organisation A writes two advisories
 * (`vouch advisory new`) for log4j-core, one AMBER and one CLEAR, and publishes them as a signed
 * feed; B, whose store holds an OSV record of its own, subscribes with A's public key, and `vouch
 * scan` of B's SBOM names A as the source of A's advisories; B's own feed never carries A's AMBER
 * record; and every tampered feed is refused with one line and exit 2, the store byte for byte as
 * it was.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKey } from '../../src/attest/keys.js';
import { signDocument } from '../../src/attest/signed-document.js';
import { REPO_ROOT } from '../../src/testing/shared.js';
import { log4jCycloneDx, tempDir, vouch, vouchAsync } from './helpers.js';
import { type ServeProcess, startServe } from './server-helpers.js';

interface JsonFinding {
  id: string;
  source?: { name: string; url: string; key: string; tlp: string };
  summary?: string;
}

const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core';
/** GHSA-jfh8-c2jp-5v3q as B's OSV store holds it (the fields vouch matches on, from the published record). */
const GHSA = {
  id: 'GHSA-jfh8-c2jp-5v3q',
  modified: '2024-02-16T08:18:45Z',
  aliases: ['CVE-2021-44228'],
  summary: 'Remote code injection in Log4j',
  affected: [{ package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.13.0' }, { fixed: '2.15.0' }] }] }],
};

describe('signed advisory feeds between organisations (vouch feed publish, vouch db update --trusted-key)', () => {
  let work: string;
  let homeA: string;
  let homeB: string;
  let feedA: string;
  let sbom: string;
  const env = (home: string): Record<string, string> => ({ VOUCH_HOME: home, FORCE_COLOR: '0' });
  const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
  const store = (): string => path.join(homeB, 'osv.sqlite');
  const ok = (r: { code: number | null; stderr: string }): void => {
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(() => {
    work = tempDir('feeds');
    homeA = path.join(work, 'home-a');
    homeB = path.join(work, 'home-b');
    for (const who of ['acme', 'globex', 'mallory']) ok(vouch(['key', 'generate', '--type', 'p256', '--output', path.join(work, who)]));
    mkdirSync(path.join(work, 'acme-advisories'));
    // A's two advisories, written as A would write them
    ok(
      vouch([
        'advisory', 'new', '--id', 'x_ACME-2026-0001', '--summary', 'JNDI lookup reachable through the acme-logging bridge',
        '--affected', LOG4J, '--range', 'introduced=2.0,fixed=2.17.1', '-o', path.join(work, 'acme-advisories', 'amber.json'),
      ]),
    );
    ok(
      vouch([
        'advisory', 'new', '--id', 'x_ACME-2026-0002', '--summary', 'Log4j 2.14 crash on malformed MDC',
        '--affected', LOG4J, '--range', 'introduced=2.14.0,fixed=2.14.2', '-o', path.join(work, 'acme-advisories', 'clear.json'),
      ]),
    );
    // the AMBER one says so in the record itself; the other takes --tlp CLEAR
    const amber = path.join(work, 'acme-advisories', 'amber.json');
    const rec = JSON.parse(readFileSync(amber, 'utf8')) as { database_specific?: Record<string, unknown> };
    rec.database_specific = { ...rec.database_specific, tlp: 'AMBER' };
    writeFileSync(amber, JSON.stringify(rec, null, 2));
    feedA = path.join(work, 'feed-a');
    const pub = vouch(['feed', 'publish', feedA, '--key', path.join(work, 'acme.key'), '--publisher', 'ACME', '--tlp', 'CLEAR', '--records', path.join(work, 'acme-advisories')], env(homeA));
    ok(pub);
    expect(pub.stderr).toMatch(/wrote .*feed-a: 2 record\(s\) \(1 CLEAR, 1 AMBER\), 0 VEX document\(s\), signed by SHA256:[0-9a-f]{64}/);

    // B's store: its OSV data first (one record), then A's feed
    const osv = path.join(work, 'osv-b');
    mkdirSync(osv);
    writeFileSync(path.join(osv, 'GHSA-jfh8-c2jp-5v3q.json'), JSON.stringify(GHSA));
    ok(vouch(['db', 'update', '--source', osv, '--quiet'], env(homeB)));
    const sub = vouch(['db', 'update', '--source', feedA, '--trusted-key', path.join(work, 'acme.pub')], env(homeB));
    ok(sub);
    expect(sub.stderr).toMatch(/loaded 2 advisory record\(s\) from ACME \(.*feed-a; 1 CLEAR, 1 AMBER\)/);
    sbom = path.join(work, 'billing.cdx.json');
    writeFileSync(sbom, log4jCycloneDx('2.14.1'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the feed is a static folder: the records as written, an index with digests and TLP, a bundle `vouch verify` accepts', () => {
    expect(readdirSync(feedA).sort()).toEqual(['index.json', 'index.json.sigstore.json', 'records']);
    const index = JSON.parse(readFileSync(path.join(feedA, 'index.json'), 'utf8')) as { publisher: string; records: { path: string; sha256: string; tlp: string; id: string }[] };
    expect(index.publisher).toBe('ACME');
    expect(index.records.map((r) => [r.id, r.tlp])).toEqual([
      ['x_ACME-2026-0001', 'AMBER'],
      ['x_ACME-2026-0002', 'CLEAR'],
    ]);
    // the published bytes are the authored file's bytes, and the digest is theirs
    expect(sha(path.join(feedA, 'records', 'x_ACME-2026-0002.json'))).toBe(sha(path.join(work, 'acme-advisories', 'clear.json')));
    expect(index.records[1]!.sha256).toBe(sha(path.join(work, 'acme-advisories', 'clear.json')));
    const v = vouch(['verify', path.join(feedA, 'index.json'), '--bundle', path.join(feedA, 'index.json.sigstore.json'), '--key', path.join(work, 'acme.pub')]);
    ok(v);
  });

  it("B's scan finds A's advisories, each named with A as its source and its TLP", () => {
    const r = vouch(['scan', sbom, '--format', 'json'], env(homeB));
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { schemaVersion: string; findings: JsonFinding[] };
    expect(report.schemaVersion).toBe('1.4');
    const byId = new Map(report.findings.map((f) => [f.id, f]));
    expect([...byId.keys()].sort()).toEqual(['GHSA-jfh8-c2jp-5v3q', 'x_ACME-2026-0001', 'x_ACME-2026-0002']);
    expect(byId.get('x_ACME-2026-0001')!.source).toEqual({ name: 'ACME', url: feedA, key: expect.stringMatching(/^SHA256:[0-9a-f]{64}$/) as unknown, tlp: 'AMBER' });
    expect(byId.get('x_ACME-2026-0002')!.source?.tlp).toBe('CLEAR');
    expect(byId.get('GHSA-jfh8-c2jp-5v3q')!.source).toBeUndefined();
    // the report with sources is what docs/scan-report.schema.json describes
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(REPO_ROOT, 'docs', 'scan-report.schema.json'), 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(validate({ ...report, findings: [{ ...byId.get('x_ACME-2026-0001')!, source: { name: 'ACME', url: feedA, key: 'SHA256:x', tlp: 'AMBER' } }] })).toBe(false);
    const table = vouch(['scan', sbom], env(homeB));
    expect(table.stdout).toMatch(/x_ACME-2026-0001 \(from ACME, TLP:AMBER\)/);
    // the other reports say whose it is too, and never link a partner's record to osv.dev
    const md = vouch(['scan', sbom, '--format', 'markdown'], env(homeB)).stdout;
    expect(md).toContain('x\\_ACME-2026-0001 (from ACME, TLP:AMBER)'); // Markdown escapes the underscore
    expect(md).not.toContain('osv.dev/vulnerability/x_ACME');
    const html = vouch(['scan', sbom, '--format', 'html'], env(homeB)).stdout;
    expect(html).toContain('x_ACME-2026-0001 <span class="cve">from ACME, TLP:AMBER</span>');
    expect(html).not.toContain('osv.dev/vulnerability/x_ACME');
    const sarif = JSON.parse(vouch(['scan', sbom, '--format', 'sarif'], env(homeB)).stdout) as { runs: { results: { ruleId: string; message: { text: string }; properties: { source?: { name: string } } }[] }[] };
    const acme = sarif.runs[0]!.results.find((r) => r.ruleId === 'x_ACME-2026-0001')!;
    expect(acme.message.text).toContain('is affected by x_ACME-2026-0001 (from ACME, TLP:AMBER)');
    expect(acme.properties.source?.name).toBe('ACME');
    const show = vouch(['db', 'show', 'x_ACME-2026-0001', '--json'], env(homeB));
    ok(show);
    expect((JSON.parse(show.stdout) as { id: string; summary: string }[]).map((r) => [r.id, r.summary])).toEqual([
      ['x_ACME-2026-0001', 'JNDI lookup reachable through the acme-logging bridge'],
    ]);
    expect(vouch(['db', 'show', 'x_ACME-2026-0001'], env(homeB)).stdout).toMatch(/^ {2}source: {4}ACME, TLP:AMBER \(feed .*feed-a, key SHA256:[0-9a-f]{64}\)$/m);
    const status = vouch(['db', 'status'], env(homeB));
    expect(status.stdout).toMatch(/^Feed: ACME: 2 record\(s\), published .* from .*feed-a$/m);
  });

  it("B's own feed never carries A's AMBER record: relayed CLEAR only, and a copy of the AMBER one refused", () => {
    const bAdvisories = path.join(work, 'globex-advisories');
    mkdirSync(bAdvisories);
    ok(vouch(['advisory', 'new', '--id', 'x_GLOBEX-2026-0001', '--summary', 'Globex finding', '--affected', LOG4J, '--range', 'introduced=0,fixed=2.0.1', '-o', path.join(bAdvisories, 'own.json')]));
    const feedB = path.join(work, 'feed-b');
    const r = vouch(['feed', 'publish', feedB, '--key', path.join(work, 'globex.key'), '--publisher', 'Globex', '--tlp', 'GREEN', '--records', bAdvisories, '--relay'], env(homeB));
    ok(r);
    expect(r.stderr).toMatch(/withheld 1 subscribed record\(s\) at AMBER or RED/);
    const index = JSON.parse(readFileSync(path.join(feedB, 'index.json'), 'utf8')) as { records: { id: string; tlp: string; from?: { publisher: string } }[] };
    expect(index.records.map((e) => [e.id, e.tlp, e.from?.publisher])).toEqual([
      ['x_ACME-2026-0002', 'CLEAR', 'ACME'],
      ['x_GLOBEX-2026-0001', 'GREEN', undefined],
    ]);
    expect(readdirSync(path.join(feedB, 'records'))).not.toContain('x_ACME-2026-0001.json');

    // a third organisation relaying B's feed names ACME, not Globex, as the origin of ACME's record
    const homeC = path.join(work, 'home-c');
    ok(vouch(['db', 'update', '--source', feedB, '--trusted-key', path.join(work, 'globex.pub'), '--quiet'], env(homeC)));
    const feedC = path.join(work, 'feed-relayed');
    ok(vouch(['feed', 'publish', feedC, '--key', path.join(work, 'mallory.key'), '--publisher', 'Initech', '--relay'], env(homeC)));
    const relayed = JSON.parse(readFileSync(path.join(feedC, 'index.json'), 'utf8')) as { records: { id: string; from?: { publisher: string } }[] };
    expect(relayed.records.map((e) => [e.id, e.from?.publisher])).toEqual([
      ['x_ACME-2026-0002', 'ACME'],
      ['x_GLOBEX-2026-0001', 'Globex'],
    ]);

    // B copies A's AMBER record among its own: refused, nothing written
    cpSync(path.join(feedA, 'records', 'x_ACME-2026-0001.json'), path.join(bAdvisories, 'copied.json'));
    const leak = vouch(['feed', 'publish', path.join(work, 'feed-b2'), '--key', path.join(work, 'globex.key'), '--tlp', 'GREEN', '--records', bAdvisories], env(homeB));
    expect(leak.code).toBe(2);
    expect(leak.stderr.trim().split('\n')).toHaveLength(1);
    expect(leak.stderr).toMatch(/x_ACME-2026-0001 is held from ACME's feed .* at TLP:AMBER: AMBER and RED records are never re-published/);
    expect(readdirSync(work)).not.toContain('feed-b2');
  });

  it('the same id from two sources stays two findings, each with its source', () => {
    const other = path.join(work, 'globex-ghsa');
    mkdirSync(other);
    writeFileSync(path.join(other, 'ghsa.json'), JSON.stringify({ ...GHSA, summary: 'Globex analysis: reachable through JMS appender', modified: '2026-01-01T00:00:00Z' }));
    const feedC = path.join(work, 'feed-c');
    ok(vouch(['feed', 'publish', feedC, '--key', path.join(work, 'globex.key'), '--publisher', 'Globex', '--tlp', 'GREEN', '--records', other]));
    ok(vouch(['db', 'update', '--source', feedC, '--trusted-key', path.join(work, 'globex.pub'), '--quiet'], env(homeB)));
    const r = vouch(['scan', sbom, '--format', 'json'], env(homeB));
    const ghsa = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.id === 'GHSA-jfh8-c2jp-5v3q');
    expect(ghsa.map((f) => [f.source?.name ?? 'OSV', f.summary]).sort()).toEqual([
      ['Globex', 'Globex analysis: reachable through JMS appender'],
      ['OSV', 'Remote code injection in Log4j'],
    ]);
    // A's feed is still loaded beside Globex's
    expect(vouch(['db', 'status', '--json'], env(homeB)).stdout).toContain('"publisher": "ACME"');
    // unsubscribing from Globex drops its record, and only its record
    const drop = vouch(['db', 'update', '--drop-feed', feedC], env(homeB));
    ok(drop);
    expect(drop.stderr).toMatch(/dropped the records of .*feed-c; 1 subscribed feed\(s\) kept/);
    const after = (JSON.parse(vouch(['scan', sbom, '--format', 'json'], env(homeB)).stdout) as { findings: JsonFinding[] }).findings;
    expect(after.map((f) => [f.id, f.source?.name ?? 'OSV']).sort()).toEqual([
      ['GHSA-jfh8-c2jp-5v3q', 'OSV'],
      ['x_ACME-2026-0001', 'ACME'],
      ['x_ACME-2026-0002', 'ACME'],
    ]);
  });

  describe('a tampered feed is refused with one line and exit 2, the store unchanged', () => {
    const tampered = (name: string, change: (dir: string) => void): string => {
      const dir = path.join(work, `tampered-${name}`);
      cpSync(feedA, dir, { recursive: true });
      change(dir);
      return dir;
    };
    const refused = (source: string, message: RegExp, key = 'acme.pub'): void => {
      const before = sha(store());
      const r = vouch(['db', 'update', '--source', source, '--trusted-key', path.join(work, key)], env(homeB));
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(sha(store())).toBe(before);
    };
    const recordFile = (dir: string): string => path.join(dir, 'records', 'x_ACME-2026-0002.json');

    it('one byte of a record changed', () => {
      refused(
        tampered('record-byte', (d) => writeFileSync(recordFile(d), readFileSync(recordFile(d), 'utf8').replace('2.14.2', '2.14.9'))),
        /feed refused: records\/x_ACME-2026-0002\.json does not match its digest in the signed index/,
      );
    });

    it('the index changed (AMBER relabelled CLEAR)', () => {
      refused(
        tampered('index', (d) => writeFileSync(path.join(d, 'index.json'), readFileSync(path.join(d, 'index.json'), 'utf8').replace('"AMBER"', '"CLEAR"'))),
        /index\.json: feed refused: .*digest mismatch/,
      );
    });

    it('the bundle signed by another key', async () => {
      const dir = tampered('other-key', () => undefined);
      const mallory = parseKey(readFileSync(path.join(work, 'mallory.key'), 'utf8'), 'mallory.key');
      writeFileSync(path.join(dir, 'index.json.sigstore.json'), await signDocument(readFileSync(path.join(dir, 'index.json')), mallory));
      refused(dir, /feed refused: signature invalid: wrong key\?/);
    });

    it('one byte of the bundle changed (the signature)', () => {
      refused(
        tampered('bundle-byte', (d) => {
          const file = path.join(d, 'index.json.sigstore.json');
          const text = readFileSync(file, 'utf8');
          const at = text.indexOf('"signature": "') + '"signature": "'.length + 10;
          writeFileSync(file, text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
        }),
        /index\.json: feed refused: signature invalid for key SHA256:[0-9a-f]{64}/,
      );
    });

    it('a record removed', () => {
      refused(tampered('removed', (d) => unlinkSync(recordFile(d))), /feed refused: records\/x_ACME-2026-0002\.json is missing \(ENOENT\)/);
    });

    it('a record added that the index does not list', () => {
      refused(
        tampered('added', (d) => writeFileSync(path.join(d, 'records', 'x_ACME-2026-0003.json'), readFileSync(recordFile(d)))),
        /feed refused: records\/x_ACME-2026-0003\.json is not in the signed index/,
      );
    });

    it('a record renamed', () => {
      refused(
        tampered('renamed', (d) => renameSync(recordFile(d), path.join(d, 'records', 'x_ACME-2026-0009.json'))),
        /feed refused: records\/x_ACME-2026-0009\.json is not in the signed index/,
      );
    });

    it('a record with an invalid ecosystem, even signed by the right key', async () => {
      const acme = parseKey(readFileSync(path.join(work, 'acme.key'), 'utf8'), 'acme.key');
      const dir = tampered('bad-ecosystem', () => undefined);
      const data = Buffer.from(readFileSync(recordFile(dir), 'utf8').replace('"Maven"', '"Mavenn"'));
      writeFileSync(recordFile(dir), data);
      const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { records: { id: string; sha256: string; size: number }[] };
      const entry = index.records.find((e) => e.id === 'x_ACME-2026-0002')!;
      entry.sha256 = createHash('sha256').update(data).digest('hex');
      entry.size = data.length;
      const bytes = Buffer.from(`${JSON.stringify(index, null, 2)}\n`);
      writeFileSync(path.join(dir, 'index.json'), bytes);
      writeFileSync(path.join(dir, 'index.json.sigstore.json'), await signDocument(bytes, acme));
      refused(dir, /feed refused: records\/x_ACME-2026-0002\.json is not a valid OSV record: \$\.affected\.0\.package\.ecosystem/);
    });

    it('a replayed older index', () => {
      // A publishes again (a newer index); B loads it; then someone serves the older copy
      const older = tampered('older', () => undefined);
      const newer = path.join(work, 'feed-a-newer');
      ok(vouch(['feed', 'publish', newer, '--key', path.join(work, 'acme.key'), '--publisher', 'ACME', '--tlp', 'CLEAR', '--records', path.join(work, 'acme-advisories')], env(homeA)));
      rmSync(feedA, { recursive: true });
      cpSync(newer, feedA, { recursive: true });
      ok(vouch(['db', 'update', '--source', feedA, '--trusted-key', path.join(work, 'acme.pub'), '--quiet'], env(homeB)));
      rmSync(feedA, { recursive: true });
      cpSync(older, feedA, { recursive: true });
      refused(feedA, /feed refused: the index was published .*, before the one already loaded .*: a replayed older index/);
    });

    describe('over http', () => {
      let server: Server;
      let other: Server;
      let base: string;
      beforeAll(async () => {
        // the feed served from 127.0.0.1; /moved/ redirects within it, /elsewhere/ to another host (localhost)
        other = createServer((_req, res) => res.writeHead(200).end('{}'));
        await new Promise<void>((resolve) => other.listen(0, 'localhost', resolve));
        const otherPort = (other.address() as AddressInfo).port;
        server = createServer((req, res) => {
          const url = req.url ?? '/';
          if (url.startsWith('/moved/')) return void res.writeHead(301, { location: url.replace('/moved/', '/feed/') }).end();
          if (url.startsWith('/elsewhere/')) return void res.writeHead(302, { location: `http://localhost:${otherPort}${url.replace('/elsewhere/', '/feed/')}` }).end();
          const rel = url.replace(/^\/feed\//, '');
          try {
            res.writeHead(200).end(readFileSync(path.join(feedA, ...rel.split('/').filter((p) => p !== '..'))));
          } catch {
            res.writeHead(404).end();
          }
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      afterAll(() => {
        server.close();
        other.close();
      });

      it('a subscriber with no OSV data loads the feed through a same-origin redirect and matches its records', async () => {
        const fresh = path.join(work, 'home-http');
        const r = await vouchAsync(['db', 'update', '--source', `${base}/moved/`, '--trusted-key', path.join(work, 'acme.pub')], env(fresh));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`loaded 2 advisory record\\(s\\) from ACME \\(${base}/moved;`));
        // the feed's ecosystem counts as loaded: log4j-core is checked against A's records
        const scan = await vouchAsync(['scan', sbom, '--format', 'json'], env(fresh));
        const report = JSON.parse(scan.stdout) as { findings: JsonFinding[]; notChecked: unknown[] };
        expect(report.notChecked).toEqual([]);
        expect(report.findings.map((f) => [f.id, f.source?.url])).toEqual(
          expect.arrayContaining([
            ['x_ACME-2026-0001', `${base}/moved`],
            ['x_ACME-2026-0002', `${base}/moved`],
          ]),
        );
        expect(report.findings).toHaveLength(2);
      });

      it('refuses a redirect to another host', async () => {
        const before = sha(store());
        const away = await vouchAsync(['db', 'update', '--source', `${base}/elsewhere`, '--trusted-key', path.join(work, 'acme.pub')], env(homeB));
        expect(away.code).toBe(2);
        expect(away.stderr.trim().split('\n')).toHaveLength(1);
        expect(away.stderr).toMatch(/elsewhere\/index\.json: HTTP 302 redirect to another host \(http:\/\/localhost:\d+\) refused/);
        expect(sha(store())).toBe(before);
      });
    });
  });
});

/**
 * The same between two `vouch serve` processes (docs/feeds.md, "On the server"): A stores its own
 * advisories through the API and serves them at /api/v1/feed/ signed with --feed-key; B subscribes
 * through its API with A's public key and a subscriber token A made for it (TLP AMBER); B's
 * projects are matched against A's advisories; B's own feed does not carry A's AMBER record.
 */
describe('signed advisory feeds between two servers (vouch serve --feed-key, POST /api/v1/feeds/subscriptions)', () => {
  let work: string;
  let a: ServeProcess;
  let b: ServeProcess;
  const tokens: Record<string, string> = {};
  const ok = (r: { code: number | null; stderr: string }): void => expect(r.code, r.stderr).toBe(0);
  const api = async (base: string, token: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, text, json: text && r.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : undefined };
  };
  const token = (home: string, args: string[]): string => {
    const r = vouch(['token', 'create', '--home', home, ...args]);
    ok(r);
    return r.stdout.trim();
  };

  beforeAll(async () => {
    work = tempDir('feeds-serve');
    const homeA = path.join(work, 'home-a');
    const homeB = path.join(work, 'home-b');
    for (const who of ['acme', 'globex']) ok(vouch(['key', 'generate', '--type', 'p256', '--output', path.join(work, who)]));
    tokens['a'] = token(homeA, ['--name', 'ops', '--role', 'admin']);
    tokens['partner'] = token(homeA, ['--name', 'GLOBEX', '--role', 'subscriber', '--tlp', 'AMBER']);
    tokens['b'] = token(homeB, ['--name', 'ops', '--role', 'admin']);
    tokens['b-partner'] = token(homeB, ['--name', 'SOMEONE', '--role', 'subscriber', '--tlp', 'AMBER']);
    // B's OSV data: one record (the server matches uploads against its store)
    const osv = path.join(work, 'osv-b');
    mkdirSync(osv);
    writeFileSync(path.join(osv, 'GHSA-jfh8-c2jp-5v3q.json'), JSON.stringify(GHSA));
    ok(vouch(['db', 'update', '--source', osv, '--quiet'], { VOUCH_HOME: homeB }));
    [a, b] = await Promise.all([
      startServe(['--home', homeA, '--feed-key', path.join(work, 'acme.key'), '--feed-publisher', 'ACME'], {}),
      startServe(['--home', homeB, '--feed-key', path.join(work, 'globex.key'), '--feed-publisher', 'GLOBEX'], {}),
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const p of [a, b]) {
      p?.child.kill('SIGTERM');
      await p?.exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses a RED clearance, a subscriber limited to projects, and --feed-publisher without --feed-key, with one line and exit 2', () => {
    const home = path.join(work, 'home-x');
    for (const [args, msg] of [
      [['token', 'create', '--home', home, '--name', 'x', '--role', 'subscriber', '--tlp', 'RED'], /--tlp must be CLEAR, GREEN or AMBER \(got "RED"\): RED never leaves the server/],
      [['token', 'create', '--home', home, '--name', 'x', '--role', 'subscriber', '--project', 'billing'], /a subscriber token reads the advisory feed only/],
      [['serve', '--home', home, '--port', '0', '--feed-publisher', 'ACME'], /--feed-publisher names the feed --feed-key signs: give --feed-key/],
    ] as const) {
      const r = vouch([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('B matches its project against A\'s advisory, and does not re-publish A\'s AMBER record', async () => {
    // A's two advisories, written with `vouch advisory new` and stored through A's API
    for (const [id, tlp] of [['x_ACME-2026-0001', 'AMBER'], ['x_ACME-2026-0002', 'CLEAR']] as const) {
      const file = path.join(work, `${id}.json`);
      ok(vouch(['advisory', 'new', '--id', id, '--summary', `advisory ${id}`, '--affected', LOG4J, '--range', 'introduced=2.0,fixed=2.17.1', '-o', file]));
      const r = await api(a.url, tokens['a']!, 'POST', `/api/v1/advisories?tlp=${tlp}`, readFileSync(file, 'utf8'));
      expect(r.status, r.text).toBe(201);
    }
    // B's project, uploaded before it subscribes
    const up = await fetch(`${b.url}/api/v1/projects/billing/versions/1.0/documents?file=bom.cdx.json&wait=60`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens['b']}`, 'content-type': 'application/vnd.cyclonedx+json' },
      body: log4jCycloneDx('2.14.1'),
    });
    // processed now (200) or by the worker soon (202): the findings below are waited for
    expect([200, 202], await up.text()).toContain(up.status);

    const sub = await api(b.url, tokens['b']!, 'POST', '/api/v1/feeds/subscriptions', { url: `${a.url}/api/v1/feed`, publicKey: readFileSync(path.join(work, 'acme.pub'), 'utf8'), every: '6h', token: tokens['partner'] });
    expect(sub.status, sub.text).toBe(201);
    const id = (sub.json as { id: number }).id;
    let findings: JsonFinding[];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = (await api(b.url, tokens['b']!, 'GET', `/api/v1/feeds/subscriptions/${id}`)).json as { lastError?: string };
      expect(s.lastError).toBeUndefined();
      findings = ((await api(b.url, tokens['b']!, 'GET', '/api/v1/projects/billing/findings')).json as { findings: JsonFinding[] }).findings;
      if (findings.filter((f) => f.source?.name === 'ACME').length === 2 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(findings.map((f) => `${f.id} ${f.source ? `${f.source.name} ${f.source.tlp}` : 'OSV'}`).sort()).toEqual(['GHSA-jfh8-c2jp-5v3q OSV', 'x_ACME-2026-0001 ACME AMBER', 'x_ACME-2026-0002 ACME CLEAR']);

    // B may not publish A's AMBER record as its own; B's feed carries only B's own
    const copy = await api(b.url, tokens['b']!, 'POST', '/api/v1/advisories?tlp=CLEAR', readFileSync(path.join(work, 'x_ACME-2026-0001.json'), 'utf8'));
    expect(copy.status).toBe(409);
    const own = path.join(work, 'x_GLOBEX-1.json');
    ok(vouch(['advisory', 'new', '--id', 'x_GLOBEX-1', '--summary', 'globex', '--affected', LOG4J, '--range', 'introduced=2.0,fixed=2.17.1', '-o', own]));
    expect((await api(b.url, tokens['b']!, 'POST', '/api/v1/advisories?tlp=CLEAR', readFileSync(own, 'utf8'))).status).toBe(201);
    const index = await api(b.url, tokens['b-partner']!, 'GET', '/api/v1/feed/index.json');
    expect(index.status).toBe(200);
    expect((index.json as { publisher: string; records: { id: string }[] }).records.map((r) => r.id)).toEqual(['x_GLOBEX-1']);
    // and a subscriber of A's feed with the CLI verifies what A's server serves (the bundle with A's key)
    const idx = await fetch(`${a.url}/api/v1/feed/index.json`, { headers: { authorization: `Bearer ${tokens['partner']}` } });
    const bundle = await fetch(`${a.url}/api/v1/feed/index.json.sigstore.json`, { headers: { authorization: `Bearer ${tokens['partner']}` } });
    writeFileSync(path.join(work, 'index.json'), Buffer.from(await idx.arrayBuffer()));
    writeFileSync(path.join(work, 'index.json.sigstore.json'), Buffer.from(await bundle.arrayBuffer()));
    ok(vouch(['verify', path.join(work, 'index.json'), '--bundle', path.join(work, 'index.json.sigstore.json'), '--key', path.join(work, 'acme.pub')]));
  }, 120_000);
});
