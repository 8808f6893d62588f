#!/usr/bin/env node
// vouch sbom against cdxgen (OWASP CycloneDX Generator), the reference SBOM tool. Run with
// `npm run bench:cdxgen` (after `npm ci`). Issue 3 asks for two things:
//
// (a) recall: on every lockfile in ../shared/realworld, vouch finds every package cdxgen finds
//     there, with the same name and version. recall = |vouch ∩ cdxgen| / |cdxgen|, components
//     compared by (purl type, name with namespace, version) after normalising; up to 20 misses
//     per file are listed, each with what vouch has under that name.
// (b) speed: whole-process `vouch sbom FILE --format cyclonedx-json` vs `cdxgen` on the same
//     file, median of BENCH_RUNS (default 5) interleaved runs, for one representative — the
//     largest — file of every lockfile format (SPEED_FORMATS: package-lock, yarn v1, yarn berry,
//     pnpm, bun, requirements, poetry, uv, Pipfile.lock, pom.xml, gradle.lockfile, go.mod,
//     Cargo.lock, Gemfile.lock, composer.lock, packages.lock.json; issue 17). A format with no
//     file in ../shared/realworld gets a generated one, said so in the table (bun.lock: written
//     from the largest package-lock.json's tree, in the temp folder, never stored). Each is timed
//     with NODE_EXTRA_CA_CERTS unset and as the machine sets it. Goal: vouch ≥ 10× faster with
//     no lower recall, in both.
//
// cdxgen is installed into bench/.work/cdxgen (git-ignored) with npm, once, and never becomes a
// dependency of vouch. It is run lockfile-only and offline: --no-install-deps, --no-recurse,
// --no-babel, FETCH_LICENSE=false, no --deep; every external command is refused through
// CDXGEN_ALLOWED_COMMANDS (so it cannot run npm/pip/mvn/gradle/go/dotnet/bundle, and falls back
// to reading the files); the commands it asked for are reported per file. Network hosts are
// refused through CDXGEN_ALLOWED_HOSTS. Validation is off (--no-validate) — vouch does not
// validate its own output either, so this only makes cdxgen faster.
//
// The Markdown section printed at the end replaces the section `## SBOM: recall and speed against
// cdxgen` of bench/RESULTS.md (the rest of that file is kept). BENCH_NO_WRITE=1 only prints it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_FILE, replaceSection } from './results.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const shared = process.env.VOUCH_SHARED_DIR ?? path.resolve(root, '..', 'shared');
const realworld = path.join(shared, 'realworld');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const work = path.join(here, '.work');
const cdxgenDir = path.join(work, 'cdxgen');
const cdxgenSpec = '@cyclonedx/cdxgen@12'; // 12.x: engines node ^20 || ^22 || ^24 || ^25 || ^26
const heading = '## SBOM: recall and speed against cdxgen';
const MAX_MISSES = 20;

if (!existsSync(realworld)) {
  console.error(`bench: ${realworld} is absent; this benchmark needs the shared real-world lockfiles.`);
  process.exit(2);
}
if (!existsSync(path.join(root, 'dist', 'vouch.mjs'))) {
  console.error('bench: dist/ is missing; run `npm ci` (or `npm run build`) first.');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// cdxgen, installed once into bench/.work/cdxgen.

function cdxgenBin() {
  const bin = path.join(cdxgenDir, 'node_modules', '@cyclonedx', 'cdxgen', 'bin', 'cdxgen.js');
  if (!existsSync(bin)) {
    mkdirSync(cdxgenDir, { recursive: true });
    // A package.json of its own, so npm never walks up to (and edits) vouch's.
    if (!existsSync(path.join(cdxgenDir, 'package.json'))) writeFileSync(path.join(cdxgenDir, 'package.json'), '{ "private": true }\n');
    console.error(`bench: installing ${cdxgenSpec} into ${path.relative(root, cdxgenDir)} once (cached)...`);
    const r = spawnSync('npm', ['install', '--prefix', cdxgenDir, '--no-audit', '--no-fund', cdxgenSpec], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0 || !existsSync(bin)) {
      console.error('bench: could not install cdxgen from the npm registry.');
      process.exit(2);
    }
  }
  return bin;
}
const cdxgen = cdxgenBin();
const cdxgenVersion = JSON.parse(readFileSync(path.join(cdxgenDir, 'node_modules', '@cyclonedx', 'cdxgen', 'package.json'), 'utf8')).version;

const NO_COMMANDS = 'vouch-bench-allows-no-command';
const cdxgenEnv = {
  CDXGEN_NO_BANNER: '1',
  FETCH_LICENSE: 'false',
  CDXGEN_FETCH_PKG_METADATA: 'false',
  CDXGEN_ALLOWED_COMMANDS: NO_COMMANDS,
  CDXGEN_ALLOWED_HOSTS: 'none.invalid',
  CDXGEN_NO_CACHE: 'true',
  CI: 'true',
  NODE_NO_WARNINGS: '1',
};
const cdxgenArgs = (type, out) => [cdxgen, '-t', type, '--no-install-deps', '--no-recurse', '--no-babel', '--no-validate', '--spec-version', '1.6', '-o', out, '.'];

/**
 * Runs a command; `ms` is its wall time, `cpuMs` its CPU time (user + system, the children's line
 * of bash's `times`, as bench/run.mjs takes it): on a machine shared with other work the wall time
 * follows the load, the CPU time far less. Both are taken in bash around the command alone.
 */
function run(cmd, args, { cwd, env = {}, unset = [], ok = [0] } = {}) {
  const fullEnv = { ...process.env, ...env };
  for (const name of unset) delete fullEnv[name];
  const r = spawnSync('bash', ['-c', 't0=$EPOCHREALTIME; "$@" 3>&-; s=$?; t1=$EPOCHREALTIME; times >&3; echo "$t0 $t1" >&3; exit $s', 'bash', cmd, ...args], {
    cwd,
    encoding: 'utf8',
    env: fullEnv,
    maxBuffer: 1 << 29,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  if (!ok.includes(r.status)) throw new Error(`${path.basename(args[0] ?? cmd)} ${args.slice(1).join(' ')} exited ${r.status}: ${(r.stderr || r.stdout || '').slice(-2000)}`);
  const [, children = '', clock = ''] = (r.output[3] ?? '').trim().split('\n');
  const [t0, t1] = clock.replace(/,/g, '.').split(' ').map(Number); // a locale may write a decimal comma
  const ms = (t1 - t0) * 1000;
  if (!Number.isFinite(ms)) throw new Error(`bench: no timing from bash for ${cmd} (bash 5 is needed for EPOCHREALTIME)`);
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000, 0);
  return { ms, cpuMs, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------------------------
// Inputs: every lockfile in ../shared/realworld, with the cdxgen type and the sibling manifests
// the format needs copied next to it.

const FORMATS = [
  { test: (f) => f === 'package-lock.json' || f === 'yarn.lock' || f === 'pnpm-lock.yaml' || f === 'bun.lock', type: 'js', eco: 'npm', tree: (f) => f === 'package.json' || f === 'pnpm-workspace.yaml' || f === '.yarnrc.yml' },
  { test: (f) => f === 'poetry.lock' || f === 'uv.lock' || f === 'pdm.lock', type: 'python', eco: 'pypi', siblings: ['pyproject.toml'] },
  { test: (f) => f === 'Pipfile.lock', type: 'python', eco: 'pypi', siblings: ['Pipfile'] },
  { test: (f) => /^requirements.*\.txt$/.test(f), type: 'python', eco: 'pypi', siblings: [] },
  { test: (f) => f === 'Cargo.lock', type: 'rust', eco: 'cargo', siblings: ['Cargo.toml'] },
  { test: (f) => f === 'Gemfile.lock', type: 'ruby', eco: 'gem', siblings: ['Gemfile'] },
  { test: (f) => f === 'composer.lock', type: 'php', eco: 'composer', siblings: ['composer.json'] },
  { test: (f) => f === 'gradle.lockfile', type: 'gradle', eco: 'maven', siblings: ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts'] },
  { test: (f) => f === 'pom.xml', type: 'maven', eco: 'maven', tree: (f) => f === 'pom.xml', treeFromRepo: true },
  // Not the *.csproj: given one, cdxgen adds each PackageReference again with its version attribute verbatim ("[33.1.0]").
  { test: (f) => f === 'packages.lock.json', type: 'dotnet', eco: 'nuget', siblings: [] },
  { test: (f) => f === 'go.mod', type: 'go', eco: 'golang', siblings: ['go.sum'] },
  { test: (f) => f === 'pubspec.lock', type: 'dart', eco: 'pub', siblings: ['pubspec.yaml'] },
  { test: (f) => f === 'mix.lock', type: 'elixir', eco: 'hex', siblings: ['mix.exs'] },
];

function walk(dir, skip = () => false) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git' && !skip(p)) out.push(...walk(p, skip));
    } else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

const inputs = [];
for (const file of walk(realworld)) {
  const format = FORMATS.find((f) => f.test(path.basename(file)));
  if (format) inputs.push({ file, rel: path.relative(realworld, file), repo: path.relative(realworld, file).split(path.sep)[0], ...format });
}

/** The formats of the speed table, in its order; `of` names an input's format (null: not one of them). */
const SPEED_FORMATS = ['package-lock', 'yarn v1', 'yarn berry', 'pnpm', 'bun', 'requirements', 'poetry', 'uv', 'Pipfile.lock', 'pom.xml', 'gradle.lockfile', 'go.mod', 'Cargo.lock', 'Gemfile.lock', 'composer.lock', 'packages.lock.json'];
function formatOf(input) {
  const base = path.basename(input.file);
  if (base === 'package-lock.json') return 'package-lock';
  if (base === 'yarn.lock') return /^__metadata:/m.test(readFileSync(input.file, 'utf8')) ? 'yarn berry' : 'yarn v1';
  if (base === 'pnpm-lock.yaml') return 'pnpm';
  if (base === 'bun.lock') return 'bun';
  if (/^requirements.*\.txt$/.test(base)) return 'requirements';
  if (base === 'poetry.lock') return 'poetry';
  if (base === 'uv.lock') return 'uv';
  return SPEED_FORMATS.includes(base) ? base : null;
}

/**
 * bun.lock from a package-lock.json's tree, for when ../shared/realworld has none: the same
 * packages at the same install paths (`node_modules/a/node_modules/b` → `a/b`), each as bun writes a
 * registry package (`["name@1.0.0", "", {dependencies}, "sha512-…"]`), and the project's own
 * dependency sections as the root workspace. Written in the temp folder with a package.json beside it.
 */
function generateBunLock(from, dir) {
  const lock = JSON.parse(readFileSync(from.file, 'utf8'));
  const pkgs = lock.packages ?? {};
  const rootPkg = pkgs[''] ?? {};
  const sections = (p) => Object.fromEntries(['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].filter((k) => p[k] && Object.keys(p[k]).length).map((k) => [k, p[k]]));
  const packages = {};
  for (const [p, v] of Object.entries(pkgs)) {
    if (!p.startsWith('node_modules/') || v.link || !v.version) continue;
    const names = p.slice('node_modules/'.length).split('/node_modules/');
    const name = v.name ?? names[names.length - 1];
    const deps = sections(v);
    delete deps.devDependencies;
    packages[names.join('/')] = [`${name}@${v.version}`, '', deps, v.integrity ?? ''];
  }
  const bun = { lockfileVersion: 1, workspaces: { '': { name: rootPkg.name ?? 'generated', ...sections(rootPkg) } }, packages };
  mkdirSync(dir, { recursive: true });
  // bun's text lockfile is JSON with trailing commas; plain JSON is a valid one
  writeFileSync(path.join(dir, 'bun.lock'), `${JSON.stringify(bun, null, 2)}\n`);
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: rootPkg.name ?? 'generated', version: rootPkg.version ?? '0.0.0', ...sections(rootPkg) }, null, 2)}\n`);
  return path.join(dir, 'bun.lock');
}

/** Copies the lockfile (and what cdxgen needs beside it) into a fresh temp dir; returns the copy and the dir to run cdxgen in. */
function stage(input, tmp) {
  const dir = path.join(tmp, input.rel.replace(/[^\w.@-]+/g, '_'));
  const srcDir = path.dirname(input.file);
  if (input.tree) {
    // Formats with workspaces or parent POMs: the manifests of the whole subtree (for POMs, of the repository), layout kept.
    const base = input.treeFromRepo ? path.join(realworld, input.repo) : srcDir;
    for (const f of walk(base)) if (input.tree(path.basename(f))) cpSync(f, path.join(dir, path.relative(base, f)));
    cpSync(input.file, path.join(dir, path.relative(base, input.file)));
    const copy = path.join(dir, path.relative(base, input.file));
    return { copy, cwd: path.dirname(copy) };
  }
  mkdirSync(dir, { recursive: true });
  cpSync(input.file, path.join(dir, path.basename(input.file)));
  for (const f of readdirSync(srcDir)) {
    if (input.siblings.includes(f)) cpSync(path.join(srcDir, f), path.join(dir, f));
  }
  return { copy: path.join(dir, path.basename(input.file)), cwd: dir };
}

// ---------------------------------------------------------------------------------------------
// Component identity: (purl type, name incl. namespace, version), normalised.

function parsePurl(purl) {
  const m = /^pkg:([^/]+)\/([^@?#]+)(?:@([^?#]*))?/.exec(purl ?? '');
  if (!m) return undefined;
  const dec = (s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { type: m[1].toLowerCase(), name: m[2].split('/').map(dec).join('/'), version: m[3] === undefined ? '' : dec(m[3]) };
}

function normName(type, name) {
  switch (type) {
    case 'pypi':
      return name.toLowerCase().replace(/[-_.]+/g, '-'); // PEP 503
    case 'npm':
    case 'nuget':
    case 'composer':
    case 'cargo':
      return name.toLowerCase();
    case 'deb':
    case 'apk':
    case 'rpm':
      return name.replace(/^[^/]*\//, ''); // distribution namespace
    default:
      return name;
  }
}

function identity(c) {
  const p = parsePurl(c.purl);
  if (!p) return undefined;
  const version = p.version || c.version || '';
  return { type: p.type, name: normName(p.type, p.name), version: p.type === 'nuget' ? version.toLowerCase() : version, purl: c.purl, scope: c.scope, props: c.properties ?? [] };
}
const keyOf = (i) => `${i.type}\u0000${i.name}\u0000${i.version}`;

/** The names of the projects (roots) a vouch SBOM describes: metadata.component and its nested components. */
function rootNames(bom) {
  const out = new Set();
  const visit = (c) => {
    if (!c) return;
    if (c.name) out.add(c.name.toLowerCase());
    for (const n of c.components ?? []) visit(n);
  };
  visit(bom.metadata?.component);
  return out;
}

/** Every component (nested ones included) with a purl; cdxgen's root project (metadata.component) left out. */
function components(bom) {
  const rootRefs = new Set([bom.metadata?.component?.['bom-ref'], bom.metadata?.component?.purl].filter(Boolean));
  const out = [];
  const visit = (list) => {
    for (const c of list ?? []) {
      if (!rootRefs.has(c['bom-ref']) && !rootRefs.has(c.purl)) {
        const i = identity(c);
        if (i) out.push(i);
      }
      visit(c.components);
    }
  };
  visit(bom.components);
  return out;
}

/**
 * vouch's components, and the projects it lists with a version of their own as sub-components of
 * the subject (workspace members): cdxgen lists those among its components. The subject itself
 * (one project) is left out on both sides.
 */
function vouchComponents(bom) {
  const out = components(bom);
  for (const c of bom.metadata?.component?.components ?? []) {
    const i = c.purl && c.version ? identity(c) : undefined;
    if (i) out.push(i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// (a) recall

const vouch = path.join(root, 'bin', 'vouch');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vouch-cdxgen-'));
const home = mkdtempSync(path.join(os.tmpdir(), 'vouch-cdxgen-home-'));
const vouchEnv = { VOUCH_HOME: home };
const results = [];

// formats the real-world files lack get a generated file (bun.lock from the largest package-lock.json)
if (!inputs.some((i) => formatOf(i) === 'bun')) {
  const from = inputs.filter((i) => formatOf(i) === 'package-lock').sort((a, b) => statSync(b.file).size - statSync(a.file).size)[0];
  if (from) {
    const file = generateBunLock(from, path.join(tmp, 'generated', 'bun'));
    inputs.push({ file, rel: `generated bun.lock (from ${from.rel})`, repo: 'generated', generated: true, ...FORMATS[0] });
  }
}

function runCdxgen(input, staged, out, debug = false, unset = []) {
  return run(process.execPath, cdxgenArgs(input.type, out), { cwd: staged.cwd, env: debug ? { ...cdxgenEnv, CDXGEN_DEBUG_MODE: 'debug' } : cdxgenEnv, unset });
}
const runVouch = (staged, unset = []) => run(process.execPath, [vouch, 'sbom', staged.copy, '--format', 'cyclonedx-json'], { env: vouchEnv, unset });

// NODE_EXTRA_CA_CERTS makes every Node process read and parse that CA bundle before it runs any
// code (~90 ms here, where the machine sets it): a fixed cost of the environment, the same for
// both tools, which never open a connection in this benchmark. The speed runs are made twice when
// it is set — as the environment has it, and without it — and both are reported.
const speedEnvs = process.env.NODE_EXTRA_CA_CERTS
  ? [
      { label: 'NODE_EXTRA_CA_CERTS unset', unset: ['NODE_EXTRA_CA_CERTS'] },
      { label: "NODE_EXTRA_CA_CERTS set (as on this machine)", unset: [] },
    ]
  : [{ label: 'as this machine has it', unset: [] }];

try {
  for (const input of inputs) {
    const staged = stage(input, tmp);
    const out = path.join(tmp, `${path.basename(staged.cwd)}.cdx.json`);
    process.stderr.write(`bench: ${input.rel} (cdxgen -t ${input.type}) ... `);
    const res = { input, staged };
    try {
      // Debug mode makes cdxgen say which commands it wanted to run (all refused here).
      const r = runCdxgen(input, staged, out, true);
      const log = `${r.stdout}\n${r.stderr}`;
      res.refused = [...new Set([...log.matchAll(/cdxgen lacks execute permission for (\S+)/g)].map((m) => m[1]))];
      res.cdxgenMs = r.ms;
      res.cdxgen = existsSync(out) ? components(JSON.parse(readFileSync(out, 'utf8'))) : [];
    } catch (e) {
      res.cdxgenError = String(e.message).split('\n')[0];
      res.cdxgen = [];
    }
    try {
      const v = runVouch(staged);
      res.vouchMs = v.ms;
      const bom = JSON.parse(v.stdout);
      res.vouch = vouchComponents(bom);
      res.vouchRoots = rootNames(bom);
    } catch (e) {
      res.vouchError = String(e.message).split('\n')[0];
      res.vouch = [];
      res.vouchRoots = new Set();
    }
    // Components without a version (names from a manifest, git dependencies, local replaces) cannot be
    // compared by version: counted apart on both sides, and compared by name. Go's zero pseudo-version
    // (v0.0.0-00010101000000-000000000000) is its placeholder for no version: the require of a module
    // that a `replace … => ./dir` takes from a local folder.
    const versionless = (c) => !c.version || (c.type === 'golang' && /^v0\.0\.0-00010101000000-000000000000$/.test(c.version));
    const nameKey = (c) => `${c.type}/${c.name}`;
    const cdx = new Map(res.cdxgen.filter((c) => !versionless(c)).map((c) => [keyOf(c), c]));
    const vou = new Map(res.vouch.filter((c) => !versionless(c)).map((c) => [keyOf(c), c]));
    const cdxNames = new Set(res.cdxgen.filter(versionless).map(nameKey));
    const vouNames = new Set(res.vouch.filter(versionless).map(nameKey));
    const vouAllNames = new Set(res.vouch.map(nameKey));
    res.unversioned = cdxNames.size;
    res.vouchUnversioned = vouNames.size;
    res.unversionedBoth = [...cdxNames].filter((n) => vouAllNames.has(n)).length;
    res.cdxCount = cdx.size;
    res.vouchCount = vou.size;
    res.found = [...cdx.keys()].filter((k) => vou.has(k)).length;
    res.extra = [...vou.keys()].filter((k) => !cdx.has(k)).length;
    const byName = new Map();
    for (const c of res.vouch) {
      for (const k of [`${c.type}\u0000${c.name}`, `ci\u0000${c.type}\u0000${c.name.toLowerCase()}`]) byName.set(k, [...(byName.get(k) ?? []), c.version]);
    }
    // Each miss with what vouch has instead; `root` marks a project vouch describes as a root (metadata.component), not as a component.
    res.missed = [...cdx.entries()]
      .filter(([k]) => !vou.has(k))
      .map(([, c]) => {
        const same = byName.get(`${c.type}\u0000${c.name}`);
        const ci = byName.get(`ci\u0000${c.type}\u0000${c.name.toLowerCase()}`);
        const bare = c.name.split('/').pop().toLowerCase();
        let why;
        let root = false;
        if (same) why = `vouch has version ${[...new Set(same)].sort().join(', ')}`;
        else if (ci) why = `vouch has it under another case (${[...new Set(ci)].join(', ')})`;
        else if (res.vouchRoots.has(c.name.toLowerCase()) || res.vouchRoots.has(bare)) {
          why = 'a project root in vouch (metadata.component, written without a version), not a component';
          root = true;
        } else if (c.type === 'golang' && !c.name.split('/')[0].includes('.')) why = 'not a module path (cdxgen reads a go.mod directive as a module)';
        else why = 'not in vouch';
        const scope = c.scope && c.scope !== 'required' ? ` [cdxgen scope ${c.scope}]` : '';
        return { root, text: `\`${c.purl}\`${scope} — ${why}` };
      });
    res.roots = res.missed.filter((m) => m.root).length;
    res.recall = res.cdxCount ? res.found / res.cdxCount : undefined;
    results.push(res);
    process.stderr.write(res.cdxgenError ? `cdxgen failed: ${res.cdxgenError}\n` : `cdxgen ${res.cdxCount}, vouch ${res.vouchCount}, found ${res.found}\n`);
  }

  // -------------------------------------------------------------------------------------------
  // (b) speed: the largest file of every format.

  // Largest = most packages (cdxgen's count, else vouch's), file size breaking ties.
  const count = (r) => r.cdxCount || r.vouchCount || 0;
  const largest = (format) =>
    results.filter((r) => formatOf(r.input) === format && !r.vouchError).sort((a, b) => count(b) - count(a) || statSync(b.input.file).size - statSync(a.input.file).size)[0];
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const speed = [];
  const loadAtStart = os.loadavg()[0];
  for (const format of SPEED_FORMATS) {
    const r = largest(format);
    if (!r) {
      speed.push({ format, missing: true });
      continue;
    }
    const out = path.join(tmp, 'speed.cdx.json');
    // the two environments interleaved too: each round times cdxgen and vouch in both
    const times = speedEnvs.map(() => ({ c: [], v: [], cc: [], vc: [] }));
    speedEnvs.forEach((senv) => {
      runCdxgen(r.input, r.staged, out, false, senv.unset); // warm the page cache and the module cache for both
      runVouch(r.staged, senv.unset);
    });
    for (let i = 0; i < runs; i++) {
      speedEnvs.forEach((senv, e) => {
        const c = runCdxgen(r.input, r.staged, out, false, senv.unset);
        const v = runVouch(r.staged, senv.unset);
        times[e].c.push(c.ms);
        times[e].v.push(v.ms);
        times[e].cc.push(c.cpuMs);
        times[e].vc.push(v.cpuMs);
      });
    }
    speedEnvs.forEach((senv, e) => {
      const c = median(times[e].c);
      const v = median(times[e].v);
      const cc = median(times[e].cc);
      const vc = median(times[e].vc);
      speed.push({ format, r, env: senv.label, cdxgen: c, vouch: v, cdxgenCpu: cc, vouchCpu: vc });
      process.stderr.write(`bench: speed ${format} ${r.input.rel} (${senv.label}): cdxgen ${c.toFixed(0)} ms, vouch ${v.toFixed(0)} ms; CPU ${cc.toFixed(0)} / ${vc.toFixed(0)} ms\n`);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Report

  const pct = (x) => (x === undefined ? 'n/a' : `${(100 * x).toFixed(x === 1 ? 0 : 1)}%`);
  const lines = [];
  const out = (s = '') => lines.push(s);
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  out(heading);
  out();
  out(`Produced by \`npm run bench:cdxgen\` (bench/cdxgen.mjs). Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}. Date: ${new Date().toISOString()}. cdxgen ${cdxgenVersion} (installed in bench/.work/cdxgen only), run lockfile-only and offline: \`cdxgen -t TYPE --no-install-deps --no-recurse --no-babel --no-validate --spec-version 1.6\` with \`FETCH_LICENSE=false\`, every external command refused (\`CDXGEN_ALLOWED_COMMANDS\`) and no network hosts allowed. vouch: \`vouch sbom FILE --format cyclonedx-json\`. Both read the same copy of the file (with its sibling manifests) in a temp folder.`);
  out();
  out('Components are compared by (purl type, name with namespace, version): npm, NuGet, Composer and crates.io names lower-cased, PyPI names by PEP 503, purl qualifiers and subpaths dropped, cdxgen\'s root project (`metadata.component`) left out. **recall** = |vouch ∩ cdxgen| / |cdxgen| over the components with a version. Components without one (names read from a manifest, git dependencies, unpinned requirements; Go\'s zero pseudo-version `v0.0.0-00010101000000-000000000000`, its placeholder for a module a `replace … => ./dir` takes from a local folder, counts as none) cannot be compared by version: both tools list them (vouch as components without a version), and they are counted apart and compared by name.');
  out();
  out('### Speed');
  out();
  out(`One file of every lockfile format: the largest in ../shared/realworld (most packages, then bytes), or a generated one where it has none (marked *generated*). Whole process (node start included for both), median of ${runs} interleaved runs after one warm-up, same staged file, load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs when the report was written (${loadAtStart.toFixed(1)} when the speed runs began). Goal: vouch ≥ 10× faster (wall time) with no lower recall, in every environment. The CPU time (user + system of the process and its children, from bash's \`times\`) of the same runs is given beside it: on a shared machine the wall time follows the load, the CPU time far less.`);
  if (speedEnvs.length > 1) {
    out();
    out('This machine sets `NODE_EXTRA_CA_CERTS`, which makes every Node process read and parse that CA bundle before it runs any code (about 90 ms here, the same for both tools; neither opens a connection in this benchmark). Each input is therefore timed twice: with the variable unset, as on a machine without it, and with it set, as here.');
  }
  out();
  out('| format | input | environment | components (cdxgen / vouch) | recall | cdxgen | vouch sbom | speed-up | CPU time cdxgen / vouch | CPU ratio |');
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const s of speed) {
    if (s.missing) {
      out(`| ${s.format} | — | — | — | — | — | — | no input (none in ../shared/realworld, none generated) | — | — |`);
      continue;
    }
    const ratio = s.cdxgen / s.vouch;
    const name = s.r.input.generated ? `*generated*: ${s.r.input.rel}` : `\`${s.r.input.rel}\``;
    const recall = s.r.cdxCount ? pct(s.r.recall) : 'n/a (cdxgen found none)';
    out(`| ${s.format} | ${name} (${(statSync(s.r.input.file).size / 1024).toFixed(0)} KiB) | ${s.env} | ${s.r.cdxCount} / ${s.r.vouchCount} | ${recall} | ${s.cdxgen.toFixed(0)} ms | ${s.vouch.toFixed(0)} ms | **${ratio.toFixed(1)}×** ${ratio >= 10 ? '(goal met)' : '(goal ≥ 10× not met)'} | ${s.cdxgenCpu.toFixed(0)} / ${s.vouchCpu.toFixed(0)} ms | ${(s.cdxgenCpu / s.vouchCpu).toFixed(1)}× |`);
  }
  out();
  out('### Recall per file');
  out();
  out('| file | cdxgen -t | cdxgen | vouch | both | recall | + vouch roots | vouch only | without a version: cdxgen / vouch / cdxgen\'s in vouch | commands cdxgen asked for (refused) |');
  out('|---|---|---|---|---|---|---|---|---|---|');
  let totC = 0;
  let totF = 0;
  let totR = 0;
  for (const r of results) {
    totC += r.cdxCount;
    totF += r.found;
    totR += r.roots;
    const note = r.cdxgenError ? ` cdxgen failed: ${r.cdxgenError}` : r.vouchError ? ` vouch failed: ${r.vouchError}` : '';
    out(`| \`${r.input.rel}\` | ${r.input.type} | ${r.cdxCount} | ${r.vouchCount} | ${r.found} | ${r.cdxCount ? pct(r.recall) : 'n/a (cdxgen found none)'}${note} | ${r.roots ? pct((r.found + r.roots) / r.cdxCount) : ''} | ${r.extra} | ${r.unversioned || r.vouchUnversioned ? `${r.unversioned} / ${r.vouchUnversioned} / ${r.unversionedBoth}` : ''} | ${(r.refused ?? []).join(', ')} |`);
  }
  out(`| **all files** | | ${totC} | | ${totF} | **${pct(totC ? totF / totC : undefined)}** | ${pct(totC ? (totF + totR) / totC : undefined)} | | | |`);
  out();
  out('"commands": `ldd` and `pnpm` are probes cdxgen makes on every run (`pnpm root -g`, the C library); the others are the package manager it would have run to resolve the project, refused here, so it reads the files itself. cdxgen has no gradle.lockfile reader of its own: without `gradle` it finds nothing there. cdxgen reads versions that a Maven parent or BOM manages only through `mvn`, so those POM dependencies are unversioned here.');
  out();
  out('"+ vouch roots": recall when a miss that vouch writes as a project root (a workspace member, the lockfile\'s own project; `metadata.component`, matched by name) counts as found. "vouch only": versioned components vouch found and cdxgen did not.');
  const below = results.filter((r) => r.cdxCount && r.found < r.cdxCount);
  out();
  out(`### Packages cdxgen found that vouch did not (up to ${MAX_MISSES} per file)`);
  out();
  if (!below.length) out('None: vouch found every versioned package cdxgen found.');
  for (const r of below) {
    out(`- \`${r.input.rel}\` — ${r.cdxCount - r.found} missed:`);
    for (const m of r.missed.slice(0, MAX_MISSES)) out(`  - ${m.text}`);
    if (r.missed.length > MAX_MISSES) out(`  - … and ${r.missed.length - MAX_MISSES} more`);
  }
  out();
  const section = lines.join('\n');
  console.log(section);

  if (process.env.BENCH_NO_WRITE !== '1') {
    replaceSection(heading, section);
    console.error(`bench: wrote the section to ${path.relative(root, RESULTS_FILE)}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
