import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { vouchFailure } from '../testing/errors.js';
import { makeZip, osv } from './__fixtures__/zip-writer.js';
import { openZip, unsafeEntryPath, type ZipItem, type ZipLimits } from './zip.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vouch-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function zipFile(entries: Parameters<typeof makeZip>[0], name = `t${n++}.zip`): string {
  const p = path.join(dir, name);
  writeFileSync(p, makeZip(entries));
  return p;
}

async function readAll(p: string, limits?: ZipLimits, inMemoryMax?: number): Promise<ZipItem[]> {
  const zip = await openZip(p, path.basename(p), limits, inMemoryMax);
  const out: ZipItem[] = [];
  for await (const item of zip.entries()) out.push(item);
  return out;
}

describe('openZip', () => {
  it('reads .json entries (deflated and stored), skipping folders, other files and nested archives with a reason', async () => {
    const p = zipFile([
      { name: 'GHSA-1.json', data: osv('GHSA-1') },
      { name: 'sub/', data: '', method: 0 },
      { name: 'sub/GHSA-2.json', data: osv('GHSA-2'), method: 0 },
      { name: 'README.md', data: 'hello' },
      { name: 'inner.zip', data: makeZip([{ name: 'X.json', data: osv('X') }]) },
    ]);
    for (const inMemoryMax of [undefined, 0]) {
      const items = await readAll(p, undefined, inMemoryMax);
      expect(items.map((i) => [i.kind, i.name])).toEqual([
        ['file', 'GHSA-1.json'],
        ['file', 'sub/GHSA-2.json'],
        ['skipped', 'README.md'],
        ['skipped', 'inner.zip'],
      ]);
      const files = items.filter((i) => i.kind === 'file');
      expect(JSON.parse(files[1]!.data.toString('utf8')).id).toBe('GHSA-2');
      expect(items[3]).toMatchObject({ reason: 'nested archive, not opened' });
    }
  });

  it.runIf(process.platform === 'linux')('an archive read from disk closes its descriptor once, whether read to the end, left early or refused', async () => {
    const good = zipFile([{ name: 'A.json', data: osv('A') }, { name: 'B.json', data: osv('B') }]);
    const evil = zipFile([{ name: '../evil.json', data: osv('EVIL') }]);
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      await readAll(good, undefined, 0);
      const zip = await openZip(good, 'good.zip', undefined, 0);
      for await (const item of zip.entries()) if (item.kind === 'file') break;
      await expect(readAll(evil, undefined, 0)).rejects.toThrow(/'\.\.' segment/);
    }
    await new Promise((r) => setTimeout(r, 50)); // yauzl closes asynchronously
    expect(openFds()).toBe(before);
  });

  it.each([
    ['../evil.json', "'..' segment"],
    ['a/../../evil.json', "'..' segment"],
    ['/etc/evil.json', 'absolute'],
    ['C:/evil.json', 'absolute'],
    ['..\\evil.json', "'..' segment"],
  ])('refuses the archive when an entry is named %s', async (name, why) => {
    const p = zipFile([
      { name: 'GOOD.json', data: osv('GOOD') },
      { name, data: osv('EVIL') },
    ]);
    const err = await vouchFailure(readAll(p));
    expect(err.code).toBe('INPUT_UNSAFE');
    expect(err.oneLine()).toContain(`${path.basename(p)}!${name.replace(/\\/g, '/')}`);
    expect(err.oneLine()).toContain(why);
    expect(err.oneLine()).not.toContain('\n');
  });

  it('unsafeEntryPath accepts ordinary names', () => {
    expect(unsafeEntryPath('GHSA-xxxx.json')).toBeUndefined();
    expect(unsafeEntryPath('a/b..c/d.json')).toBeUndefined();
    expect(unsafeEntryPath('..json')).toBeUndefined();
  });

  it('refuses a zip bomb whose header lies about its size, without inflating it all', async () => {
    // 256 MiB of spaces deflate to ~256 KiB; the headers claim 1000 bytes
    const big = Buffer.alloc(256 * 1024 * 1024, 0x20);
    const raw = deflateRawSync(big, { level: 9 });
    const p = zipFile([{ name: 'BOMB.json', data: Buffer.from('{}'), rawData: raw, declaredSize: 1000 }]);
    const before = process.memoryUsage().arrayBuffers;
    const err = await vouchFailure(readAll(p, undefined, 0));
    expect(err.code).toBe('INPUT_UNSAFE');
    expect(err.oneLine()).toMatch(/BOMB\.json: inflates to more than the 1000 bytes its header declares/);
    // inflating it would have needed 256 MiB at least; the reader stopped within one zlib chunk
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses an entry whose declared size is over the per-entry cap before reading it', async () => {
    const p = zipFile([{ name: 'HUGE.json', data: Buffer.from('{}'), rawData: deflateRawSync(Buffer.from('{}')), declaredSize: 100 * 1024 * 1024 }]);
    const err = await vouchFailure(readAll(p));
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(err.oneLine()).toContain('HUGE.json: entry declares 104857600 bytes uncompressed, over the 67108864-byte limit');
  });

  it('caps the total inflated bytes of one archive', async () => {
    const rec = Buffer.alloc(40_000, 0x20);
    const p = zipFile([0, 1, 2, 3].map((i) => ({ name: `R${i}.json`, data: rec })));
    const err = await vouchFailure(readAll(p, { maxEntryBytes: 1_000_000, maxTotalBytes: 100_000 }));
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(err.oneLine()).toContain('R2.json: archive inflates to more than the 100000-byte limit');
  });

  it('skips an entry with corrupt compressed data and goes on', async () => {
    const p = zipFile([
      { name: 'BAD.json', data: osv('BAD'), rawData: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01]) },
      { name: 'GOOD.json', data: osv('GOOD') },
    ]);
    const items = await readAll(p);
    expect(items[0]).toMatchObject({ kind: 'skipped', name: 'BAD.json' });
    expect((items[0] as { reason: string }).reason).toMatch(/corrupt compressed data/);
    expect(items[1]).toMatchObject({ kind: 'file', name: 'GOOD.json' });
  });

  it('skips an entry that inflates to less than its header says', async () => {
    const p = zipFile([{ name: 'SHORT.json', data: osv('SHORT'), declaredSize: 5000 }]);
    const items = await readAll(p);
    expect(items[0]).toMatchObject({ kind: 'skipped', name: 'SHORT.json' });
  });

  it('a file that is not a zip is an INPUT_PARSE error naming it', async () => {
    const p = path.join(dir, 'not.zip');
    writeFileSync(p, 'this is not a zip archive at all, just text');
    const err = await vouchFailure(openZip(p, 'not.zip'));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.oneLine()).toMatch(/^not\.zip: not a readable zip archive/);
  });
});
