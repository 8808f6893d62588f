/**
 * Lockfile conformance through the real CLI (issue 3, "Done when"): every case of every
 * `expected.json` under ../shared/conformance/lockfiles whose format vouch reads is run as
 * `vouch sbom --parse-as NAME FIXTURE --format cyclonedx-json` (bin/vouch → dist/, one process per
 * case: the CLI merges several paths into one graph, so cases cannot share a process; a few run at
 * once). The SBOM's components are read back from the JSON (purl → name, version and ecosystem
 * through the ecosystem registry) and compared with the case's packages:
 *
 * - `exact-set`: the same set of (ecosystem, name as the ecosystem compares names, version);
 *   `mustInclude` + `expectedCount`: those packages, and that many in all.
 * - Ecosystems are compared by base name (`Debian`, `Alpine`), and by release too when both sides
 *   name one: the purl's `distro` qualifier gives vouch's (`debian-12` → `Debian:12`).
 * - A case that expects an error (a missing fixture included) must exit 2 with one line on stderr.
 *
 * Where vouch deliberately differs from upstream, DIFFERENCES below names the case and the reason,
 * citing the extractor test that already documents it; those cases count as explained, not as
 * passed, and an entry whose case now passes fails the suite (the table must stay true). The suite
 * asserts: no unexplained failure, and passed / total ≥ 95%. It prints a summary per format;
 * docs/conformance.md is that table, copied by hand.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ecosystemByOsvName, ecosystemByPurlType, nameFromPurl } from '../../src/ecosystems/index.js';
import { baseEcosystem } from '../../src/model/advisory.js';
import { parsePurl } from '../../src/model/purl.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { type Run, VOUCH } from './helpers.js';

/** Conformance folder (under lockfiles/) → the `--parse-as` NAME of its format. */
const FORMATS: Record<string, string> = {
  'osv-scanner-v1/npm': 'package-lock.json',
  'osv-scalibr/javascript-packagelockjson': 'package-lock.json',
  'osv-scanner-v1/yarn': 'yarn.lock',
  'osv-scalibr/javascript-yarnlock': 'yarn.lock',
  'osv-scanner-v1/pnpm': 'pnpm-lock.yaml',
  'osv-scalibr/javascript-pnpmlock': 'pnpm-lock.yaml',
  'osv-scalibr/javascript-bunlock': 'bun.lock',
  'osv-scanner-v1/pip': 'requirements.txt',
  'osv-scalibr/python-requirements': 'requirements.txt',
  'osv-scanner-v1/pipenv': 'Pipfile.lock',
  'osv-scalibr/python-pipfilelock': 'Pipfile.lock',
  'osv-scanner-v1/poetry': 'poetry.lock',
  'osv-scalibr/python-poetrylock': 'poetry.lock',
  'osv-scalibr/python-uvlock': 'uv.lock',
  'osv-scanner-v1/pdm': 'pdm.lock',
  'osv-scalibr/python-pdmlock': 'pdm.lock',
  'osv-scalibr/python-pylock': 'pylock.toml',
  'osv-scanner-v1/maven': 'pom.xml',
  'osv-scalibr/java-pomxml': 'pom.xml',
  'osv-scanner-v1/gradle': 'gradle.lockfile',
  'osv-scalibr/java-gradlelockfile': 'gradle.lockfile',
  'osv-scanner-v1/gradle-verification-metadata': 'verification-metadata.xml',
  'osv-scalibr/java-gradleverificationmetadataxml': 'verification-metadata.xml',
  'osv-scanner-v1/go': 'go.mod',
  'osv-scalibr/golang-gomod': 'go.mod',
  'osv-scanner-v1/cargo': 'Cargo.lock',
  'osv-scalibr/rust-cargolock': 'Cargo.lock',
  'osv-scanner-v1/bundler': 'Gemfile.lock',
  'osv-scalibr/ruby-gemfilelock': 'Gemfile.lock',
  'osv-scanner-v1/composer': 'composer.lock',
  'osv-scalibr/php-composerlock': 'composer.lock',
  'osv-scanner-v1/nuget': 'packages.lock.json',
  'osv-scalibr/dotnet-packageslockjson': 'packages.lock.json',
  'osv-scalibr/dotnet-csproj': 'project.csproj',
  'osv-scalibr/dotnet-nugetcpm': 'Directory.Packages.props',
  'osv-scanner-v1/pub': 'pubspec.lock',
  'osv-scalibr/dart-pubspec': 'pubspec.lock',
  'osv-scanner-v1/mix': 'mix.lock',
  'osv-scalibr/elixir-mixlock': 'mix.lock',
  'osv-scalibr/erlang-mixlock': 'mix.lock',
  'osv-scanner-v1/apk': 'apk-installed',
  'osv-scanner-v1/dpkg': 'dpkg-status',
};

/**
 * Deliberate differences from upstream, by `folder/fixture`: the reason, with the extractor test
 * that documents it. Such a case counts as explained, not passed.
 */
const DIFFERENCES: Record<string, string> = {};

// ---------------------------------------------------------------------------------------------

interface ExpectedPackage {
  name: string;
  version?: string;
  ecosystem: string;
}

interface Case {
  test?: string;
  name?: string;
  fixture: string;
  fixtureExists: boolean;
  expectError: unknown;
  match?: string;
  expectedPackages?: ExpectedPackage[];
  mustInclude?: ExpectedPackage[];
  expectedCount?: number;
}

interface Loaded {
  folder: string;
  format: string;
  file: string;
  label: string;
  c: Case;
}

function loadCases(): Loaded[] {
  if (!HAS_SHARED) return [];
  return Object.entries(FORMATS).flatMap(([folder, format]) => {
    const dir = shared('conformance', 'lockfiles', folder);
    const doc = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { cases: Case[] };
    return doc.cases.map((c, i) => ({
      folder,
      format,
      file: path.join(dir, c.fixture),
      label: `${folder}/${c.fixture} #${i} (${c.test ?? c.name ?? 'case'})`,
      c,
    }));
  });
}

function runAsync(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [VOUCH, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function inPool<T, R>(items: readonly T[], size: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}

/** The comparison key: base ecosystem, name as that ecosystem compares names, version. */
function keyOf(ecosystem: string, name: string, version: string): string {
  const base = baseEcosystem(ecosystem === 'cargo' ? 'crates.io' : ecosystem);
  const eco = ecosystemByOsvName(base);
  return `${base} ${eco ? eco.normalizeName(name) : name}@${version}`;
}

/** OSV release from a purl `distro` qualifier: debian-12 → 12, alpine-3.20.3 → v3.20. */
function releaseOf(type: string, distro: string | undefined): string | undefined {
  if (!distro) return undefined;
  const v = distro.replace(/^[a-z]+-/i, '');
  if (type === 'apk') return `v${v.split('.').slice(0, 2).join('.')}`;
  if (type === 'deb') return v.split('.')[0];
  return v;
}

interface Actual {
  keys: Set<string>;
  /** key → release, where the purl names one */
  releases: Map<string, string>;
}

/** The SBOM's components as (ecosystem, name, version) keys. */
function sbomPackages(json: string): Actual {
  const doc = JSON.parse(json) as { components?: unknown[] };
  const keys = new Set<string>();
  const releases = new Map<string, string>();
  const visit = (list: unknown[] | undefined): void => {
    for (const raw of list ?? []) {
      const comp = raw as { purl?: string; components?: unknown[] };
      if (comp.purl) {
        const parts = parsePurl(comp.purl);
        const eco = ecosystemByPurlType(parts.type);
        const ecosystem = eco ? eco.osvName : `purl:${parts.type}`;
        const k = keyOf(ecosystem, eco ? nameFromPurl(eco, parts) : parts.name, parts.version ?? '');
        keys.add(k);
        const rel = releaseOf(parts.type, parts.qualifiers?.['distro']);
        if (rel) releases.set(k, rel);
      }
      visit(comp.components);
    }
  };
  visit(doc.components);
  return { keys, releases };
}

/** Why a case failed, or undefined when it passed. */
function judge(l: Loaded, r: Run): string | undefined {
  const { c } = l;
  if (c.expectError || !c.fixtureExists) {
    if (r.code !== 2) return `expected an error (exit 2), got exit ${r.code} with ${r.stdout ? sbomPackages(r.stdout).keys.size : 0} package(s)`;
    const lines = r.stderr.trimEnd().split('\n');
    if (lines.length !== 1 || !lines[0]) return `expected one line on stderr, got ${JSON.stringify(r.stderr)}`;
    return undefined;
  }
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim()}`;
  const got = sbomPackages(r.stdout);
  const listed = c.expectedPackages ?? c.mustInclude ?? [];
  const want = new Map<string, string | undefined>();
  for (const p of listed) {
    const [, release] = /:(.+)$/.exec(p.ecosystem) ?? [];
    want.set(keyOf(p.ecosystem, p.name, p.version ?? ''), release);
  }
  const missing = [...want.keys()].filter((k) => !got.keys.has(k));
  const problems: string[] = [];
  if (missing.length) problems.push(`missing ${missing.sort().join(', ')}`);
  if (c.match === 'exact-set') {
    const extra = [...got.keys].filter((k) => !want.has(k));
    if (extra.length) problems.push(`extra ${extra.sort().join(', ')}`);
  } else if (c.expectedCount !== undefined && got.keys.size !== c.expectedCount) {
    problems.push(`${got.keys.size} package(s), expected ${c.expectedCount}`);
  }
  for (const [k, release] of want) {
    const mine = got.releases.get(k);
    if (release && mine && release !== mine) problems.push(`${k}: release ${mine}, expected ${release}`);
  }
  return problems.length ? problems.join('; ') : undefined;
}

type Outcome = { status: 'passed' } | { status: 'explained'; why: string; reason: string } | { status: 'failed'; why: string };

const CASES = loadCases();

describe.skipIf(!HAS_SHARED)('lockfile conformance through `vouch sbom --parse-as` (../shared/conformance/lockfiles)', () => {
  const outcomes = new Map<Loaded, Outcome>();

  beforeAll(async () => {
    const runs = await inPool(CASES, Math.max(2, Math.min(4, availableParallelism() + 1)), (l) =>
      runAsync(['sbom', '--parse-as', l.format, l.file, '--format', 'cyclonedx-json']),
    );
    CASES.forEach((l, i) => {
      const why = judge(l, runs[i]!);
      const reason = DIFFERENCES[`${l.folder}/${l.c.fixture}`];
      outcomes.set(l, why === undefined ? { status: 'passed' } : reason ? { status: 'explained', why, reason } : { status: 'failed', why });
    });
  }, 600_000);

  it('reads every listed folder', () => {
    expect(new Set(CASES.map((l) => l.folder)).size).toBe(Object.keys(FORMATS).length);
    expect(CASES.length).toBeGreaterThan(400);
  });

  it.each(CASES.map((l) => [l.label, l] as const))('%s', (_label, l) => {
    const o = outcomes.get(l)!;
    if (o.status === 'failed') expect.fail(o.why);
  });

  it('every difference in the table is still a difference', () => {
    for (const key of Object.keys(DIFFERENCES)) {
      const covered = CASES.filter((l) => `${l.folder}/${l.c.fixture}` === key);
      expect(covered.length, `${key}: no such case`).toBeGreaterThan(0);
      expect(
        covered.some((l) => outcomes.get(l)!.status === 'explained'),
        `${key} passes now: remove it from DIFFERENCES`,
      ).toBe(true);
    }
  });

  it('passes at least 95% of the cases, every other one explained; prints the table', () => {
    const rows = new Map<string, { folders: Set<string>; total: number; passed: number; explained: number; failed: number }>();
    for (const l of CASES) {
      let row = rows.get(l.format);
      if (!row) rows.set(l.format, (row = { folders: new Set(), total: 0, passed: 0, explained: 0, failed: 0 }));
      row.folders.add(l.folder);
      row.total++;
      row[outcomes.get(l)!.status]++;
    }
    const all = [...rows.values()];
    const sum = (f: (r: (typeof all)[number]) => number): number => all.reduce((a, r) => a + f(r), 0);
    const total = sum((r) => r.total);
    const passed = sum((r) => r.passed);
    const lines = [
      '| format (`--parse-as`) | conformance folders | cases | passed | explained | failed |',
      '|---|---|---:|---:|---:|---:|',
      ...[...rows].map(
        ([format, r]) => `| \`${format}\` | ${[...r.folders].join(', ')} | ${r.total} | ${r.passed} | ${r.explained} | ${r.failed} |`,
      ),
      `| **all** | | **${total}** | **${passed}** (${((100 * passed) / total).toFixed(1)}%) | **${sum((r) => r.explained)}** | **${sum((r) => r.failed)}** |`,
    ];
    console.log(`\n${lines.join('\n')}\n`);
    for (const l of CASES) {
      const o = outcomes.get(l)!;
      if (o.status !== 'passed') console.log(`${o.status}: ${l.label}: ${o.why}${o.status === 'explained' ? ` [${o.reason}]` : ''}`);
    }
    expect(sum((r) => r.failed)).toBe(0);
    expect(passed / total).toBeGreaterThanOrEqual(0.95);
  });
});
