/**
 * `vouch fix` end to end: the store loaded from the real npm advisories in ../shared/osv, package
 * metadata from the recorded packuments beside src/ecosystems/npm/fix, npm replaced by a fake
 * executable (VOUCH_NPM) so relocking needs no registry. The real relocks run where the configured
 * registry answers `npm ping` (src/testing/registry.ts), and are skipped with a message where it
 * does not.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_TESTS, registryReady } from '../../src/testing/registry.js';
import { HAS_SHARED, REPO_ROOT, shared } from '../../src/testing/shared.js';
import { VOUCH, tempDir, vouch } from './helpers.js';

const FIX = path.join(REPO_ROOT, 'src', 'ecosystems', 'npm', 'fix', '__fixtures__');
/** The text manifests: requirements.txt (PyPI), pom.xml (Maven). */
const TEXT: Record<string, string> = { 'requirements.txt': 'pypi', 'pom.xml': 'maven' };
const PACKUMENTS = path.join(FIX, 'packuments');

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f), 'latin1')]));
}

/** A fake npm: a node script; `body` sees `args` and `lock` (the parsed lockfile) and may call `save()`. */
function fakeNpm(dir: string, body: string): string {
  const file = path.join(dir, 'fake-npm.mjs');
  writeFileSync(
    file,
    `#!${process.execPath}
import { readFileSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const save = () => { lock.packages[''].dependencies = pkg.dependencies; writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\\n'); };
${body}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

describe.skipIf(!HAS_SHARED)('vouch fix on real npm advisories', () => {
  let home: string;
  let work: string;
  beforeAll(() => {
    home = tempDir('fix-home');
    work = tempDir('fix-work');
    const r = vouch(['db', 'update', '--source', shared('osv'), '--ecosystem', 'npm,PyPI,Maven', '--quiet'], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  function project(fixture: string, name: string): string {
    const d = path.join(work, name);
    cpSync(path.join(FIX, fixture), d, { recursive: true });
    return d;
  }

  it('--plan --json: relock for lodash, the smallest parent bump (mkdirp 0.5.2) for minimist', () => {
    const dir = project('npm-parent', 'plan');
    const r = vouch(['fix', dir, '--plan', '--json', '--packuments', PACKUMENTS], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(1);
    const plan = JSON.parse(r.stdout) as { findings: number; steps: { strategy: string; changes: { package: string; to: string }[] }[] };
    expect(plan.findings).toBe(5);
    expect(plan.steps.map((s) => [s.strategy, s.changes.map((c) => `${c.package}@${c.to}`)])).toEqual([
      ['in-range', ['lodash@4.17.21']],
      ['parent', ['mkdirp@0.5.2']],
    ]);
  });

  it('-f json, --format json and --json give the same plan; -f table is the default; another format is a usage error', () => {
    const dir = project('npm-parent', 'formats');
    const run = (...args: string[]) => vouch(['fix', dir, '--packuments', PACKUMENTS, ...args], { VOUCH_HOME: home });
    const json = run('--json');
    expect(json.code, json.stderr).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ schemaVersion: '1.0', ecosystem: 'npm', findings: 5 });
    expect(run('-f', 'json').stdout).toBe(json.stdout);
    expect(run('--format', 'json').stdout).toBe(json.stdout);
    const table = run();
    expect(table.stdout).toMatch(/^npm: .*package\.json \+ .*package-lock\.json\n5 finding\(s\); 2 step\(s\) remove 5; 0 left without a fix\n/);
    expect(run('-f', 'table').stdout).toBe(table.stdout);
    const bad = run('-f', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '-f, --format <format>' argument 'xml' is invalid/);
  });

  it('--plan: the override fixture is flagged, and the playbook steps are shown', () => {
    const dir = project('npm-override', 'override');
    writeFileSync(path.join(dir, 'vouch.containment.yaml'), 'CVE-2021-44906:\n  - "reject __proto__ keys before calling minimist (argv is attacker-controlled?)"\n');
    const r = vouch(['fix', dir, '--packuments', PACKUMENTS], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/override\s+override\s+1\s+override minimist 0\.0\.10 → 0\.2\.4 under optimist/);
    expect(r.stdout).toMatch(/note: forces minimist@0.2.4 where optimist@0.6.1 declares ~0.0.1/);
    expect(r.stdout).toMatch(/Containment \(.*vouch.containment.yaml\):\n {2}minimist GHSA-xvch-5gv4-984h \(CVE-2021-44906\):\n {4}- reject __proto__ keys/);
  });

  it('--apply: a fake npm that fails mid-way leaves the project byte-identical, exit 2, one line', () => {
    const dir = project('npm-parent', 'fail');
    const before = snapshot(dir);
    const npm = fakeNpm(work, `writeFileSync('package-lock.json', '{"half":'); console.error('npm error network ECONNRESET'); process.exit(1);`);
    const r = vouch(['fix', dir, '--apply', '--packuments', PACKUMENTS, '-q'], { VOUCH_HOME: home, VOUCH_NPM: npm });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^vouch: fix not applied, package.json and the lockfile restored: .*`npm install --package-lock-only --ignore-scripts --no-audit --no-fund` failed \(exit 1\): npm error network ECONNRESET/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('--apply --offline: the relock is refused before npm runs; the project is restored, exit 2, one line', () => {
    const dir = project('npm-parent', 'offline');
    const before = snapshot(dir);
    // npm would break the lockfile if it ran at all
    const npm = fakeNpm(work, `if (args[0] !== '--version') writeFileSync('package-lock.json', '{"half":');`);
    const r = vouch(['fix', dir, '--apply', '--offline', '--packuments', PACKUMENTS, '-q'], { VOUCH_HOME: home, VOUCH_NPM: npm });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--offline: relocking with npm install needs the network; nothing was downloaded/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('--apply: Ctrl-C while npm runs restores the project byte for byte', async () => {
    const dir = project('npm-parent', 'sigint');
    const before = snapshot(dir);
    const marker = path.join(work, 'npm-started');
    const npm = fakeNpm(work, `writeFileSync('package-lock.json', '{"half":'); writeFileSync(${JSON.stringify(marker)}, ''); setTimeout(() => {}, 60_000);`);
    const child = spawn(process.execPath, [VOUCH, 'fix', dir, '--apply', '--packuments', PACKUMENTS, '-q'], { env: { ...process.env, VOUCH_HOME: home, VOUCH_NPM: npm } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(2);
    expect(stderr).toMatch(/^vouch: fix not applied, package.json and the lockfile restored: .*interrupted\n$/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('--apply: edits only the mkdirp line of package.json, relocks, rescans clean', () => {
    const dir = project('npm-parent', 'ok');
    const pkg = readFileSync(path.join(dir, 'package.json'), 'utf8');
    const npm = fakeNpm(
      work,
      `if (args[0] === 'install') { lock.packages['node_modules/mkdirp'] = { ...lock.packages['node_modules/mkdirp'], version: pkg.dependencies.mkdirp, dependencies: { minimist: '^1.2.5' } }; lock.packages['node_modules/minimist'].version = '1.2.8'; }
       if (args[0] === 'update') lock.packages['node_modules/lodash'].version = '4.17.21';
       save();`,
    );
    const r = vouch(['fix', dir, '--apply', '--packuments', PACKUMENTS, '-q'], { VOUCH_HOME: home, VOUCH_NPM: npm });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/applied 2 step\(s\): 5 → 0 finding\(s\)/);
    expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(pkg.replace('"mkdirp": "0.5.1"', '"mkdirp": "0.5.2"'));
  });

  // Jinja2 2.10 → 2.11.3 (PYSEC-2019-217 <2.10.1, PYSEC-2021-66 <2.11.3); flask 1.0.2 → 2.2.5
  // (PYSEC-2023-62: [0, 2.2.5) and [2.3.0, 2.3.2)); log4j-core 2.14.1 → 2.17.1 through its property
  // (GHSA-jfh8 <2.15.0, -7rjr <2.16.0, -p6xc <2.17.0, -8489 <2.17.1)
  it.each([
    ['requirements.txt', ['Jinja2==2.10 ;', 'flask==1.0.2 '], ['Jinja2==2.11.3 ;', 'flask==2.2.5 ']],
    ['pom.xml', ['<log4j.version>2.14.1<'], ['<log4j.version>2.17.1<']],
  ])('--apply on %s: one token changes, and vouch scan of the result no longer reports it', (name, from, to) => {
    const dir = path.join(work, `text-${name}`);
    cpSync(path.join(REPO_ROOT, 'src', 'ecosystems', TEXT[name]!, '__fixtures__', 'fix', name), path.join(dir, name), { recursive: true });
    const before = readFileSync(path.join(dir, name), 'utf8');
    const plan = vouch(['fix', path.join(dir, name), '--diff'], { VOUCH_HOME: home });
    expect(plan.code, plan.stderr).toBe(1);
    for (const f of from) expect(plan.stdout).toContain(`-${before.split('\n').find((l) => l.includes(f))}`);
    const r = vouch(['fix', path.join(dir, name), '--apply', '-q'], { VOUCH_HOME: home });
    expect(r.stderr).toBe('');
    expect(readFileSync(path.join(dir, name), 'utf8')).toBe(from.reduce((t, f, i) => t.replace(f, to[i]!), before));
    const scan = vouch(['scan', path.join(dir, name), '--format', 'json'], { VOUCH_HOME: home });
    const ids = (JSON.parse(scan.stdout) as { findings: { id: string; purl: string }[] }).findings.map((f) => `${f.purl} ${f.id}`);
    expect(ids.filter((x) => /jinja2|flask|log4j-core/i.test(x))).toEqual([]);
  });

  /** A fake yarn/pnpm: a node script; `body` sees `args` and may write the lockfile. */
  function fakeManager(name: string, body: string): string {
    const file = path.join(work, `fake-${name}.mjs`);
    writeFileSync(file, `#!${process.execPath}\nimport { writeFileSync } from 'node:fs';\nconst args = process.argv.slice(2);\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('yarn classic: plans like npm; --apply edits package.json, relocks with $VOUCH_YARN, shows before → after', () => {
    const dir = project('yarn-parent', 'yarn');
    const r = vouch(['fix', dir, '--json', '--packuments', PACKUMENTS], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(1);
    const plan = JSON.parse(r.stdout) as { files: string[]; steps: { strategy: string; changes: { package: string; to: string }[] }[] };
    expect(plan.files.map((f) => path.basename(f))).toEqual(['package.json', 'yarn.lock']);
    expect(plan.steps.map((s) => `${s.strategy} ${s.changes[0]!.package}@${s.changes[0]!.to}`)).toEqual(['in-range lodash@4.17.21', 'parent mkdirp@0.5.2']);
    const pkg = readFileSync(path.join(dir, 'package.json'), 'utf8');
    const lock = [
      '# yarn lockfile v1',
      '',
      'lodash@^4.17.4:\n  version "4.17.21"',
      'minimist@^1.2.5:\n  version "1.2.8"',
      'mkdirp@0.5.2:\n  version "0.5.2"\n  dependencies:\n    minimist "^1.2.5"',
    ].join('\n\n');
    const yarn = fakeManager('yarn', `if (args[0] === '--version') { console.log('1.22.22'); process.exit(0); }
      if (args[0] !== 'install' || !args.includes('--modules-folder')) process.exit(3);
      writeFileSync('yarn.lock', ${JSON.stringify(`${lock}\n`)});`);
    const a = vouch(['fix', dir, '--apply', '--packuments', PACKUMENTS, '-q'], { VOUCH_HOME: home, VOUCH_YARN: yarn });
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/applied 2 step\(s\): 5 → 0 finding\(s\)/);
    expect(a.stdout).toMatch(/ {2}fixed {4}minimist@0\.0\.8 GHSA-xvch-5gv4-984h/);
    expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(pkg.replace('"mkdirp": "0.5.1"', '"mkdirp": "0.5.2"'));
    expect(readdirSync(dir).sort()).toEqual(['package.json', 'yarn.lock']);
  });

  it('pnpm: a fake pnpm that fails mid-way leaves the project byte-identical, exit 2, one line', () => {
    const dir = project('pnpm-parent', 'pnpm-fail');
    const before = snapshot(dir);
    const pnpm = fakeManager('pnpm', `if (args[0] === '--version') { console.log('9.15.0'); process.exit(0); }
      writeFileSync('pnpm-lock.yaml', 'lockfileVersion: [');
      console.error(' ERR_PNPM_META_FETCH_FAIL  GET https://registry.npmjs.org/mkdirp: ECONNRESET');
      process.exit(1);`);
    const r = vouch(['fix', dir, '--apply', '--packuments', PACKUMENTS, '-q'], { VOUCH_HOME: home, VOUCH_PNPM: pnpm });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^vouch: fix not applied, package.json and the lockfile restored: .*`pnpm install --lockfile-only --ignore-scripts --no-frozen-lockfile` failed \(exit 1\): ERR_PNPM_META_FETCH_FAIL/);
    expect(snapshot(dir)).toEqual(before);
  });

  it.each([
    ['yarn-parent', 'yarn', /^vouch: yarn is not installed \(no yarn on PATH and VOUCH_YARN is not set\): install yarn classic with `npm install -g yarn@1` or `corepack enable`, or apply the plan by hand .* and run `yarn install --ignore-scripts`; nothing was changed\n$/],
    ['pnpm-override', 'pnpm', /^vouch: pnpm is not installed \(no pnpm on PATH and VOUCH_PNPM is not set\): install pnpm .* and run `pnpm install --lockfile-only --ignore-scripts`; nothing was changed\n$/],
  ])('--apply on %s without %s installed: one line, exit 2, project untouched', (fixture, manager, message) => {
    const dir = project(fixture, `missing-${manager}`);
    const before = snapshot(dir);
    const r = vouch(['fix', dir, '--apply', '--packuments', PACKUMENTS], { VOUCH_HOME: home, PATH: work, VOUCH_YARN: '', VOUCH_PNPM: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(snapshot(dir)).toEqual(before);
  });

  it('yarn berry: --apply refuses with one line', () => {
    const dir = project('yarn-parent', 'berry');
    writeFileSync(path.join(dir, 'yarn.lock'), '__metadata:\n  version: 8\n  cacheKey: 10c0\n');
    const before = snapshot(dir);
    const r = vouch(['fix', dir, '--apply', '--packuments', PACKUMENTS], { VOUCH_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vouch: .*yarn.lock: yarn berry \(v2\+\) lockfiles are not planned yet; only yarn classic \(v1\)\n$/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('bad input is one line naming the file', () => {
    const dir = path.join(work, 'bad');
    cpSync(path.join(FIX, 'npm-parent'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion": 3, "packages": [');
    const r = vouch(['fix', dir, '--packuments', PACKUMENTS], { VOUCH_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vouch: .*bad\/package-lock.json: not valid JSON/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

// The real relock talks to the npm registry (whatever the user's npm config names): opt-in.
describe.skipIf(!HAS_SHARED || !REGISTRY_TESTS)('vouch fix --apply with the real npm and registry', () => {
  beforeAll(registryReady);
  it('relocks the parent-bump fixture for real and rescans clean', () => {
    const home = tempDir('fix-reg-home');
    const dir = tempDir('fix-reg');
    try {
      expect(vouch(['db', 'update', '--source', shared('osv'), '--ecosystem', 'npm', '--quiet'], { VOUCH_HOME: home }).code).toBe(0);
      cpSync(path.join(FIX, 'npm-parent'), dir, { recursive: true });
      const r = vouch(['fix', dir, '--apply', '-q'], { VOUCH_HOME: home });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
      expect(lock.packages['node_modules/mkdirp']!.version).toBe('0.5.2');
      // the relock resolves ^4.17.4 to the registry's newest 4.x: at least 4.17.21, the last fix
      expect(semver.gte(lock.packages['node_modules/lodash']!.version, '4.17.21')).toBe(true);
      expect(semver.gte(lock.packages['node_modules/minimist']!.version, '1.2.6')).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * yarn 1 and pnpm for real: each CLI is installed from the npm registry into a temporary folder
 * (`npm install --prefix TMP`), then relocks a fixture copy through `vouch fix --apply`.
 * Run with VOUCH_TEST_REGISTRY=1 (src/testing/registry.ts), like the npm one above.
 */
describe.skipIf(!HAS_SHARED || !REGISTRY_TESTS)('vouch fix --apply with the real yarn 1 / pnpm and registry', () => {
  let home: string;
  beforeAll(() => {
    registryReady();
    home = tempDir('fix-mgr-home');
    expect(vouch(['db', 'update', '--source', shared('osv'), '--ecosystem', 'npm', '--quiet'], { VOUCH_HOME: home }).code).toBe(0);
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  // pnpm 12 is the newest major on the registry, and its engines (node >=18) accept Node 20
  it.each([
    ['yarn', 'yarn@1', 'yarn-parent', 'yarn.lock'],
    ['pnpm', 'pnpm@12', 'pnpm-parent', 'pnpm-lock.yaml'],
  ])('%s (%s) relocks the parent-bump fixture and rescans clean', (manager, spec, fixture, lockName) => {
    const tools = tempDir(`fix-${manager}-cli`);
    const dir = tempDir(`fix-${manager}-real`);
    try {
      const registry = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim();
      const inst = spawnSync('npm', ['install', '--prefix', tools, '--no-save', '--no-audit', '--no-fund', spec], { encoding: 'utf8' });
      expect(inst.status, inst.stderr).toBe(0);
      const bin = path.join(tools, 'node_modules', '.bin', manager);
      cpSync(path.join(FIX, fixture), dir, { recursive: true });
      const pkg = readFileSync(path.join(dir, 'package.json'), 'utf8');
      // the fixture's yarn.lock names registry.yarnpkg.com: point yarn at the npm config's registry
      const r = vouch(['fix', dir, '--apply', '-q'], { VOUCH_HOME: home, [`VOUCH_${manager.toUpperCase()}`]: bin, YARN_REGISTRY: registry, npm_config_registry: registry });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/applied 2 step\(s\): 5 → 0 finding\(s\)/);
      expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(pkg.replace('"mkdirp": "0.5.1"', '"mkdirp": "0.5.2"'));
      // only the two files changed: no node_modules, no yarn-error.log
      expect(readdirSync(dir).sort()).toEqual(['package.json', lockName]);
      const lock = readFileSync(path.join(dir, lockName), 'utf8');
      const versions = (name: string): string[] =>
        lockName === 'yarn.lock'
          ? [...lock.matchAll(new RegExp(`^"?${name}@[^\\n]*:\\n {2}version "([^"]+)"`, 'gm'))].map((m) => m[1]!)
          : // pnpm names each package twice: under packages and under snapshots
            [...new Set([...lock.matchAll(new RegExp(`^ {2}${name}@([^:(]+):`, 'gm'))].map((m) => m[1]!))];
      expect(versions('mkdirp')).toEqual(['0.5.2']);
      expect(versions('lodash').every((v) => semver.gte(v, '4.17.21'))).toBe(true);
      expect(versions('minimist').every((v) => semver.gte(v, '1.2.6'))).toBe(true);
      expect(versions('lodash').length * versions('minimist').length).toBeGreaterThan(0);
    } finally {
      rmSync(tools, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
