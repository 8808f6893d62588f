import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../model/report.js';
import { generateKeyPair, parseKey } from './keys.js';
import { attestScanReport, inputSubjects, vulnsPredicate } from './scan-attest.js';
import { verifyBundle } from './verify.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vouch-scan-attest-'));
const lock = path.join(dir, 'package-lock.json');
writeFileSync(lock, '{"lockfileVersion":3,"packages":{}}');

const report = {
  schemaVersion: '1.2',
  tool: { name: 'vouch', version: '0.1.0' },
  createdAt: '2026-01-02T03:04:05.000Z',
  inputs: [
    { path: lock, status: 'ok', components: 0, warnings: [] },
    { path: dir, status: 'ok', components: 0, warnings: [] },
    { path: path.join(dir, 'broken.lock'), status: 'failed', reason: 'x', components: 0, warnings: [] },
  ],
  findings: [
    { id: 'GHSA-1', purl: 'pkg:npm/a@1.0.0', fixedVersions: ['1.0.1'], severity: { rating: 'HIGH', score: 7.5, source: 'CVSS_V3' } },
    { id: 'OSV-2', purl: 'pkg:npm/b@2.0.0', fixedVersions: [], severity: { rating: 'UNKNOWN' }, suppressed: { by: 'vex', status: 'not_affected', source: 'v.json' } },
  ],
  store: [{ ecosystem: 'npm', count: 1, newestModified: '2026-01-01T00:00:00Z', source: 's', loadedAt: 'l' }],
} as unknown as ScanReport;

describe('scan attestations', () => {
  it('names only the regular files read successfully as subjects', async () => {
    expect(await inputSubjects(report.inputs)).toEqual([lock]);
    await expect(inputSubjects([{ path: dir, status: 'ok', components: 0, warnings: [] }])).rejects.toThrow(/no input file to name as the attestation subject/);
  });

  it('maps findings to the in-toto vulns v0.2 predicate', () => {
    expect(vulnsPredicate(report)).toEqual({
      scanner: {
        uri: 'pkg:npm/vouch',
        version: '0.1.0',
        db: { uri: 'https://osv.dev', lastUpdate: '2026-01-01T00:00:00Z' },
        result: [
          { id: 'GHSA-1', severity: [{ method: 'CVSS_V3', score: '7.5' }], annotations: [{ purl: 'pkg:npm/a@1.0.0', fixedVersions: ['1.0.1'] }] },
          { id: 'OSV-2', severity: [{ method: 'vouch', score: 'UNKNOWN' }], annotations: [{ purl: 'pkg:npm/b@2.0.0', fixedVersions: [], suppressed: 'not_affected' }] },
        ],
      },
      metadata: { scanStartedOn: '2026-01-02T03:04:05.000Z', scanFinishedOn: '2026-01-02T03:04:05.000Z' },
    });
  });

  it('attestScanReport writes a bundle that verifies for the scanned lockfile', async () => {
    const pair = generateKeyPair('p256');
    const key = parseKey(pair.privatePem, 'k.key');
    const out = path.join(dir, 'scan.sigstore.json');
    await attestScanReport({ report, key, out });
    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    const r = await verifyBundle({ bundle, bundlePath: out, subjects: [lock], key: parseKey(pair.publicPem, 'k.pub') });
    expect(r).toMatchObject({ ok: true, predicateType: 'https://in-toto.io/attestation/vulns/v0.2' });
  });
});
