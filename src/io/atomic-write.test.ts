import { execFileSync, spawn } from 'node:child_process';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vouch-atomic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, then replaces, leaving no temporary file', async () => {
    const f = path.join(dir, 'out.json');
    await writeFileAtomic(f, 'one');
    await writeFileAtomic(f, 'two');
    expect(await readFile(f, 'utf8')).toBe('two');
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a replaced file keeps its permission bits; a new one takes the given mode', async () => {
    const f = path.join(dir, 'private.txt');
    await writeFile(f, 'old', { mode: 0o600 });
    await writeFileAtomic(f, 'new');
    expect((await stat(f)).mode & 0o777).toBe(0o600);
    const k = path.join(dir, 'key.pem');
    await writeFileAtomic(k, 'secret', { mode: 0o600 });
    expect((await stat(k)).mode & 0o777).toBe(0o600);
  });

  it('writes through a symbolic link: the link stays, its target is replaced', async () => {
    const real = path.join(dir, 'real.json');
    const link = path.join(dir, 'link.json');
    await writeFile(real, 'old');
    await symlink('real.json', link);
    await writeFileAtomic(link, 'new');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('real.json');
    expect(await readFile(real, 'utf8')).toBe('new');
  });

  // the case of `-o /dev/null` and `-o /dev/stdout`: renaming over such a target would replace the
  // device with a file (tested on a named pipe, not on the machine's own /dev/null)
  it('writes into a file that is not a regular one (a named pipe) instead of renaming over it', async () => {
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const done = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    await writeFileAtomic(fifo, 'through the pipe');
    await done;
    expect(got).toBe('through the pipe');
    expect((await stat(fifo)).isFIFO()).toBe(true);
  });

  it('a folder that does not exist: one usage error naming the file', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'x')).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/cannot write the output file \(ENOENT\)/) });
  });
});
