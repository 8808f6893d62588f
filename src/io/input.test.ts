import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import type { InputFile } from '../model/inventory.js';
import { fileInput, readBeside, readRegularFile, readRegularFileSync } from './input.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vouch-input-'));
const at = (rel: string): string => path.join(dir, rel);
let server: Server;

beforeAll(async () => {
  mkdirSync(at('root/app'), { recursive: true });
  mkdirSync(at('outside'), { recursive: true });
  writeFileSync(at('plain.txt'), 'hello');
  writeFileSync(at('outside/secret.txt'), 'host secret');
  writeFileSync(at('root/app/lock'), '{}');
  writeFileSync(at('root/app/inside.txt'), 'inside');
  mkdirSync(at('root/etc'), { recursive: true });
  writeFileSync(at('root/etc/secret.txt'), 'the image file');
  execFileSync('mkfifo', [at('fifo')]);
  symlinkSync('/dev/zero', at('zero'));
  symlinkSync(at('outside/secret.txt'), at('root/app/abs-out.txt'));
  symlinkSync('../../outside/secret.txt', at('root/app/rel-out.txt'));
  symlinkSync('/etc/secret.txt', at('root/app/abs-in-chroot.txt'));
  symlinkSync('inside.txt', at('root/app/link-in.txt'));
  server = createServer();
  await new Promise<void>((resolve) => server.listen(at('sock'), resolve));
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<VouchError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(VouchError);
  return e as VouchError;
}

describe('readRegularFile', () => {
  it('reads a regular file', async () => {
    expect((await readRegularFile(at('plain.txt'))).toString()).toBe('hello');
    expect(readRegularFileSync(at('plain.txt')).toString()).toBe('hello');
  });

  it('refuses a FIFO, /dev/zero by symlink and a socket with one line, without blocking', async () => {
    expect((await refusal(readRegularFile(at('fifo')))).oneLine()).toBe(`${at('fifo')}: not a regular file (a FIFO)`);
    expect((await refusal(readRegularFile(at('zero')))).oneLine()).toBe(`${at('zero')}: not a regular file (a character device)`);
    expect((await refusal(readRegularFile(at('sock')))).oneLine()).toBe(`${at('sock')}: not a regular file (a socket)`);
    expect(() => readRegularFileSync(at('fifo'))).toThrow('not a regular file (a FIFO)');
    expect(() => readRegularFileSync(at('zero'))).toThrow('not a regular file (a character device)');
  });

  it('is bounded: a file over the limit is refused before reading', async () => {
    const e = await refusal(readRegularFile(at('plain.txt'), { maxBytes: 4 }));
    expect(e.code).toBe('INPUT_TOO_LARGE');
    expect(() => readRegularFileSync(at('plain.txt'), { maxBytes: 4 })).toThrow('over the 4-byte limit');
  });

  it('passes file-system errors through for the caller to word (ENOENT)', async () => {
    await expect(readRegularFile(at('missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fileInput: a FIFO is refused up front; a missing file is INPUT_MISSING', async () => {
    expect((await refusal(fileInput(at('fifo')))).code).toBe('INPUT_UNSUPPORTED');
    expect((await refusal(fileInput(at('missing')))).code).toBe('INPUT_MISSING');
  });
});

describe('readBeside: files beside an input stay inside its root', () => {
  const input = (mode?: 'confine' | 'chroot'): InputFile => ({
    path: at('root/app/lock'),
    size: 2,
    ...(mode ? { root: { dir: at('root'), mode } } : {}),
    read: async () => Buffer.from('{}'),
  });

  it('a walked folder (confine): links inside are followed, links out are INPUT_UNSAFE', async () => {
    expect((await readBeside(input('confine'), at('root/app/link-in.txt')))?.toString()).toBe('inside');
    for (const f of ['root/app/abs-out.txt', 'root/app/rel-out.txt', 'root/app/../../outside/secret.txt']) {
      const e = await refusal(readBeside(input('confine'), at(f)));
      expect(e.code).toBe('INPUT_UNSAFE');
      expect(e.oneLine()).toContain('leads outside');
    }
    expect(await readBeside(input('confine'), at('root/app/none.txt'))).toBeUndefined();
  });

  it('an image or rootfs (chroot): absolute links and .. resolve inside the root, never to the host', async () => {
    expect((await readBeside(input('chroot'), at('root/app/abs-in-chroot.txt')))?.toString()).toBe('the image file');
    expect(await readBeside(input('chroot'), at('root/app/abs-out.txt'))).toBeUndefined();
    // ../../outside climbs no higher than the root: root/outside/secret.txt does not exist
    expect(await readBeside(input('chroot'), at('root/app/rel-out.txt'))).toBeUndefined();
    expect((await readBeside(input('chroot'), at('root/app/../../../etc/secret.txt')))?.toString()).toBe('the image file');
  });

  it('a named file (no root): links are followed, special files still refused', async () => {
    expect((await readBeside(input(), at('root/app/abs-out.txt')))?.toString()).toBe('host secret');
    expect((await refusal(readBeside(input(), at('zero')))).oneLine()).toContain('not a regular file (a character device)');
  });
});
