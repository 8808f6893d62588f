/**
 * `vouch scan` and `vouch sbom` write stdout and stderr with fs.writeSync, not through Node's
 * stream objects (src/cli/stdio.ts, for start-up). What the streams did must still hold: the whole
 * output arrives, also through a pipe the parent made non-blocking and reads late (the write
 * meets EAGAIN and the stream takes the rest); a reader that stops early (EPIPE) is no error; and
 * a command that writes through the stream still gets the EPIPE handler (cli/program.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOUCH, tempDir, vouch } from './helpers.js';

const dir = tempDir('stdio');
const home = path.join(dir, 'home');
const lock = path.join(dir, 'package-lock.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  mkdirSync(home);
  // 3,000 packages: an SBOM of ~2 MB, far more than a pipe holds (64 KiB) or a socket buffer
  const packages: Record<string, unknown> = { '': { name: 'big', version: '1.0.0', dependencies: {} } };
  for (let i = 0; i < 3000; i++) {
    packages[`node_modules/pkg-${i}`] = { version: `1.0.${i}`, resolved: `https://registry.npmjs.org/pkg-${i}/-/pkg-${i}-1.0.${i}.tgz` };
    (packages['']! as { dependencies: Record<string, string> }).dependencies[`pkg-${i}`] = `1.0.${i}`;
  }
  writeFileSync(lock, JSON.stringify({ name: 'big', version: '1.0.0', lockfileVersion: 3, requires: true, packages }));
});

/** The exit code and stderr of `vouch ARGS` whose stdout is a pipe the parent closed before reading anything. */
function closedEarly(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VOUCH, ...args], { env: { ...process.env, VOUCH_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('stdout and stderr written without the streams', () => {
  it('a large SBOM arrives whole through a pipe, the same bytes as with -o', () => {
    const out = path.join(dir, 'expected.cdx.json');
    const written = vouch(['sbom', lock, '--deterministic', '-o', out, '--quiet']);
    expect(written.code).toBe(0);
    const piped = vouch(['sbom', lock, '--deterministic']);
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBeGreaterThan(1_000_000);
    expect(piped.stdout).toBe(readFileSync(out, 'utf8'));
  });

  it.skipIf(process.platform === 'win32')('through a non-blocking pipe read late, the whole SBOM still arrives', async () => {
    const expected = vouch(['sbom', lock, '--deterministic']).stdout;
    const fifo = path.join(dir, 'out.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // both ends non-blocking: the child inherits O_NONBLOCK with the open file description
    const rfd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const wfd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const child = spawn(process.execPath, [VOUCH, 'sbom', lock, '--deterministic'], { env: { ...process.env, VOUCH_HOME: home }, stdio: ['ignore', wfd, 'pipe'] });
    closeSync(wfd);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // read only after the child has filled the pipe and met EAGAIN
    await new Promise((r) => setTimeout(r, 1500));
    const chunks: Buffer[] = [];
    const reader = new net.Socket({ fd: rfd, readable: true, writable: false });
    const read = new Promise<void>((resolve, reject) => {
      reader.on('data', (b: Buffer) => chunks.push(b));
      reader.on('end', resolve);
      reader.on('error', reject);
    });
    const [code] = await Promise.all([exited, read]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
  });

  it.each([
    ['sbom (written with fs.writeSync)', ['sbom', lock]],
    ['--help (commander, through cli/stdio.ts)', ['--help']],
    ['vex create (written through process.stdout)', ['vex', 'create', '--vuln', 'CVE-2021-44228', '--product', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', '--status', 'under_investigation']],
  ])('%s: a reader that stops early is no error', async (_, args) => {
    const r = await closedEarly(args);
    expect(r.stderr).not.toMatch(/internal error|EPIPE/);
    expect(r.code).toBe(0);
  });
});
