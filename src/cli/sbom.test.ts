import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { stdio } from './stdio.js';
import { VouchError } from '../model/errors.js';
import { readCycloneDx } from '../sbom/cyclonedx-read.js';
import { readSpdx } from '../sbom/spdx-read.js';
import { HAS_SHARED, REPO_ROOT, shared } from '../testing/shared.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { DependencyGraph } from '../model/graph.js';
import { sampleUnresolved } from '../sbom/sbom-write-testing.js';
import { diffInventories } from '../engine/diff.js';
import { sbomFormatFromFileName as formatFromFileName, subjectName } from '../engine/sbom.js';
import { renderDiffTable } from '../report/diff.js';
import { registerSbom } from './sbom.js';
import { tempFolders } from '../testing/temp.js';

const { tmp } = tempFolders('vouch-sbom-cli-');

/** Runs `vouch <args>` in process with the sbom command only; stdout, stderr and the exit code captured. */
async function run(args: string[]): Promise<{ out: string; err: string; error: unknown; code: number }> {
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
  registerSbom(program);
  let error: unknown;
  process.exitCode = undefined;
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
  const code = error === undefined ? Number(process.exitCode ?? 0) : 2;
  process.exitCode = undefined;
  return { out: out.join(''), err: err.join(''), error, code };
}

/** A package-lock.json v3 with the given top-level packages (all direct dependencies of the root). */
function lockfile(pkgs: Record<string, string>, devPkgs: Record<string, string> = {}): string {
  const packages: Record<string, unknown> = {
    '': { name: 'demo', version: '1.0.0', dependencies: Object.fromEntries(Object.keys(pkgs).map((k) => [k, '*'])), devDependencies: Object.fromEntries(Object.keys(devPkgs).map((k) => [k, '*'])) },
  };
  for (const [name, version] of Object.entries(pkgs)) packages[`node_modules/${name}`] = { version };
  for (const [name, version] of Object.entries(devPkgs)) packages[`node_modules/${name}`] = { version, dev: true };
  return `${JSON.stringify({ name: 'demo', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

const SMALL = lockfile({ lodash: '4.17.20', 'left-pad': '1.3.0', express: '4.17.1', '@babel/core': '7.24.0' }, { vitest: '1.0.0' });

const purlsOf = (g: { components: Map<string, unknown> }) => [...g.components.keys()].sort();

describe('vouch sbom', () => {
  const dir = tmp('small');
  const lock = path.join(dir, 'package-lock.json');
  writeFileSync(lock, SMALL);

  it.each([
    ['cyclonedx-json', readCycloneDx],
    ['cyclonedx-xml', readCycloneDx],
    ['spdx-json', readSpdx],
    ['spdx-tag', readSpdx],
  ] as const)('--format %s writes to stdout; --deterministic gives identical bytes twice; it reads back', async (format, reader) => {
    const a = await run(['sbom', lock, '--format', format, '--deterministic']);
    const b = await run(['sbom', lock, '--format', format, '--deterministic']);
    expect(a.error).toBeUndefined();
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out.length).toBeGreaterThan(500);
    // the project itself (the lockfile's root package, demo 1.0.0) is the document's subject with
    // its purl, which a reader takes as a component like the rest
    expect(purlsOf(reader(a.out, 'x').graph)).toEqual([
      'pkg:npm/%40babel/core@7.24.0',
      'pkg:npm/demo@1.0.0',
      'pkg:npm/express@4.17.1',
      'pkg:npm/left-pad@1.3.0',
      'pkg:npm/lodash@4.17.20',
      'pkg:npm/vitest@1.0.0',
    ]);
    expect(reader(a.out, 'x').graph.components.get('pkg:npm/vitest@1.0.0')!.scope).toBe('dev');
  });

  it('without --deterministic two runs differ (serial number)', async () => {
    const a = await run(['sbom', lock]);
    const b = await run(['sbom', lock]);
    expect(a.out).not.toBe(b.out);
    expect(JSON.parse(a.out)).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
  });

  it('SOURCE_DATE_EPOCH sets the time of a deterministic document', async () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000');
    try {
      const r = await run(['sbom', lock, '--format', 'spdx-json', '--deterministic']);
      expect(JSON.parse(r.out).creationInfo.created).toBe('2023-11-14T22:13:20Z');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('-o writes the file atomically and leaves no temporary file; the name picks the format', async () => {
    const out = tmp('out');
    for (const [name, check] of [
      ['bom.cdx.json', (t: string) => expect(JSON.parse(t).bomFormat).toBe('CycloneDX')],
      ['bom.xml', (t: string) => expect(t).toMatch(/^<\?xml/)],
      ['doc.spdx.json', (t: string) => expect(JSON.parse(t).spdxVersion).toBe('SPDX-2.3')],
      ['doc.spdx', (t: string) => expect(t).toMatch(/^SPDXVersion: SPDX-2\.3\n/)],
    ] as const) {
      const r = await run(['sbom', lock, '-o', path.join(out, name)]);
      expect(r.error).toBeUndefined();
      expect(r.out).toBe('');
      expect(r.err).toContain(`wrote 5 component(s) to ${path.join(out, name)}`);
      check(readFileSync(path.join(out, name), 'utf8'));
    }
    // --format wins over the name; overwriting an existing file works
    await run(['sbom', lock, '-o', path.join(out, 'bom.xml'), '--format', 'cyclonedx-json', '--quiet']);
    expect(JSON.parse(readFileSync(path.join(out, 'bom.xml'), 'utf8')).bomFormat).toBe('CycloneDX');
    expect(readdirSync(out).sort()).toEqual(['bom.cdx.json', 'bom.xml', 'doc.spdx', 'doc.spdx.json']);
  });

  it('a failed write leaves the target as it was and no temporary file (exit 2, one line)', async () => {
    const out = tmp('fail');
    mkdirSync(path.join(out, 'taken'));
    writeFileSync(path.join(out, 'taken', 'keep'), 'x');
    const r = await run(['sbom', lock, '-o', path.join(out, 'taken')]);
    expect(r.error).toBeInstanceOf(VouchError);
    expect((r.error as VouchError).oneLine()).toMatch(/taken: cannot write the output file \(E[A-Z]+\)$/);
    expect(readdirSync(out)).toEqual(['taken']);
    expect(readdirSync(path.join(out, 'taken'))).toEqual(['keep']);

    const missing = path.join(out, 'no', 'such', 'dir', 'bom.json');
    await expect(writeFileAtomic(missing, '{}')).rejects.toThrow(/cannot write the output file \(ENOENT\)/);
    expect(existsSync(path.join(out, 'no'))).toBe(false);
  });

  it('--parse-as package-lock.json reads a lockfile named lock.txt; an unknown NAME lists the known ones', async () => {
    const d = tmp('parse-as');
    writeFileSync(path.join(d, 'lock.txt'), SMALL);
    const r = await run(['sbom', path.join(d, 'lock.txt'), '--parse-as', 'package-lock.json', '--deterministic']);
    expect(r.error).toBeUndefined();
    expect(purlsOf(readCycloneDx(r.out, 'x').graph)).toHaveLength(6); // 5 packages and the project, demo 1.0.0
    expect(JSON.parse(r.out).metadata.component).toMatchObject({ name: 'demo', version: '1.0.0', purl: 'pkg:npm/demo@1.0.0' });

    // a format without a content sniffer: unreadable by its name, read with --parse-as
    writeFileSync(path.join(d, 'deps.txt'), 'requests==2.31.0\nurllib3==2.0.7\n');
    const plain = await run(['sbom', path.join(d, 'deps.txt')]);
    expect(plain.error).toBeInstanceOf(VouchError);
    expect((plain.error as VouchError).code).toBe('INPUT_UNSUPPORTED');
    const forced = await run(['sbom', path.join(d, 'deps.txt'), '--parse-as', 'requirements.txt']);
    expect(forced.error).toBeUndefined();
    expect(purlsOf(readCycloneDx(forced.out, 'x').graph)).toEqual(['pkg:pypi/requests@2.31.0', 'pkg:pypi/urllib3@2.0.7']);

    const bad = await run(['sbom', path.join(d, 'lock.txt'), '--parse-as', 'nope.lock']);
    expect(bad.error).toBeInstanceOf(VouchError);
    expect((bad.error as VouchError).code).toBe('USAGE');
    expect((bad.error as VouchError).message).toMatch(/unknown format "nope\.lock"; known: .*package-lock\.json.*requirements\.txt/);
  });

  it('an unknown --format is a usage error', async () => {
    const r = await run(['sbom', lock, '--format', 'swid']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/argument 'swid' is invalid/);
  });

  it('names the subject after the scanned path', () => {
    expect(subjectName(['app/package-lock.json'])).toBe(path.normalize('app/package-lock.json'));
    expect(subjectName(['./app/'])).toBe('app');
    expect(subjectName(['.'])).toBe(path.basename(process.cwd()));
    expect(subjectName(['a', 'b'])).toBe('a b');
    expect(formatFromFileName('X.SPDX.JSON')).toBe('spdx-json');
    expect(formatFromFileName('x.spdx.tv')).toBe('spdx-tag');
    expect(formatFromFileName('bom.cdx.xml')).toBe('cyclonedx-xml');
    expect(formatFromFileName('sbom')).toBe('cyclonedx-json');
  });
});

describe('vouch sbom diff', () => {
  const dir = tmp('diff');
  const a = path.join(dir, 'a', 'package-lock.json');
  const b = path.join(dir, 'b', 'package-lock.json');
  mkdirSync(path.dirname(a));
  mkdirSync(path.dirname(b));
  writeFileSync(a, lockfile({ lodash: '4.17.20', 'left-pad': '1.3.0', express: '4.17.1' }));
  writeFileSync(b, lockfile({ lodash: '4.17.21', express: '4.17.1', chalk: '5.0.0' }));

  it('--format json: added, removed, changed', async () => {
    const r = await run(['sbom', 'diff', a, b, '--format', 'json']);
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.out)).toEqual({
      a: { path: a, components: 3 },
      b: { path: b, components: 3 },
      added: [{ ecosystem: 'npm', name: 'chalk', from: [], to: ['5.0.0'] }],
      removed: [{ ecosystem: 'npm', name: 'left-pad', from: ['1.3.0'], to: [] }],
      changed: [{ ecosystem: 'npm', name: 'lodash', from: ['4.17.20'], to: ['4.17.21'] }],
    });
  });

  it('--format table', async () => {
    const r = await run(['sbom', 'diff', '--format', 'table', a, b]);
    expect(r.out).toBe(
      [
        'added    npm  chalk     5.0.0',
        'removed  npm  left-pad  1.3.0',
        'changed  npm  lodash    4.17.20 → 4.17.21',
        `1 added, 1 removed, 1 changed (${a}: 3 components, ${b}: 3)`,
        '',
      ].join('\n'),
    );
  });

  it('an SBOM written from a lockfile has no difference from it; several versions of one name are compared as sets', async () => {
    const sbom = path.join(dir, 'b.spdx.json');
    await run(['sbom', b, '-o', sbom, '-q']);
    const same = JSON.parse((await run(['sbom', 'diff', b, sbom, '-f', 'json'])).out);
    expect([same.added, same.removed, same.changed]).toEqual([[], [], []]);

    const multi = path.join(dir, 'multi', 'package-lock.json');
    mkdirSync(path.dirname(multi));
    const text = JSON.parse(lockfile({ lodash: '4.17.21', express: '4.17.1', chalk: '5.0.0' }));
    text.packages['node_modules/express/node_modules/lodash'] = { version: '3.10.1' };
    text.packages['node_modules/express'].dependencies = { lodash: '^3' };
    writeFileSync(multi, JSON.stringify(text));
    const r = JSON.parse((await run(['sbom', 'diff', b, multi, '-f', 'json'])).out);
    expect(r.changed).toEqual([{ ecosystem: 'npm', name: 'lodash', from: [], to: ['3.10.1'] }]);
  });
});

describe('vouch sbom diff: packages without a version count with the version ""', () => {
  it('a git dependency appearing is added; one getting pinned is changed', () => {
    const g = new DependencyGraph();
    const [gitdep, req] = sampleUnresolved();
    const pinned = new DependencyGraph();
    pinned.add({ purl: 'pkg:pypi/requests@2.31.0', ecosystem: 'PyPI', name: 'requests', version: '2.31.0', scope: 'prod', direct: true, locations: [] });
    const d = diffInventories(g, pinned, [req!], [gitdep!]);
    expect(d).toEqual({
      added: [{ ecosystem: 'npm', name: 'gitdep', from: [], to: [''] }],
      removed: [],
      changed: [{ ecosystem: 'PyPI', name: 'requests', from: [''], to: ['2.31.0'] }],
    });
    expect(renderDiffTable({ a: { path: 'a', components: 1 }, b: { path: 'b', components: 2 }, ...d }).split('\n').slice(0, 2)).toEqual([
      'added    npm   gitdep    (no version)',
      'changed  PyPI  requests  (no version) → 2.31.0',
    ]);
  });

  it('the same versionless entries on both sides are no change', () => {
    const g = new DependencyGraph();
    expect(diffInventories(g, g, sampleUnresolved(), sampleUnresolved().reverse())).toEqual({ added: [], removed: [], changed: [] });
  });

  it('end to end: a lockfile and its SBOM compare equal; a git dependency appearing is added', async () => {
    const dir = tmp('diff-versionless');
    const plain = path.join(dir, 'a', 'package-lock.json');
    const withGit = path.join(dir, 'b', 'package-lock.json');
    mkdirSync(path.dirname(plain));
    mkdirSync(path.dirname(withGit));
    writeFileSync(plain, lockfile({ 'left-pad': '1.3.0' }));
    writeFileSync(withGit, lockfile({ 'left-pad': '1.3.0', gitdep: 'git+ssh://git@github.com/acme/gitdep.git#0123456789abcdef0123456789abcdef01234567' }));
    const sbom = path.join(dir, 'b.cdx.json');
    const w = await run(['sbom', withGit, '-o', sbom]);
    expect(w.err).toBe(
      [
        `vouch: 1 package(s) listed without a version (named by the inputs but not pinned to one) — vouch scan --verbose lists them`,
        `vouch: wrote 2 component(s) to ${sbom} (cyclonedx-json), 1 of them without a version`,
        '',
      ].join('\n'),
    );
    const same = JSON.parse((await run(['sbom', 'diff', withGit, sbom, '-f', 'json', '-q'])).out);
    expect([same.added, same.removed, same.changed]).toEqual([[], [], []]);
    const added = JSON.parse((await run(['sbom', 'diff', plain, sbom, '-f', 'json', '-q'])).out);
    expect(added.added).toEqual([{ ecosystem: 'npm', name: 'gitdep', from: [], to: [''] }]);
    expect(added.b.components).toBe(3); // left-pad, gitdep (no version), and the project demo@1.0.0 the SBOM names
  });
});

// ---- the built CLI, as a separate process ------------------------------------------------------

/** The CLI as users run it: bin/vouch over dist/ (`npm test` builds before vitest runs). */
const launcher = path.join(REPO_ROOT, 'bin', 'vouch');
const vouch = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [launcher, ...args], { encoding: 'utf8', env: { ...process.env, VOUCH_DEBUG: '', ...env }, maxBuffer: 256 * 1024 * 1024 });

describe.skipIf(!HAS_SHARED)('the built CLI', () => {
  const lock = shared('realworld', 'Kong__insomnia', 'package-lock.json');

  it('sbom: identical bytes across processes with --deterministic, for every format', () => {
    for (const format of ['cyclonedx-json', 'cyclonedx-xml', 'spdx-json', 'spdx-tag']) {
      const a = vouch(['sbom', lock, '--format', format, '--deterministic']);
      const b = vouch(['sbom', '--deterministic', '--format', format, lock]);
      expect(a.status, a.stderr).toBe(0);
      expect(a.stdout.length).toBeGreaterThan(100_000);
      expect(a.stdout).toBe(b.stdout);
    }
  });

  it('sbom -o: a SIGKILL at any moment leaves the old file or the whole new one, never a part', async () => {
    const d = tmp('kill');
    const target = path.join(d, 'bom.json');
    writeFileSync(target, 'old\n');
    const full = vouch(['sbom', lock, '--deterministic']).stdout;
    for (const delayMs of [0, 100, 200, 300, 400, 600, 900]) {
      const child = spawn(process.execPath, [launcher, 'sbom', lock, '--deterministic', '-o', target], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await sleep(delayMs);
      child.kill('SIGKILL');
      await exited;
      const now = readFileSync(target, 'utf8');
      expect(now === 'old\n' || now === full, `after ${delayMs} ms`).toBe(true);
      if (now === full) writeFileSync(target, 'old\n');
    }
    // temporary files a killed process leaves are named after the target and never the target itself
    for (const f of readdirSync(d)) expect(f === 'bom.json' || /^\.bom\.json\.\d+\.[0-9a-f]{8}\.tmp$/.test(f), f).toBe(true);
  });

  it('scan --parse-as: reads a requirements file named deps.txt (exit 2 with one line for an unknown NAME)', () => {
    const home = tmp('home');
    expect(vouch(['db', '--home', home, 'update', '--source', shared('osv', 'NuGet', 'all.zip')]).status).toBe(0);
    const d = tmp('scan');
    writeFileSync(path.join(d, 'deps.txt'), 'requests==2.31.0\n');
    const r = vouch(['scan', '--home', home, '--format', 'json', '--parse-as', 'requirements.txt', path.join(d, 'deps.txt')]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).inputs).toEqual([expect.objectContaining({ path: path.join(d, 'deps.txt'), status: 'ok' })]);
    const bad = vouch(['scan', '--home', home, '--parse-as', 'nope', path.join(d, 'deps.txt')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^vouch: --parse-as: unknown format "nope"; known: /);
  });

  it('sbom diff between a lockfile and its SBOM: nothing added, removed or changed', () => {
    const d = tmp('diff-cli');
    const copy = path.join(d, 'package-lock.json');
    copyFileSync(lock, copy);
    expect(vouch(['sbom', copy, '-o', path.join(d, 'bom.xml'), '-q']).status).toBe(0);
    const r = vouch(['sbom', 'diff', copy, path.join(d, 'bom.xml'), '--format', 'table']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0 added, 0 removed, 0 changed \(/);
  });
});
