/** The tar reader: our own writer's archives, GNU tar's (ustar, pax, gnu formats), damaged input. */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTar, parsePax, readTar, type TarEntry } from './tar.js';

async function entries(buf: Buffer, chunk = 7919): Promise<(TarEntry & { body?: Buffer })[]> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) chunks.push(buf.subarray(i, i + chunk));
  const out = [];
  for await (const e of readTar(chunks, { wantBody: () => true })) out.push(e);
  return out;
}

const LONG = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}.txt`;

describe('tar reader', () => {
  it.each(['pax', 'gnu'] as const)('reads back files, folders, links and long names (%s)', async (longNames) => {
    const tar = buildTar(
      [
        { name: 'a/', type: 'dir' },
        { name: 'a/b.txt', data: 'hello\n' },
        { name: 'a/empty' },
        { name: LONG, data: 'long' },
        { name: 'a/link', type: 'symlink', linkname: `../${LONG}` },
        { name: 'a/hard', type: 'hardlink', linkname: 'a/b.txt' },
        { name: 'a/big', data: Buffer.alloc(100_000, 7) },
      ],
      { longNames },
    );
    const got = await entries(tar);
    expect(got.map((e) => [e.name, e.type, e.size, e.linkname])).toEqual([
      ['a/', 'dir', 0, ''],
      ['a/b.txt', 'file', 6, ''],
      ['a/empty', 'file', 0, ''],
      [LONG, 'file', 4, ''],
      ['a/link', 'symlink', 0, `../${LONG}`],
      ['a/hard', 'hardlink', 0, 'a/b.txt'],
      ['a/big', 'file', 100_000, ''],
    ]);
    expect(got[1]!.body!.toString()).toBe('hello\n');
    expect(got[3]!.body!.toString()).toBe('long');
    expect(got[6]!.body!.equals(Buffer.alloc(100_000, 7))).toBe(true);
    // offsets point at the data in the stream
    expect(tar.subarray(got[1]!.offset, got[1]!.offset + 6).toString()).toBe('hello\n');
  });

  it('a bad checksum or a truncated archive is INPUT_PARSE', async () => {
    const tar = buildTar([{ name: 'x', data: 'abc' }]);
    const bad = Buffer.from(tar);
    bad[10] = 0x41;
    await expect(entries(bad)).rejects.toMatchObject({ code: 'INPUT_PARSE' });
    await expect(entries(tar.subarray(0, 514))).rejects.toMatchObject({ code: 'INPUT_PARSE' });
    await expect(entries(tar.subarray(0, 300))).rejects.toMatchObject({ code: 'INPUT_PARSE' });
  });

  it('a wanted body over the limit is INPUT_TOO_LARGE', async () => {
    const it = readTar([buildTar([{ name: 'x', data: Buffer.alloc(2000) }])], { wantBody: () => true, maxBodyBytes: 1000 });
    await expect(it.next()).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE' });
  });

  it('pax records', () => {
    expect(parsePax(Buffer.from('30 mtime=1700000000.123456789\n18 path=a/b/c.txt\n'))).toEqual(
      new Map([
        ['mtime', '1700000000.123456789'],
        ['path', 'a/b/c.txt'],
      ]),
    );
  });
});

describe('tar reader: archives written by GNU tar', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vouch-tar-'));
    await mkdir(path.join(dir, 'src', path.dirname(LONG)), { recursive: true });
    await writeFile(path.join(dir, 'src', LONG), 'long\n');
    await writeFile(path.join(dir, 'src/short.txt'), 'short\n');
    await symlink(LONG, path.join(dir, 'src/l'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['ustar', 'pax', 'gnu'])('--format=%s', async (format) => {
    const out = path.join(dir, `${format}.tar`);
    // ustar: the 187-byte name goes into prefix + name; a 185-byte link target does not fit, so no link
    const exclude = format === 'ustar' ? ['--exclude=./l'] : [];
    execFileSync('tar', [`--format=${format}`, ...exclude, '-cf', out, '-C', path.join(dir, 'src'), '.'], { stdio: 'pipe' });
    const got = await entries(await readFile(out));
    const byName = new Map(got.map((e) => [e.name.replace(/^\.\//, ''), e]));
    expect(byName.get('short.txt')!.body!.toString()).toBe('short\n');
    expect(byName.get(LONG)!.body!.toString()).toBe('long\n');
    if (format !== 'ustar') expect(byName.get('l')).toMatchObject({ type: 'symlink', linkname: LONG });
  });
});
