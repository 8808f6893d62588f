/**
 * Store faults (docs/reliability.md): a SIGKILL at any moment of `vouch db update` leaves the old
 * store or the new one; two updates at once never both write; a read-only or full VOUCH_HOME is
 * one line naming it; a damaged store file, index or record is one line saying to run
 * `vouch db update` (exit 2, never an internal error). Runs have timeouts: a hang fails.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip, osv } from '../../src/io/__fixtures__/zip-writer.js';
import { VOUCH, type Run, tempDir } from './helpers.js';

function run(args: string[], env: Record<string, string> = {}, wrap?: string[]): Run {
  const argv = wrap ? [...wrap, process.execPath, VOUCH, ...args] : [process.execPath, VOUCH, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 60_000,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(r: Run, ...mustContain: string[]): void {
  expect(r.code, `exit (null = timed out): ${r.stderr}`).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  for (const s of mustContain) expect(lines[0]).toContain(s);
}

const LOCK = JSON.stringify({
  name: 'app',
  lockfileVersion: 3,
  packages: { '': { name: 'app', dependencies: { 'left-pad': '1.0.0' } }, 'node_modules/left-pad': { version: '1.0.0' } },
});

/** Count of advisories in the store, or the error opening it. */
function storeCount(home: string): number | string {
  try {
    const db = new Database(path.join(home, 'osv.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM advisories').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch (e) {
    return (e as Error).message;
  }
}

describe('store faults', () => {
  let work: string;
  let oldSource: string;
  let newSource: string;
  const NEW_COUNT = 6000;
  beforeAll(() => {
    work = tempDir('store-faults');
    chmodSync(work, 0o755);
    oldSource = path.join(work, 'old.zip');
    newSource = path.join(work, 'new.zip');
    writeFileSync(oldSource, makeZip([{ name: 'OLD-1.json', data: osv('OLD-1') }, { name: 'OLD-2.json', data: osv('OLD-2') }]));
    // big enough that an update takes a while, so kills land in different phases
    writeFileSync(newSource, makeZip(Array.from({ length: NEW_COUNT }, (_, i) => ({ name: `NEW-${i}.json`, data: osv(`NEW-${i}`, { details: 'x'.repeat(400) }) }))));
    writeFileSync(path.join(work, 'package-lock.json'), LOCK);
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  const freshHome = (name: string): string => {
    const home = path.join(work, name);
    mkdirSync(home, { recursive: true });
    expect(run(['db', 'update', '--source', oldSource, '--quiet'], { VOUCH_HOME: home }).code).toBe(0);
    expect(storeCount(home)).toBe(2);
    return home;
  };

  it('SIGKILL at several moments of an update: the old store or the new one, never a broken one; the next update cleans up', async () => {
    const home = freshHome('kill');
    const seen = new Set<number | string>();
    for (const delay of [0, 40, 120, 250, 400, 600, 900, 1300, 2000]) {
      const child: ChildProcess = spawn(process.execPath, [VOUCH, 'db', 'update', '--source', newSource, '--quiet'], { env: { ...process.env, VOUCH_HOME: home }, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
      const n = storeCount(home);
      seen.add(n);
      expect([2, NEW_COUNT], `after a kill at ${delay} ms`).toContain(n);
      // a scan reads it (the lock and temp files of the dead update do not get in the way)
      const scan = run(['scan', path.join(work, 'package-lock.json'), '-q'], { VOUCH_HOME: home });
      expect(scan.stderr).not.toMatch(/internal error|\n\s+at /);
      expect([0, 1]).toContain(scan.code);
    }
    // the next update takes over the dead one's lock and removes its temp files
    const r = run(['db', 'update', '--source', newSource, '--quiet'], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(storeCount(home)).toBe(NEW_COUNT);
    expect(readdirSync(home).sort()).toEqual(['osv.sqlite']);
  });

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} during an update: its temporary files and its lock removed, the old store kept`, async () => {
      const home = freshHome(`signal-${sig}`);
      const child = spawn(process.execPath, [VOUCH, 'db', 'update', '--source', newSource, '--quiet'], { env: { ...process.env, VOUCH_HOME: home }, stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      for (let i = 0; i < 1200 && !readdirSync(home).some((n) => n.includes('.tmp-')); i++) await new Promise((r) => setTimeout(r, 5));
      // held still while the signal is queued, so that the update cannot finish first
      child.kill('SIGSTOP');
      const midway = readdirSync(home).some((n) => n.includes('.tmp-'));
      child.kill(sig);
      child.kill('SIGCONT');
      const code = await exited;
      expect(midway, 'the signal landed while the update was writing').toBe(true);
      expect(code).toBe(128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[sig]);
      expect(readdirSync(home).sort()).toEqual(['osv.sqlite']);
      expect(storeCount(home)).toBe(2);
    });
  }

  it('two updates at once: one runs, the other fails with one line; the store stays whole', async () => {
    const home = freshHome('two');
    const start = (): Promise<Run> =>
      new Promise((resolve) => {
        const c = spawn(process.execPath, [VOUCH, 'db', 'update', '--source', newSource, '--quiet'], { env: { ...process.env, VOUCH_HOME: home } });
        let stderr = '';
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.on('exit', (code) => resolve({ code, stdout: '', stderr }));
      });
    const [a, b] = await Promise.all([start(), start()]);
    const codes = [a.code, b.code].sort();
    expect(codes[0], a.stderr + b.stderr).toBe(0);
    if (codes[1] !== 0) {
      const loser = a.code === 0 ? b : a;
      oneLine(loser, 'another `vouch db update` (pid', 'osv.sqlite.lock');
    }
    expect(storeCount(home)).toBe(NEW_COUNT);
    expect(existsSync(path.join(home, 'osv.sqlite.lock'))).toBe(false);
  });

  it('a lock held by a live process: one line, the store untouched; held by a dead one: taken over', () => {
    const home = freshHome('lock');
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(home, 'osv.sqlite.lock'), `${sleeper.pid}\n`);
      oneLine(run(['db', 'update', '--source', newSource], { VOUCH_HOME: home }), `pid ${sleeper.pid}`, path.join(home, 'osv.sqlite.lock'));
      expect(storeCount(home)).toBe(2);
    } finally {
      sleeper.kill('SIGKILL');
    }
    const dead = spawnSync('true');
    writeFileSync(path.join(home, 'osv.sqlite.lock'), `${dead.pid}\n`);
    expect(run(['db', 'update', '--source', oldSource, '--quiet'], { VOUCH_HOME: home }).code).toBe(0);
    expect(existsSync(path.join(home, 'osv.sqlite.lock'))).toBe(false);
  });

  it('a read-only VOUCH_HOME: one line naming it, exit 2', (ctx) => {
    const home = path.join(work, 'readonly');
    mkdirSync(home);
    chmodSync(home, 0o555);
    // root ignores permissions: run as nobody then — who must be able to read this checkout, which
    // a clone in a private folder (/root, a mktemp -d folder) does not allow
    const wrap = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : undefined;
    if (wrap && spawnSync(wrap[0]!, [...wrap.slice(1), process.execPath, '-e', `require('node:fs').accessSync(${JSON.stringify(VOUCH)})`]).status !== 0) {
      console.warn(`[vouch tests] the read-only VOUCH_HOME case is skipped: it runs as nobody (the tests run as root), who cannot read ${VOUCH}`);
      ctx.skip();
    }
    oneLine(run(['db', 'update', '--source', oldSource], { VOUCH_HOME: home }, wrap), home, 'cannot write the advisory store', 'permission denied');
  });

  it('VOUCH_HOME is a file: one line naming it', () => {
    const home = path.join(work, 'a-file');
    writeFileSync(home, 'x');
    oneLine(run(['db', 'update', '--source', oldSource], { VOUCH_HOME: home }), home, 'cannot write the advisory store');
  });

  it('a full disk (the file size limit reached while writing): one line naming VOUCH_HOME, the old store kept', () => {
    const home = freshHome('full');
    // ulimit -f makes every write past ~64 KiB fail with EFBIG (SIGXFSZ ignored), as a full disk would
    const r = run(['db', 'update', '--source', newSource], { VOUCH_HOME: home }, ['sh', '-c', 'trap "" XFSZ; ulimit -f 128; exec "$@"', 'sh']);
    oneLine(r, home, 'cannot write the advisory store');
    expect(storeCount(home)).toBe(2);
    expect(readdirSync(home).sort()).toEqual(['osv.sqlite']);
  });

  it('a store file that is not a database: one line saying to run `vouch db update`', () => {
    const home = path.join(work, 'garbage');
    mkdirSync(home);
    writeFileSync(path.join(home, 'osv.sqlite'), Buffer.alloc(8192, 0x41));
    oneLine(run(['scan', path.join(work, 'package-lock.json')], { VOUCH_HOME: home }), 'osv.sqlite', 'vouch db update');
  });

  it('a store file that is a FIFO or /dev/zero by symlink: one line, no hang, for scan and for update', () => {
    const home = path.join(work, 'fifo-store');
    mkdirSync(home);
    spawnSync('mkfifo', [path.join(home, 'osv.sqlite')]);
    oneLine(run(['scan', path.join(work, 'package-lock.json')], { VOUCH_HOME: home }), 'osv.sqlite', 'not a regular file');
    oneLine(run(['db', 'update', '--source', oldSource], { VOUCH_HOME: home }), 'osv.sqlite', 'not a regular file');
    const zero = path.join(work, 'zero-store');
    mkdirSync(zero);
    symlinkSync('/dev/zero', path.join(zero, 'osv.sqlite'));
    oneLine(run(['scan', path.join(work, 'package-lock.json')], { VOUCH_HOME: zero }), 'osv.sqlite', 'not a regular file');
  });

  it('a damaged record: one line saying to run `vouch db update`', () => {
    const home = freshHome('record');
    const db = new Database(path.join(home, 'osv.sqlite'));
    db.prepare("UPDATE advisories SET json = '{\"id\": \"OLD-1\", \"affec' WHERE id = 'OLD-1'").run();
    db.close();
    oneLine(run(['scan', path.join(work, 'package-lock.json')], { VOUCH_HOME: home }), 'osv.sqlite', 'damaged', 'vouch db update');
    oneLine(run(['db', 'show', 'OLD-1'], { VOUCH_HOME: home }), 'damaged', 'vouch db update');
  });

  it('a damaged index page: one line saying to run `vouch db update`', () => {
    const home = freshHome('index');
    const file = path.join(home, 'osv.sqlite');
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'affected_by_name'").get() as { rootpage: number }).rootpage;
    db.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    oneLine(run(['scan', path.join(work, 'package-lock.json')], { VOUCH_HOME: home }), 'osv.sqlite', 'vouch db update');
  });
});
