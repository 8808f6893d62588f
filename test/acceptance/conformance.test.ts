/**
 * Lockfile conformance (issue 3, "Done when"): every case of every `expected.json` under
 * ../shared/conformance/lockfiles whose format vouch reads, as
 * `vouch sbom --parse-as NAME FIXTURE --format cyclonedx-json`.
 *
 * How it runs: one process per case would be needed (the CLI merges several paths into one graph),
 * and ~500 node start-ups take minutes on a 2-core machine. So EVERY case runs in-process through
 * the code path of `vouch sbom` (src/cli/sbom.ts runSbom: collectInventory with `parseAs`, then
 * writeCycloneDxJson with the CLI's subject name; a VouchError is what main.ts turns into exit 2
 * and one `vouch: …` line on stderr), and a REPRESENTATIVE SAMPLE runs through the real CLI
 * (bin/vouch → dist/, `--deterministic`): per format, the success case with the most packages
 * and the first error case. For the sample, the CLI's stdout must be byte-identical to the
 * in-process document (or its exit code and stderr line identical to the in-process error), which
 * ties the in-process results to the CLI.
 *
 * The SBOM's components are read back from the JSON (purl → name, version and ecosystem through
 * the ecosystem registry) and compared with the case's packages:
 * - `exact-set`: the same set of (ecosystem, name as the ecosystem compares names, version);
 *   `mustInclude` + `expectedCount`: those packages, and that many in all.
 * - Go versions without their `v`, as upstream writes them (src/ecosystems/go/go-mod.test.ts).
 * - npm names as written: the purl keeps their case, as the purl specification's npm type
 *   definition says (`uWebSockets.js` → `pkg:npm/uWebSockets.js`).
 * - Ecosystems by base name (`Debian`, `Alpine`), and by release too when both sides name one:
 *   the purl's `distro` qualifier gives vouch's (`debian-12` → `Debian:12`).
 * - A case that expects an error (a missing fixture included) must exit 2 with one line on stderr.
 *
 * Where vouch deliberately differs from upstream, DIFFERENCES names the case, the exact difference
 * and the reason, citing the extractor test that already documents it. Such a case counts as
 * explained, not passed; a case whose difference is not exactly the listed one is a failure, and
 * so is an entry whose case now passes (the table must stay true). The suite asserts no
 * unexplained failure, and that the share passed does not fall below its measured level (92.6% on
 * 2026-11-28, with packages named without a version listed as versionless components: issue 3
 * asks for 95%, which the deliberate differences — chiefly unpinned requirements listed without
 * a version where upstream invents 0.0.0 or a bound, and versionless packages upstream drops —
 * keep out of reach without inventing versions). It prints a summary per format (docs/conformance.md is that table,
 * copied by hand).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { subjectName } from '../../src/engine/sbom.js';
import { ecosystemByOsvName, ecosystemByPurlType, nameFromPurl } from '../../src/ecosystems/index.js';
import { collectInventory } from '../../src/inventory/collect.js';
import { baseEcosystem } from '../../src/model/advisory.js';
import { VouchError } from '../../src/model/errors.js';
import { parsePurl } from '../../src/model/purl.js';
import { writeCycloneDxJson } from '../../src/sbom/cyclonedx-write.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { type Run, inPool, vouchAsync } from './helpers.js';

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

/** A deliberate difference from upstream: exactly what differs, and why (with the test that says so). */
interface Difference {
  diff: string;
  reason: string;
}

// The reasons, each already documented by the extractor's own conformance test (cited).
const YARN_WORKSPACES =
  'berry workspaces (`@workspace:`, version 0.0.0-use.local) are roots of the graph, not components (src/ecosystems/npm/yarn-lock.test.ts)';
const PIP_UNPINNED =
  'unpinned requirements (no `==`/`===`) are listed without a version (never invented); upstream reports 0.0.0, the bound after >=/~=/<=, or leaves direct URL requirements out (src/ecosystems/pypi/requirements.test.ts, upstreamView; src/sbom/versionless.test.ts)';
const PIP_ENV_VAR =
  '`qwert==${MY_VARIABLE_1}` pins nothing vouch can read: listed without a version; upstream drops the line (src/ecosystems/pypi/requirements.test.ts)';
const PIP_MISSING_INCLUDE =
  'a missing `-r` include is a warning (the rest is read), not an error as upstream has it (src/ecosystems/pypi/requirements.test.ts)';
const PIP_CONTINUATION =
  'pip strips every trailing backslash of a continued line, so `bar == 4.5\\\\` + `.6` reads 4.5.6; osv-scanner v1 reports `4.5\\\\` (src/ecosystems/pypi/requirements.test.ts, DEVIATIONS)';
const PIP_INVALID_SPEC =
  '`foo7==1.0 unexpected_text…` and a bare `==` are no valid specifiers (pip rejects them): listed without a version, where osv-scalibr keeps the text as foo7\'s version and drops the others (src/ecosystems/pypi/requirements.test.ts, DEVIATIONS)';
const PIPENV_GIT =
  'git sources record no version: listed without a version; upstream drops them (src/ecosystems/pypi/pipfile-lock.test.ts)';
const MAVEN_MANAGEMENT =
  'dependencyManagement entries are not dependencies; osv-scanner v1 lists them, osv-scalibr agrees with vouch (src/ecosystems/maven/conformance.test.ts, DIVERGENCES)';
const MAVEN_MANAGEMENT_RANGE =
  'the ranged package is only in dependencyManagement, which adds no dependency (src/ecosystems/maven/conformance.test.ts, DIVERGENCES)';
const MAVEN_RANGE =
  'a version range: Maven picks the version from what the repository holds, so vouch does not guess it and lists the package without a version (src/ecosystems/maven/conformance.test.ts, DIVERGENCES)';
const GRADLE_HALF_NAMED =
  'components without group, name or version cannot be matched: unresolved instead of half-named packages (src/ecosystems/maven/conformance.test.ts, DIVERGENCES)';
const GO_LOCAL_REPLACE =
  'a module replaced by a local folder (`golang.org/x/net => ./fork/net`) is listed under its own module path without a version; upstream names it by the folder (src/ecosystems/go/go-mod.test.ts)';
const CARGO_LOCAL =
  "the workspace's own crates (no `source`) are roots of the graph, not components (src/ecosystems/cargo/cargo-lock.test.ts)";
const PUB_EMPTY =
  'an empty pubspec.lock is refused as osv-scalibr (the current upstream) does; osv-scanner v1 read it as no packages (src/ecosystems/pub/pubspec-lock.test.ts)';
const PUB_SDK =
  'SDK packages carry the placeholder 0.0.0, not a version: listed without a version (src/ecosystems/pub/pubspec-lock.test.ts)';
const GEM_NO_VERSION =
  'a spec line without `(version)` is listed without a version; upstream drops it (src/ecosystems/rubygems/gemfile-lock.test.ts)';
const NUGET_NO_VERSION =
  'a PackageReference / PackageVersion without a version is listed without a version (never invented); upstream drops it (src/ecosystems/nuget/nuget.test.ts)';
const DPKG_MALFORMED =
  'a stanza without `Package` is skipped with a warning where v1 names it by its `Source` (src/ecosystems/debian/dpkg-status.test.ts, DEVIATIONS)';
const DPKG_SOURCE =
  'the SBOM names what is installed: the binary package at its own version (purl pkg:deb/debian/libc6@…); upstream reports the source package and version, which vouch keeps as advisoryName / advisoryVersion for matching, not in the SBOM (src/ecosystems/debian/dpkg-status.ts header; dpkg-status.test.ts compares advisoryName@advisoryVersion)';

const NPM_NAMED_FILE =
  'a file the user names is read: upstream extracts nothing from a package-lock.json with an npm-shrinkwrap.json beside it (npm reads the shrinkwrap); vouch keeps that precedence when it walks a folder and says so for a named file (src/inventory/collect.test.ts)';

/** Deliberate differences, by `folder/fixture`: such a case counts as explained, not passed. */
const DIFFERENCES: Record<string, Difference> = {
  'osv-scalibr/javascript-packagelockjson/both/package-lock.json': { diff: 'extra npm supports-color@5.5.0, npm wrappy@1.0.2', reason: NPM_NAMED_FILE },
  'osv-scanner-v1/yarn/with-prerelease.v2.lock': { diff: 'missing npm eslint-plugin-jest@0.0.0-use.local', reason: YARN_WORKSPACES },
  'osv-scanner-v1/yarn/with-build-string.v2.lock': { diff: 'missing npm zone.js@0.0.0-use.local', reason: YARN_WORKSPACES },
  'osv-scanner-v1/yarn/with-aliases.v2.lock': { diff: 'missing npm mine@0.0.0-use.local', reason: YARN_WORKSPACES },
  'osv-scalibr/javascript-yarnlock/exclude-root.v2.lock': { diff: 'missing npm @ws/ansi-regex@0.0.0-use.local', reason: YARN_WORKSPACES },
  'osv-scanner-v1/pip/one-package-unconstrained.txt': { diff: 'missing PyPI flask@0.0.0; extra PyPI flask@', reason: PIP_UNPINNED },
  'osv-scanner-v1/pip/multiple-packages-mixed.txt': { diff: 'missing PyPI flask-cors@0.0.0, PyPI flask@0.0.0, PyPI gevent@0.0.0, PyPI requests@0.0.0, PyPI sklearn@0.0.0; extra PyPI flask-cors@, PyPI flask@, PyPI gevent@, PyPI requests@, PyPI sklearn@', reason: PIP_UNPINNED },
  'osv-scanner-v1/pip/file-format-example.txt': { diff: 'missing PyPI beautifulsoup4@0.0.0, PyPI coverage@0.0.0, PyPI green@0.0.0, PyPI keyring@4.1.1, PyPI mopidy-dirble@1.1, PyPI pytest-cov@0.0.0, PyPI pytest@0.0.0, PyPI rejected@0.0.0; extra PyPI beautifulsoup4@, PyPI coverage@, PyPI green@, PyPI keyring@, PyPI mopidy-dirble@, PyPI pytest-cov@, PyPI pytest@, PyPI rejected@', reason: PIP_UNPINNED },
  'osv-scanner-v1/pip/with-multiple-r-options.txt': { diff: 'missing PyPI flask-cors@0.0.0, PyPI flask@0.0.0, PyPI gevent@0.0.0, PyPI requests@0.0.0, PyPI sklearn@0.0.0; extra PyPI flask-cors@, PyPI flask@, PyPI gevent@, PyPI requests@, PyPI sklearn@', reason: PIP_UNPINNED },
  'osv-scanner-v1/pip/with-bad-r-option.txt': { diff: 'expected an error (exit 2), got exit 0 with 1 package(s)', reason: PIP_MISSING_INCLUDE },
  'osv-scanner-v1/pip/with-per-requirement-options.txt': { diff: 'missing PyPI barproject@1.2; extra PyPI barproject@', reason: PIP_UNPINNED },
  'osv-scanner-v1/pip/line-continuation.txt': { diff: 'missing PyPI bar@4.5\\\\; extra PyPI bar@4.5.6', reason: PIP_CONTINUATION },
  'osv-scalibr/python-requirements/with_versions.txt': { diff: 'missing PyPI combination-also-valid@3.5, PyPI newspaper3k@0.2.2, PyPI pkg@1.2.3; extra PyPI combination-also-valid@, PyPI newspaper3k@, PyPI pkg@', reason: PIP_UNPINNED },
  'osv-scalibr/python-requirements/example.txt': { diff: 'missing PyPI keyring@4.1.1, PyPI mopidy-dirble@1.1; extra PyPI keyring@, PyPI mopidy-dirble@, PyPI urllib3@', reason: PIP_UNPINNED },
  'osv-scalibr/python-requirements/per_req_options.txt': { diff: 'missing PyPI foo7@1.0 unexpected_text_before_options_stays_around; extra PyPI foo10@, PyPI foo15@, PyPI foo7@', reason: PIP_INVALID_SPEC },
  'osv-scalibr/python-requirements/env_var.txt': { diff: 'extra PyPI qwert@', reason: PIP_ENV_VAR },
  'osv-scanner-v1/pipenv/no-version.json': { diff: 'extra PyPI itsdangerous@, PyPI markupsafe@', reason: PIPENV_GIT },
  'osv-scalibr/python-pipfilelock/no-version.json': { diff: 'extra PyPI itsdangerous@, PyPI markupsafe@', reason: PIPENV_GIT },
  'osv-scanner-v1/maven/with-dependency-management.xml': { diff: 'missing Maven com.google.code.findbugs:jsr305@3.0.2', reason: MAVEN_MANAGEMENT },
  'osv-scanner-v1/maven/interpolation.xml': { diff: 'missing Maven org.mine:ranged-package@9.4.35.v20201120', reason: MAVEN_MANAGEMENT_RANGE },
  'osv-scalibr/java-pomxml/interpolation.xml': { diff: 'missing Maven org.mine:ranged-package@9.4.35.v20201120; extra Maven org.mine:ranged-package@', reason: MAVEN_RANGE },
  'osv-scalibr/java-gradleverificationmetadataxml/missing-attribute.xml': { diff: 'missing Maven :pdfbox@2.0.17, Maven org.apache.pdfbox:@2.0.17', reason: GRADLE_HALF_NAMED },
  'osv-scanner-v1/go/replace-local.mod': { diff: 'missing Go ./fork/net@; extra Go golang.org/x/net@', reason: GO_LOCAL_REPLACE },
  'osv-scalibr/golang-gomod/replace-local.mod': { diff: 'missing Go ./fork/net@; extra Go golang.org/x/net@', reason: GO_LOCAL_REPLACE },
  'osv-scanner-v1/cargo/two-packages-with-local.lock': { diff: 'missing crates.io local-rust-pkg@0.1.0', reason: CARGO_LOCAL },
  'osv-scalibr/rust-cargolock/two-packages-with-local.lock': { diff: 'missing crates.io local-rust-pkg@0.1.0', reason: CARGO_LOCAL },
  'osv-scalibr/ruby-gemfilelock/invalid.lock': { diff: 'extra RubyGems invalid-name@', reason: GEM_NO_VERSION },
  'osv-scalibr/dotnet-csproj/emptyversion': { diff: 'extra NuGet litedb@', reason: NUGET_NO_VERSION },
  'osv-scalibr/dotnet-csproj/noversion': { diff: 'extra NuGet litedb@', reason: NUGET_NO_VERSION },
  'osv-scalibr/dotnet-nugetcpm/emptyversion': { diff: 'extra NuGet litedb@', reason: NUGET_NO_VERSION },
  'osv-scalibr/dotnet-nugetcpm/noversion': { diff: 'extra NuGet litedb@', reason: NUGET_NO_VERSION },
  'osv-scanner-v1/pub/empty.lock': { diff: 'exit 2: vouch: empty.lock: empty file: a pubspec.lock holds a `packages:` map', reason: PUB_EMPTY },
  'osv-scanner-v1/pub/source-sdk.lock': { diff: 'missing Pub flutter_web_plugins@0.0.0; extra Pub flutter_web_plugins@', reason: PUB_SDK },
  'osv-scalibr/dart-pubspec/source-sdk.lock': { diff: 'missing Pub flutter_web_plugins@0.0.0; extra Pub flutter_web_plugins@', reason: PUB_SDK },
  'osv-scanner-v1/dpkg/malformed_status': { diff: 'missing Debian util-linux@2.36.1-8+deb11u1', reason: DPKG_MALFORMED },
  'osv-scanner-v1/dpkg/shuffled_status': { diff: 'missing Debian glibc@2.31-13+deb11u5; extra Debian libc6@2.31-13+deb11u5', reason: DPKG_SOURCE },
  'osv-scanner-v1/dpkg/multiple_status': { diff: 'missing Debian glibc@2.31-13+deb11u5, Debian util-linux@2.36.1-8+deb11u1; extra Debian bsdutils@1:2.36.1-8+deb11u1, Debian libc6@2.31-13+deb11u5', reason: DPKG_SOURCE },
  'osv-scanner-v1/dpkg/source_ver_override_status': { diff: 'missing Debian lvm2@2.02.176-4.1ubuntu3; extra Debian dmeventd@2:1.02.145-4.1ubuntu3', reason: DPKG_SOURCE },
};

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

const expectsError = (c: Case): boolean => Boolean(c.expectError) || !c.fixtureExists;

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

/** What `vouch sbom --parse-as FORMAT FILE --format cyclonedx-json --deterministic` does, in-process. */
async function sbomInProcess(l: Loaded): Promise<Run> {
  try {
    const inventory = await collectInventory([l.file], { parseAs: l.format });
    const stdout = writeCycloneDxJson(inventory.graph, {
      subjectName: subjectName([l.file]),
      deterministic: true,
      sourceDateEpoch: process.env['SOURCE_DATE_EPOCH'],
      unresolved: inventory.unresolved,
    });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof VouchError) return { code: 2, stdout: '', stderr: `vouch: ${e.oneLine()}\n` };
    throw e;
  }
}

function sbomCli(l: Loaded): Promise<Run> {
  return vouchAsync(['sbom', '--parse-as', l.format, l.file, '--format', 'cyclonedx-json', '--deterministic']);
}


/** The comparison key: base ecosystem, name as that ecosystem compares names, version as upstream writes it. */
function keyOf(ecosystem: string, name: string, version: string): string {
  const base = baseEcosystem(ecosystem === 'cargo' ? 'crates.io' : ecosystem);
  const eco = ecosystemByOsvName(base);
  // go-mod.test.ts: upstream writes Go versions without their `v` (v1.0.0 → 1.0.0)
  const v = base === 'Go' ? version.replace(/^v/, '') : version;
  const n = eco ? eco.normalizeName(name) : name;
  return `${base} ${n}@${v}`;
}

/** OSV release from a purl `distro` qualifier: debian-12 → 12, alpine-3.20.3 → v3.20. */
function releaseOf(type: string, distro: string | undefined): string | undefined {
  if (!distro) return undefined;
  const v = distro.replace(/^[a-z]+-/i, '');
  if (type === 'apk') return `v${v.split('.').slice(0, 2).join('.')}`;
  if (type === 'deb') return v.split('.')[0];
  return v;
}

interface Packages {
  keys: Set<string>;
  /** key → OSV release, where the purl names one */
  releases: Map<string, string>;
}

/** The SBOM's components (nested ones too) as comparison keys. */
function sbomPackages(json: string): Packages {
  const doc = JSON.parse(json) as { components?: unknown[] };
  const keys = new Set<string>();
  const releases = new Map<string, string>();
  const visit = (list: unknown[] | undefined): void => {
    for (const raw of list ?? []) {
      const comp = raw as { purl?: string; components?: unknown[] };
      if (comp.purl) {
        const parts = parsePurl(comp.purl);
        const eco = ecosystemByPurlType(parts.type);
        const k = keyOf(eco ? eco.osvName : `purl:${parts.type}`, eco ? nameFromPurl(eco, parts) : parts.name, parts.version ?? '');
        keys.add(k);
        const release = releaseOf(parts.type, parts.qualifiers?.['distro']);
        if (release) releases.set(k, release);
      }
      visit(comp.components);
    }
  };
  visit(doc.components);
  return { keys, releases };
}

/** How a run differs from the case, or undefined when it matches. */
function judge(c: Case, file: string, r: Run): string | undefined {
  if (expectsError(c)) {
    if (r.code !== 2) return `expected an error (exit 2), got exit ${r.code} with ${r.code === 0 ? sbomPackages(r.stdout).keys.size : 0} package(s)`;
    const lines = r.stderr.trimEnd().split('\n');
    return lines.length === 1 && lines[0] ? undefined : `expected one line on stderr, got ${JSON.stringify(r.stderr)}`;
  }
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim().split(file).join(c.fixture)}`;
  const got = sbomPackages(r.stdout);
  const want = new Map<string, string | undefined>();
  for (const p of c.expectedPackages ?? c.mustInclude ?? []) {
    want.set(keyOf(p.ecosystem, p.name, p.version ?? ''), /:(.+)$/.exec(p.ecosystem)?.[1]);
  }
  const problems: string[] = [];
  const missing = [...want.keys()].filter((k) => !got.keys.has(k));
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

type Status = 'passed' | 'explained' | 'failed';
interface Outcome {
  status: Status;
  diff?: string;
}

function outcomeOf(l: Loaded, r: Run): Outcome {
  const diff = judge(l.c, l.file, r);
  if (diff === undefined) return { status: 'passed' };
  return { status: DIFFERENCES[`${l.folder}/${l.c.fixture}`]?.diff === diff ? 'explained' : 'failed', diff };
}

/** Per format: the success case with the most packages, and the first case that expects an error. */
function sample(cases: readonly Loaded[]): Loaded[] {
  const out: Loaded[] = [];
  for (const format of new Set(cases.map((l) => l.format))) {
    const mine = cases.filter((l) => l.format === format);
    const size = (l: Loaded): number => (l.c.expectedPackages ?? l.c.mustInclude ?? []).length;
    const ok = mine.filter((l) => !expectsError(l.c)).sort((a, b) => size(b) - size(a))[0];
    const bad = mine.find((l) => expectsError(l.c));
    for (const l of [ok, bad]) if (l) out.push(l);
  }
  return out;
}

const CASES = loadCases();
const SAMPLE = sample(CASES);

describe.skipIf(!HAS_SHARED)('lockfile conformance: `vouch sbom --parse-as NAME FIXTURE` (../shared/conformance/lockfiles)', () => {
  const runs = new Map<Loaded, Run>();
  const outcomes = new Map<Loaded, Outcome>();

  beforeAll(async () => {
    for (const l of CASES) {
      const r = await sbomInProcess(l);
      runs.set(l, r);
      outcomes.set(l, outcomeOf(l, r));
    }
  });

  it('covers every listed folder', () => {
    expect(new Set(CASES.map((l) => l.folder)).size).toBe(Object.keys(FORMATS).length);
    expect(CASES.length).toBeGreaterThan(400);
  });

  it.each(CASES.map((l) => [l.label, l] as const))('%s', (_label, l) => {
    const o = outcomes.get(l)!;
    const listed = DIFFERENCES[`${l.folder}/${l.c.fixture}`];
    if (o.status === 'failed') expect.fail(listed ? `${o.diff}\n  (DIFFERENCES lists: ${listed.diff})` : o.diff);
  });

  it('every entry of DIFFERENCES names a case that still differs in exactly that way', () => {
    for (const key of Object.keys(DIFFERENCES)) {
      const covered = CASES.filter((l) => `${l.folder}/${l.c.fixture}` === key);
      expect(covered.length, `${key}: no such case`).toBeGreaterThan(0);
      expect(
        covered.some((l) => outcomes.get(l)!.status === 'explained'),
        `${key}: ${covered.map((l) => outcomes.get(l)!.diff ?? 'passes').join(' / ')}`,
      ).toBe(true);
    }
  });

  it(`the real CLI gives the same result on a sample (${SAMPLE.length} cases: per format the largest package list and an error case)`, async () => {
    const cli = await inPool(SAMPLE, 2, sbomCli);
    SAMPLE.forEach((l, i) => {
      const r = cli[i]!;
      const mine = runs.get(l)!;
      expect(r.code, `${l.label}: ${r.stderr}`).toBe(mine.code);
      if (mine.code === 0) expect(r.stdout, l.label).toBe(mine.stdout);
      else expect(r.stderr, l.label).toBe(mine.stderr);
    });
  }, 300_000);

  it('passes every case but the explained ones (prints the table per format)', () => {
    type Row = { folders: Set<string>; total: number } & Record<Status, number>;
    const rows = new Map<string, Row>();
    for (const l of CASES) {
      let row = rows.get(l.format);
      if (!row) rows.set(l.format, (row = { folders: new Set(), total: 0, passed: 0, explained: 0, failed: 0 }));
      row.folders.add(l.folder);
      row.total++;
      row[outcomes.get(l)!.status]++;
    }
    const sum = (f: (r: Row) => number): number => [...rows.values()].reduce((a, r) => a + f(r), 0);
    const total = sum((r) => r.total);
    const passed = sum((r) => r.passed);
    const explained = sum((r) => r.explained);
    const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)}%`;
    const table = [
      '| format (`--parse-as`) | conformance folders | cases | passed | explained | failed |',
      '|---|---|---:|---:|---:|---:|',
      ...[...rows].map(
        ([format, r]) =>
          `| \`${format}\` | ${[...r.folders].join(', ')} | ${r.total} | ${r.passed} (${pct(r.passed, r.total)}) | ${r.explained} | ${r.failed} |`,
      ),
      `| **all** | | **${total}** | **${passed} (${pct(passed, total)})** | **${explained}** | **${sum((r) => r.failed)}** |`,
    ];
    const notPassed = CASES.filter((l) => outcomes.get(l)!.status !== 'passed').map((l) => {
      const o = outcomes.get(l)!;
      return `- ${o.status}: ${l.label}: ${o.diff}${o.status === 'explained' ? ` — ${DIFFERENCES[`${l.folder}/${l.c.fixture}`]!.reason}` : ''}`;
    });
    console.log(`\n${table.join('\n')}\n\n${notPassed.join('\n')}\n`);
    expect(sum((r) => r.failed)).toBe(0);
    expect(
      passed / total,
      `${passed} of ${total} cases pass (${pct(passed, total)}); the other ${explained} are the deliberate differences of DIFFERENCES`,
    // 464 until 2026-12-07; one case became a deliberate difference then (issue 12: a file the user names is read)
    ).toBeGreaterThanOrEqual(463 / 501);
  });
});
