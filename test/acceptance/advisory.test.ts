/**
 * `vouch advisory new` end to end: the record it writes is loaded by `vouch db update` like any
 * OSV source and matched by `vouch scan`; without a terminal, a missing answer is one line.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { VOUCH, tempDir, vouch } from './helpers.js';

/** util-linux `script`: runs a command on a pseudo-terminal (stdin and stdout are TTYs there). */
const HAS_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

const work = tempDir('advisory');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const lock = (version: string): string =>
  JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app', dependencies: { 'acme-parser': '^2.0.0' } }, 'node_modules/acme-parser': { version } } });

describe('vouch advisory new', () => {
  it('writes a record that db update loads and scan matches (and the fixed version does not)', () => {
    const feed = path.join(work, 'own');
    mkdirSync(feed);
    const record = path.join(feed, 'x_ACME-2026-0001.json');
    const w = vouch(['advisory', 'new', '--id', 'x_ACME-2026-0001', '--summary', 'Deserialization in acme-parser', '--affected', 'pkg:npm/acme-parser', '--range', 'introduced=0,fixed=2.4.1', '-o', record]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toBe(`vouch: wrote x_ACME-2026-0001 to ${record}\n`);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toMatchObject({ id: 'x_ACME-2026-0001', schema_version: '1.6.0' });

    const home = path.join(work, 'home');
    const up = vouch(['db', '--home', home, 'update', '--source', feed, '-q']);
    expect(up.code, up.stderr).toBe(0);
    for (const [version, code, rows] of [['2.4.0', 1, 1], ['2.4.1', 0, 0]] as const) {
      const dir = path.join(work, `app-${version}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'package-lock.json'), lock(version));
      const r = vouch(['scan', dir, '-f', 'json', '-q'], { VOUCH_HOME: home });
      expect(r.code, r.stderr).toBe(code);
      const report = JSON.parse(r.stdout) as { findings: { id: string; name: string; version: string; fixed: string[] }[] };
      expect(report.findings).toHaveLength(rows);
      if (rows) expect(report.findings[0]).toMatchObject({ id: 'x_ACME-2026-0001', name: 'acme-parser', version: '2.4.0', fixed: ['2.4.1'] });
    }
  });

  it('without a terminal, a missing answer or a public-looking id is one line and exit 2', () => {
    const missing = vouch(['advisory', 'new', '--id', 'x_ACME-1', '--affected', 'pkg:npm/a', '--range', 'introduced=0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('vouch: --summary is required (or run on a terminal to be asked)\n');
    const publicId = vouch(['advisory', 'new', '--id', 'GHSA-xxxx-yyyy-zzzz', '--summary', 's', '--affected', 'pkg:npm/a', '--range', 'introduced=0']);
    expect(publicId.code).toBe(2);
    expect(publicId.stderr).toMatch(/^vouch: --id GHSA-xxxx-yyyy-zzzz: use x_<ORG>-<N>/);
  });
});

describe.skipIf(!HAS_SCRIPT)('vouch advisory new on a terminal', () => {
  it('asks for what the flags do not give, reading answers typed ahead', () => {
    const out = path.join(work, 'asked.json');
    const answers = 'x_ACME-2026-0002\nParser bug\npkg:pypi/acme\nintroduced=0,fixed=1.2\n';
    const r = spawnSync('script', ['-qec', `${process.execPath} ${VOUCH} advisory new -o ${out}`, '/dev/null'], { input: answers, encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('Id (x_ORG-N, e.g. x_ACME-2026-0001): ');
    expect(r.stdout).toContain('Affected range (e.g. introduced=0,fixed=2.4.1): ');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      id: 'x_ACME-2026-0002',
      summary: 'Parser bug',
      affected: [{ package: { ecosystem: 'PyPI', name: 'acme' }, ranges: [{ events: [{ introduced: '0' }, { fixed: '1.2' }] }] }],
    });
  });
});
