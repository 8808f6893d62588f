import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { stdio } from './stdio.js';
import { makeZip, osv } from '../io/__fixtures__/zip-writer.js';
import { updateStore } from '../advisories/import.js';
import { AdvisoryStore } from '../advisories/store.js';
import { VouchError } from '../model/errors.js';
import { HAS_SHARED, REPO_ROOT, osvCorpus, shared } from '../testing/shared.js';
import { registerDb } from './db.js';
import { tempFolders } from '../testing/temp.js';

const { tmp } = tempFolders('vouch-db-cli-');

/** Runs `vouch <args>` in process, with db's commands only; stdout and stderr captured. */
async function run(args: string[]): Promise<{ out: string; err: string; error: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const sso = vi.spyOn(stdio, 'out').mockImplementation((s: string) => void out.push(s)); // what the command writes without the stream (cli/stdio.ts)
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  const sse = vi.spyOn(stdio, 'err').mockImplementation((s: string) => void err.push(s));
  const program = new Command()
    .name('vouch')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
  registerDb(program);
  let error: unknown;
  try {
    await program.parseAsync(['node', 'vouch', ...args]);
  } catch (e) {
    error = e;
  } finally {
    so.mockRestore();
    sso.mockRestore();
    se.mockRestore();
    sse.mockRestore();
  }
  return { out: out.join(''), err: err.join(''), error };
}

function bulk(): string {
  const dir = tmp('src');
  const put = (eco: string, entries: Parameters<typeof makeZip>[0]): void => {
    mkdirSync(path.join(dir, eco));
    writeFileSync(path.join(dir, eco, 'all.zip'), makeZip(entries));
  };
  put('npm', [
    { name: 'GHSA-aaaa.json', data: osv('GHSA-aaaa', { aliases: ['CVE-2099-1111'] }) },
    { name: 'GHSA-gone.json', data: osv('GHSA-gone', { withdrawn: '2024-05-01T00:00:00Z' }) },
    { name: 'bad.json', data: '{ nope' },
  ]);
  put('PyPI', [
    {
      name: 'PYSEC-1.json',
      data: osv('PYSEC-1', {
        aliases: ['CVE-2099-1111'],
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'Requests' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
            versions: ['1.0.0', '1.1.0'],
          },
        ],
      }),
    },
  ]);
  return dir;
}

describe('vouch db (in process)', () => {
  const home = tmp('home');
  const src = bulk();

  it('update: a one-line summary on stderr, the skipped entries named, nothing on stdout', async () => {
    const r = await run(['db', '--home', home, 'update', '--source', src]);
    expect(r.error).toBeUndefined();
    expect(r.out).toBe('');
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toMatch(/^vouch: skipped .*npm\/all\.zip!bad\.json: invalid JSON/);
    expect(lines[1]).toMatch(
      new RegExp(`^vouch: loaded 3 advisories \\(2 ecosystems\\) from ${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; 3 in the store \\(1 withdrawn\\); 1 skipped; \\d+\\.\\ds$`),
    );
    expect(lines).toHaveLength(2);
  });

  it('update --quiet prints nothing; --ecosystem takes repeats and commas, --home also after the subcommand', async () => {
    const r = await run(['db', 'update', '--home', home, '--source', src, '--ecosystem', 'npm,pypi', '--quiet']);
    expect(r.error).toBeUndefined();
    expect(r.out + r.err).toBe('');
    const r2 = await run(['db', 'update', '--home', home, '--source', src, '--ecosystem', 'npm']);
    expect(r2.err).toMatch(/loaded 2 advisories \(1 ecosystem\) .*; kept 1 other ecosystem; 3 in the store/);
  });

  it('status: a table on stdout; --json the same rows', async () => {
    const r = await run(['db', '--home', home, 'status']);
    expect(r.error).toBeUndefined();
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^ECOSYSTEM\s+ADVISORIES\s+NEWEST MODIFIED\s+LOADED AT\s+SOURCE$/);
    expect(lines[1]).toMatch(new RegExp(`^PyPI\\s+1\\s+2024-01-01T00:00:00Z\\s+\\S+Z\\s+${src}$`));
    expect(lines[2]).toMatch(/^npm\s+2\s+2024-01-01T00:00:00Z/);
    expect(r.out).toContain(`3 advisories in ${path.join(home, 'osv.sqlite')}`);

    const j = await run(['db', '--home', home, 'status', '--json']);
    const doc = JSON.parse(j.out) as { store: string; advisories: number; ecosystems: { ecosystem: string; count: number }[] };
    expect(doc.store).toBe(path.join(home, 'osv.sqlite'));
    expect(doc.advisories).toBe(3);
    expect(doc.ecosystems.map((e) => [e.ecosystem, e.count])).toEqual([
      ['PyPI', 1],
      ['npm', 2],
    ]);
    expect(Object.keys(doc.ecosystems[0]!).sort()).toEqual(['count', 'ecosystem', 'loadedAt', 'newestModified', 'source']);
  });

  it('show: a human summary by id or alias; --json the records as a JSON array', async () => {
    const r = await run(['db', '--home', home, 'show', 'PYSEC-1']);
    expect(r.out).toBe(
      [
        'PYSEC-1',
        '  aliases:   CVE-2099-1111',
        '  summary:   test advisory PYSEC-1',
        '  dates:     published 2023-12-01T00:00:00Z, modified 2024-01-01T00:00:00Z',
        '  affected:',
        '    PyPI Requests',
        '      ECOSYSTEM: introduced 0, fixed 2.0.0',
        '      versions: 1.0.0, 1.1.0',
        '',
      ].join('\n'),
    );
    const byAlias = await run(['db', '--home', home, 'show', 'cve-2099-1111']);
    expect(byAlias.out.match(/^\S+/gm)).toEqual(['GHSA-aaaa', 'PYSEC-1']);
    expect(byAlias.out).toContain('(found as an alias: cve-2099-1111)');

    const gone = await run(['db', '--home', home, 'show', 'GHSA-gone']);
    expect(gone.out.split('\n')[0]).toBe('GHSA-gone  [WITHDRAWN 2024-05-01T00:00:00Z]');

    const j = await run(['db', '--home', home, 'show', 'CVE-2099-1111', '--json']);
    expect((JSON.parse(j.out) as { id: string }[]).map((a) => a.id)).toEqual(['GHSA-aaaa', 'PYSEC-1']);
  });

  it('errors are one-line VouchErrors: unknown id, missing store, unknown ecosystem', async () => {
    const unknown = await run(['db', '--home', home, 'show', 'GHSA-none']);
    expect(unknown.error).toBeInstanceOf(VouchError);
    expect((unknown.error as VouchError).code).toBe('INPUT_MISSING');
    expect((unknown.error as VouchError).oneLine()).toBe(`no advisory with id or alias "GHSA-none" in the store (${path.join(home, 'osv.sqlite')})`);

    const empty = tmp('empty');
    const missing = await run(['db', '--home', empty, 'status']);
    expect((missing.error as VouchError).code).toBe('STORE_MISSING');
    expect((missing.error as VouchError).oneLine()).toMatch(/run `vouch db update`/);

    const eco = await run(['db', '--home', home, 'update', '--source', src, '--ecosystem', 'Hex']);
    expect((eco.error as VouchError).code).toBe('INPUT_MISSING');
    expect((eco.error as VouchError).oneLine()).toContain('ecosystem "Hex" is not in this source (it has: PyPI, npm)');
  });

  it('$VOUCH_HOME is the default home', async () => {
    const saved = process.env['VOUCH_HOME'];
    process.env['VOUCH_HOME'] = home;
    try {
      const r = await run(['db', 'status', '--json']);
      expect(JSON.parse(r.out).store).toBe(path.join(home, 'osv.sqlite'));
    } finally {
      if (saved === undefined) delete process.env['VOUCH_HOME'];
      else process.env['VOUCH_HOME'] = saved;
    }
  });
});

describe.skipIf(!HAS_SHARED)('vouch db on ../shared/osv', () => {
  it('show CVE-2021-44228 finds Log4Shell', async () => {
    const home = tmp('home');
    await run(['db', '--home', home, 'update', '--source', shared('osv'), '--ecosystem', 'Maven', '-q']);
    const r = await run(['db', '--home', home, 'show', 'CVE-2021-44228']);
    expect(r.out.split('\n').slice(0, 4)).toEqual([
      'GHSA-jfh8-c2jp-5v3q',
      '  (found as an alias: CVE-2021-44228)',
      '  aliases:   CVE-2021-44228',
      '  summary:   Remote code injection in Log4j',
    ]);
    expect(r.out).toContain('    Maven org.apache.logging.log4j:log4j-core\n      ECOSYSTEM: introduced 2.13.0, fixed 2.15.0\n');
  });
});

// ---- the built CLI, as a separate process ------------------------------------------------------

/** The CLI as users run it: bin/vouch over dist/ (`npm test` builds before vitest runs). */
const cli = { launcher: path.join(REPO_ROOT, 'bin', 'vouch') };

describe.skipIf(!HAS_SHARED)('the built CLI', () => {
  const vouch = (args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [cli.launcher, ...args], { encoding: 'utf8', env: { ...process.env, VOUCH_DEBUG: '' } });

  it('exit codes: 0 with results on stdout, 2 with one line on stderr', () => {
    const home = tmp('home');
    const missing = vouch(['db', '--home', home, 'status']);
    expect(missing.status).toBe(2);
    expect(String(missing.stderr).trim().split('\n')).toHaveLength(1);
    expect(String(missing.stderr)).toMatch(/^vouch: .*osv\.sqlite: no advisory store yet; run `vouch db update`/);

    const up = vouch(['db', '--home', home, 'update', '--source', shared('osv', 'NuGet', 'all.zip')]);
    expect(up.status).toBe(0);
    expect(up.stdout).toBe('');
    // a lone zip files each record under the ecosystems it names: the NuGet zip's 4 Bouncy Castle
    // records name Maven too (../shared/osv/README.md), so they are Maven advisories as well
    const nuget = osvCorpus().advisories['NuGet']!;
    expect(String(up.stderr)).toMatch(new RegExp(`^vouch: loaded ${nuget + BOTH} advisories \\(2 ecosystems\\)`));

    const st = vouch(['db', '--home', home, 'status', '--json']);
    expect(st.status).toBe(0);
    expect(JSON.parse(String(st.stdout)).ecosystems).toMatchObject([{ ecosystem: 'Maven', count: BOTH }, { ecosystem: 'NuGet', count: nuget }]);

    const bad = vouch(['db', '--home', home, 'show']);
    expect(bad.status).toBe(2);
  });

  it('SIGKILL during `vouch db update` leaves the previous store readable with its old status', async () => {
    const home = tmp('home');
    await updateStore({ home, source: shared('osv', 'NuGet', 'all.zip') });
    const before = statusOf(home);
    expect(before.map((e) => e.ecosystem)).toEqual(['Maven', 'NuGet']);

    const leftovers: string[] = [];
    for (const delayMs of [50, 600]) {
      const child = spawn(process.execPath, [cli.launcher, 'db', '--home', home, 'update', '--source', shared('osv')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      const tmpFile = path.join(home, `osv.sqlite.tmp-${child.pid}`);
      const t0 = Date.now();
      while (!existsSync(tmpFile)) {
        if (child.exitCode !== null || Date.now() - t0 > 60_000) throw new Error('the update never started its temp store');
        await sleep(2);
      }
      await sleep(delayMs);
      child.kill('SIGKILL');
      const { signal } = await exited;
      expect(signal).toBe('SIGKILL');
      // killed mid-import: its temp store is left behind, the live store is the old one
      expect(existsSync(tmpFile)).toBe(true);
      for (const earlier of leftovers) expect(existsSync(earlier)).toBe(false);
      leftovers.push(tmpFile);
      expect(statusOf(home)).toEqual(before);
      const st = AdvisoryStore.open(home);
      expect(st.findByIdOrAlias('GHSA-5crp-9r3c-p9vr')).toHaveLength(1);
      expect(st.advisoriesFor('Go', 'golang.org/x/crypto')).toEqual([]);
      st.close();
    }

    // each next update removes what dead processes left (the second kill's update removed the first's)
    const s = await updateStore({ home, source: shared('osv', 'RubyGems', 'all.zip') });
    expect(s.staleRemoved).toEqual([leftovers[1]]);
    expect(readdirSync(home)).toEqual(['osv.sqlite']);
    const { advisories } = osvCorpus();
    expect(statusOf(home).map((e) => [e.ecosystem, e.count])).toEqual([
      ['Maven', BOTH],
      ['NuGet', advisories['NuGet']],
      ['RubyGems', advisories['RubyGems']],
    ]);
  });
});

/** Advisories of ../shared/osv filed under both Maven and NuGet (its README: "Only 4 advisories span two ecosystems"). */
const BOTH = 4;

function statusOf(home: string): ReturnType<AdvisoryStore['status']> {
  const st = AdvisoryStore.open(home);
  try {
    return st.status();
  } finally {
    st.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
