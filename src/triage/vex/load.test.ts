import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportFinding } from '../../model/triage.js';
import { loadVex, vexSuppressor } from './load.js';
import { log4shellFinding } from '../../testing/report-finding.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'vouch-vex-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fixture = (name: string): string => path.join(import.meta.dirname, '__fixtures__', name);

const finding = log4shellFinding;

describe('loadVex + vexSuppressor', () => {
  const dir = path.join(root, 'proj');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'pom.xml'), '<project/>');
  copyFileSync(fixture('app.vex.cdx.json'), path.join(dir, 'app.vex.cdx.json'));
  const explicit = fixture('log4j.openvex.json');

  it('reads --vex files first, then the discovered ones, each once', async () => {
    const v = await loadVex({ files: [explicit], inputs: [dir], discover: true });
    expect(v.files).toEqual([explicit, path.join(dir, 'app.vex.cdx.json')]);
    expect(v.statements.map((s) => s.vulnerability.id)).toEqual(['CVE-2021-44228', 'CVE-2021-45046', 'CVE-2021-44228', 'CVE-2021-23337', 'CVE-2020-8203']);
    expect(v.warnings).toHaveLength(3);
    expect((await loadVex({ files: [path.join(dir, 'app.vex.cdx.json')], inputs: [dir], discover: true })).files).toEqual([path.join(dir, 'app.vex.cdx.json')]);
    expect((await loadVex({ inputs: [dir] })).files).toEqual([]);
  });

  it('fails on a VEX file it cannot read, naming it', async () => {
    const bad = path.join(root, 'bad.vex.json');
    writeFileSync(bad, '{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"nope"}]}');
    await expect(loadVex({ files: [bad] })).rejects.toThrow(/invalid status "nope"/);
    await expect(loadVex({ files: [path.join(root, 'none.json')] })).rejects.toMatchObject({ code: 'INPUT_MISSING', path: path.join(root, 'none.json') });
  });

  it('says what the statements suppress and leaves the rest', async () => {
    const v = await loadVex({ files: [explicit, path.join(dir, 'app.vex.cdx.json')] });
    const log4shell = finding({});
    const lodash = finding({ id: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'], purl: 'pkg:npm/lodash@4.17.20', name: 'lodash', ecosystem: 'npm' });
    const zip = finding({ id: 'GHSA-p6mc-m468-83gw', aliases: ['CVE-2020-8203'], purl: 'pkg:npm/lodash@4.17.20', name: 'lodash', ecosystem: 'npm' });
    const suppress = vexSuppressor(v.statements);
    const out = [log4shell, lodash, zip].map((f): ReportFinding => ({ ...f, suppressed: suppress(f) }));
    // log4shell: the OpenVEX not_affected (2024-03-01) and the CycloneDX not_affected (2024-05-03): the later decides
    expect(out[0]!.suppressed).toEqual({
      by: 'vex',
      status: 'not_affected',
      justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
      impactStatement: 'CycloneDX justification: requires_environment. Runs only on Java 8u191+ with trustURLCodebase off',
      source: `${path.join(dir, 'app.vex.cdx.json')} ($.vulnerabilities[0])`,
    });
    expect(out[1]!.suppressed).toBeUndefined(); // exploitable
    expect(out[2]!.suppressed).toMatchObject({ by: 'vex', status: 'false_positive' });
    expect(log4shell.suppressed).toBeUndefined();
    expect(vexSuppressor([])(log4shell)).toBeUndefined();
  });
});
