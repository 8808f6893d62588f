import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { type EpssRow, readEpssFile, readEpssStream } from './epss.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vouch-epss-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(text: string): Promise<{ rows: EpssRow[]; r: Awaited<ReturnType<typeof readEpssStream>> }> {
  const rows: EpssRow[] = [];
  const r = await readEpssStream(Readable.from([text]), 'e.csv', (x) => rows.push(x));
  return { rows, r };
}

describe.skipIf(!HAS_SHARED)('the real EPSS sample (../shared/epss)', () => {
  const file = shared('epss', 'epss_scores-2026-09-29-sample.csv');

  it('reads the model version, score date and every row (plain and gzipped)', async () => {
    const rows = new Map<string, EpssRow>();
    const r = await readEpssFile(file, (x) => rows.set(x.cve, x));
    // the file's first line: #model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z; 1,077 rows (README)
    expect(r.modelVersion).toBe('v2026.06.15');
    expect(r.scoreDate).toBe('2026-09-29T12:00:22Z');
    expect(r.rows).toBe(1077);
    expect(r.bad).toBe(0);
    // values read off the file by hand
    expect(rows.get('CVE-2021-44228')).toEqual({ cve: 'CVE-2021-44228', score: 0.99999, percentile: 1 });
    expect(rows.get('CVE-2021-45046')).toEqual({ cve: 'CVE-2021-45046', score: 0.99977, percentile: 0.99979 });
    expect(rows.get('CVE-1999-0001')).toEqual({ cve: 'CVE-1999-0001', score: 0.03351, percentile: 0.88255 });

    const gz = path.join(dir, 'sample.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const again: EpssRow[] = [];
    const r2 = await readEpssFile(gz, (x) => again.push(x));
    expect(r2.rows).toBe(1077);
    expect(again.find((x) => x.cve === 'CVE-2022-42889')).toEqual({ cve: 'CVE-2022-42889', score: 0.99931, percentile: 0.99969 });
  });

  it('rows split across stream chunks are read whole', async () => {
    // a stream that yields one byte at a time still gives every row
    const bytes = readFileSync(file);
    const chunks = Array.from({ length: 4000 }, (_, i) => bytes.subarray(i, i + 1));
    const rest = bytes.subarray(4000);
    const rows: EpssRow[] = [];
    const r = await readEpssStream(Readable.from([...chunks, rest]), file, (x) => rows.push(x));
    expect(r.rows).toBe(1077);
    expect(rows[0]!.cve).toBe('CVE-1999-0001');
  });
});

describe('readEpssStream on bad input', () => {
  it('counts bad rows with their line numbers and keeps going', async () => {
    const { rows, r } = await readAll('#model_version:v1,score_date:2025-01-01T00:00:00Z\ncve,epss,percentile\nCVE-2020-1,0.5,0.9\nbogus,0.1,0.1\nCVE-2020-0002,1.5,0.2\nCVE-2020-0003,abc,0.2\nCVE-2020-0004,0.25,0.5\n');
    expect(rows).toEqual([{ cve: 'CVE-2020-0004', score: 0.25, percentile: 0.5 }]);
    expect(r.bad).toBe(4);
    expect(r.warnings).toEqual([
      'line 3: not a CVE id: "CVE-2020-1"',
      'line 4: not a CVE id: "bogus"',
      'line 5: CVE-2020-0002: epss and percentile must be numbers from 0 to 1',
      'line 6: CVE-2020-0003: epss and percentile must be numbers from 0 to 1',
    ]);
  });

  it('refuses a file without the header, naming the line', async () => {
    try {
      await readAll('#model_version:v1\nfoo,bar\n');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VouchError);
      expect((e as VouchError).oneLine()).toBe('e.csv:2: not an EPSS scores file: expected the header "cve,epss,percentile", got "foo,bar"');
    }
  });

  it('refuses a file where no row is valid', async () => {
    await expect(readAll('cve,epss,percentile\nx,y,z\n')).rejects.toThrow(/no valid EPSS row/);
  });

  it('a corrupt or truncated gzip is one clear error naming the file', async () => {
    const corrupt = path.join(dir, 'corrupt.csv.gz');
    writeFileSync(corrupt, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('garbagegarbage')]));
    await expect(readEpssFile(corrupt, () => undefined)).rejects.toThrow(/^EPSS file could not be read \(/);
    const full = gzipSync(Buffer.from(`cve,epss,percentile\n${Array.from({ length: 5000 }, (_, i) => `CVE-2020-${String(i + 1000)},0.5,0.5`).join('\n')}\n`));
    const truncated = path.join(dir, 'truncated.csv.gz');
    writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
    const err = await readEpssFile(truncated, () => undefined).then(
      () => undefined,
      (e: unknown) => e as VouchError,
    );
    expect(err?.oneLine()).toBe(`${truncated}: EPSS file could not be read (unexpected end of file)`);
  });

  it('a missing file is one clear error', async () => {
    await expect(readEpssFile(path.join(dir, 'nope.csv'), () => undefined)).rejects.toThrow(/EPSS file not readable \(ENOENT\)/);
  });
});
