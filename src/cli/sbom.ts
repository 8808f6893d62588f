/**
 * `vouch sbom PATH...`: inventory → CycloneDX 1.6 (JSON, XML) or SPDX 2.3 (JSON, tag-value), on
 * stdout or written atomically to `-o FILE`.
 * `vouch sbom diff A B`: components added, removed and changed between two SBOMs or lockfiles.
 */
import { writeFileAtomic } from '../io/atomic-write.js';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { ecosystemByOsvName, ecosystemByPurlType } from '../ecosystems/index.js';
import { collectInventory } from '../inventory/collect.js';
import type { CollectedInventory } from '../model/inventory.js';
import type { Component } from '../model/component.js';
import { EXIT_CLEAN } from '../model/errors.js';
import { type SbomWriteOptions, versionlessComponents } from '../sbom/common-write.js';
import { writeCycloneDxJson, writeCycloneDxXml } from '../sbom/cyclonedx-write.js';
import { writeSpdxJson, writeSpdxTagValue } from '../sbom/spdx-write.js';
import { createProgress, type Progress } from './progress.js';
import { VouchError } from '../model/errors.js';
import { addPassphraseOptions, type PassphraseOptions } from './key-options.js';
import { type InputOptions, addInputOptions, formatsHelp, inputsOf } from './inputs.js';

export const SBOM_FORMATS = ['cyclonedx-json', 'cyclonedx-xml', 'spdx-json', 'spdx-tag'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

const WRITERS: Record<SbomFormat, (g: CollectedInventory['graph'], o: SbomWriteOptions) => string> = {
  'cyclonedx-json': writeCycloneDxJson,
  'cyclonedx-xml': writeCycloneDxXml,
  'spdx-json': writeSpdxJson,
  'spdx-tag': writeSpdxTagValue,
};

interface SbomOptions extends InputOptions, PassphraseOptions {
  attest?: boolean;
  key?: string;
  attestOut?: string;
  format?: SbomFormat;
  output?: string;
  deterministic?: boolean;
  quiet?: boolean;
}

interface DiffOptions {
  format?: 'table' | 'json';
  quiet?: boolean;
}

export function registerSbom(program: Command): void {
  // `sbom` and `sbom diff` both take --format: options after a command name must belong to that
  // command (positional options, on the program and on `sbom`), else `sbom` would take diff's --format
  program.enablePositionalOptions();
  const sbom = program
    .command('sbom')
    .description('write an SBOM (CycloneDX 1.6 or SPDX 2.3) of lockfiles, SBOMs and directories; `sbom diff` compares two')
    .argument('[path...]', 'directories (searched recursively, skipping node_modules, .git and vendor), lockfiles, SBOMs, Java archives (jar/war/ear) or container image tars')
    .addOption(
      new Option('-f, --format <format>', 'output format (default: from the -o file name, else cyclonedx-json)').choices([...SBOM_FORMATS]),
    )
    .option('-o, --output <file>', 'write to FILE (atomically: a temporary file beside it, then a rename) instead of stdout')
    .option('--deterministic', 'byte-identical output for the same input: fixed time ($SOURCE_DATE_EPOCH, else 1970-01-01), serial number and namespace from a hash of the content')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .option('--attest', 'also sign the SBOM as an in-toto attestation about the input files (needs -o, --key and a JSON format)')
    .option('--key <file>', 'with --attest: the private key (.key) to sign with')
    .option('--attest-out <file>', 'with --attest: where to write the bundle (default: the -o file + .sigstore.json)')
    .enablePositionalOptions()
    .addHelpText(
      'after',
      () => `
${formatsHelp()}

Formats: cyclonedx-json (CycloneDX 1.6 JSON), cyclonedx-xml (CycloneDX 1.6 XML),
         spdx-json (SPDX 2.3 JSON), spdx-tag (SPDX 2.3 tag-value).
Without --format, -o FILE picks it from the name: *.spdx.json → spdx-json,
*.spdx / *.spdx.tv / *.spdx.txt → spdx-tag, *.xml → cyclonedx-xml, otherwise cyclonedx-json.
Packages an input names without a version (git and file dependencies, unpinned requirements)
are listed as components without a version, never given an invented one; the CycloneDX
properties / SPDX annotations vouch:unresolved and vouch:requirement say why.
--attest signs the SBOM (predicate https://cyclonedx.org/bom or https://spdx.dev/Document) about
the input files read (their names and sha256) into a Sigstore bundle; verify with
  vouch verify package-lock.json --bundle sbom.json.sigstore.json --key KEY.pub --predicate sbom.json
Exit codes: 0 written, 2 usage or input error.`,
    )
    .action(async (paths: string[], opts: SbomOptions) => {
      process.exitCode = await runSbom(paths, opts);
    });
  addInputOptions(sbom);
  addPassphraseOptions(sbom, 'the --key of --attest');

  sbom
    .command('diff')
    .description('components added, removed and changed (same name and ecosystem, other version) from A to B; a package without a version counts as version ""')
    .argument('<a>', 'the old SBOM, lockfile or directory')
    .argument('<b>', 'the new SBOM, lockfile or directory')
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, json when piped)').choices(['table', 'json']))
    .option('-q, --quiet', 'no progress or notes on stderr')
    .action(async (a: string, b: string, opts: DiffOptions) => {
      process.exitCode = await runDiff(a, b, opts);
    });
}

// ---------------------------------------------------------------------------------------------
// vouch sbom

async function runSbom(paths: string[], opts: SbomOptions): Promise<number> {
  const format = opts.format ?? (opts.output ? formatFromFileName(opts.output) : 'cyclonedx-json');
  if (opts.attest) {
    if (!opts.output) throw new VouchError('USAGE', '--attest needs -o FILE (the bundle is written beside it)');
    if (!opts.key) throw new VouchError('USAGE', '--attest needs --key FILE (the private key to sign with)');
    if (format !== 'cyclonedx-json' && format !== 'spdx-json') throw new VouchError('USAGE', `--attest needs a JSON format (cyclonedx-json or spdx-json), not ${format}: in-toto predicates are JSON`);
  } else if (opts.key !== undefined || opts.attestOut !== undefined) {
    throw new VouchError('USAGE', '--key and --attest-out go with --attest');
  }
  // the key is read (and its passphrase asked for) before the inventory, so a bad key fails fast
  // (the signing code loads only with --attest)
  const key = opts.attest ? await (await import('./key.js')).loadKeyFromOptions(opts.key!, opts) : undefined;
  const progress = createProgress({ quiet: opts.quiet ?? false });
  progress.phase('reading inputs');
  const inventory = await collectInventory(paths, inputsOf(paths, opts, () => progress.tick()));
  progress.done();
  reportInputs(inventory, progress);
  const versionless = versionlessComponents(inventory.unresolved, inventory.graph).length;
  reportVersionless(inventory, versionless, progress);

  const text = WRITERS[format](inventory.graph, {
    subjectName: subjectName(paths),
    deterministic: opts.deterministic ?? false,
    sourceDateEpoch: process.env['SOURCE_DATE_EPOCH'],
    unresolved: inventory.unresolved,
  });
  if (opts.output) {
    await writeFileAtomic(opts.output, text);
    const total = inventory.graph.components.size + versionless;
    progress.log(
      `vouch: wrote ${total} component(s) to ${opts.output} (${format})${versionless ? `, ${versionless} of them without a version` : ''}`,
    );
    if (key) {
      const bundleOut = opts.attestOut ?? `${opts.output}.sigstore.json`;
      // the signing libraries load only when asked for
      const [{ attestFiles }, { inputSubjects }, { PREDICATE_TYPES }] = await Promise.all([
        import('../attest/attest.js'),
        import('../attest/scan-attest.js'),
        import('../attest/statement.js'),
      ]);
      const subjects = await inputSubjects(inventory.inputs);
      const bundle = await attestFiles({
        predicate: JSON.parse(text) as unknown,
        predicateType: format === 'spdx-json' ? PREDICATE_TYPES.spdx : PREDICATE_TYPES.cyclonedx,
        subjects,
        key,
      });
      await writeFileAtomic(bundleOut, `${JSON.stringify(bundle, null, 2)}\n`);
      progress.log(`vouch: wrote ${bundleOut}: the SBOM attested about ${subjects.length} input file(s), signed by ${(await import('../attest/keys.js')).displayKeyId(key.keyId)}`);
    }
  } else {
    process.stdout.write(text);
  }
  return EXIT_CLEAN;
}

function reportInputs(inventory: CollectedInventory, progress: Progress): void {
  for (const i of inventory.inputs) if (i.status === 'failed') progress.log(`vouch: skipped ${i.reason}`);
}

/**
 * What became of the packages named without a version: listed as versionless components (their
 * unresolved entries collapse by purl, so `listed` can be smaller than the entries behind it), and
 * the entries `versionlessComponents` leaves out, which are not in the output.
 */
function reportVersionless(inventory: CollectedInventory, listed: number, progress: Progress): void {
  const entries = inventory.unresolved;
  if (!entries.length) return;
  const left = entries.filter((u) => versionlessComponents([u]).length === 0).length;
  const parts: string[] = [];
  if (listed) parts.push(`${listed} package(s) listed without a version (named by the inputs but not pinned to one)`);
  if (left) parts.push(`${left} other unresolved entr${left === 1 ? 'y' : 'ies'} left out (no known ecosystem or package name, or a parent POM not on disk)`);
  progress.log(`vouch: ${parts.join('; ')} — vouch scan --verbose lists them`);
}

/** The format a file name asks for (see the help text). */
export function formatFromFileName(file: string): SbomFormat {
  const b = path.basename(file).toLowerCase();
  if (b.endsWith('.spdx.json')) return 'spdx-json';
  if (b.endsWith('.spdx') || b.endsWith('.spdx.tv') || b.endsWith('.spdx.txt')) return 'spdx-tag';
  if (b.endsWith('.xml')) return 'cyclonedx-xml';
  return 'cyclonedx-json';
}

/** What the document is named after: the paths as given (`.` and `..` by their folder's name). */
export function subjectName(paths: readonly string[]): string {
  return paths
    .map((p) => {
      const n = path.normalize(p).replace(/(.)[\\/]+$/, '$1');
      return n === '.' || n === '..' || n.endsWith(`${path.sep}..`) ? path.basename(path.resolve(p)) || n : n;
    })
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// vouch sbom diff

export interface DiffEntry {
  ecosystem: string;
  name: string;
  /** Versions only in A (removed, or the old side of a change); "" = listed without a version. */
  from: string[];
  /** Versions only in B (added, or the new side of a change); "" = listed without a version. */
  to: string[];
}

export interface SbomDiff {
  /** `components`: what an SBOM of the input lists, versionless components included. */
  a: { path: string; components: number };
  b: { path: string; components: number };
  added: DiffEntry[];
  removed: DiffEntry[];
  changed: DiffEntry[];
}

/** The ecosystem a component is compared under: its OSV name, else its purl type. */
function ecosystemOf(c: Component): string {
  return c.ecosystem ?? /^pkg:([^/]+)\//.exec(c.purl)?.[1]?.toLowerCase() ?? 'unknown';
}

function keyOf(c: Component): string {
  const eco = c.ecosystem ? ecosystemByOsvName(c.ecosystem) : undefined;
  return `${ecosystemOf(c)}\0${eco ? eco.normalizeName(c.name) : c.name}`;
}

function sortVersions(ecosystem: string, versions: Iterable<string>): string[] {
  const eco = ecosystemByOsvName(ecosystem);
  return [...versions].sort((x, y) => {
    if (eco) {
      try {
        const c = eco.versioning.compare(x, y);
        if (c !== 0) return c;
      } catch {
        // not versions of this ecosystem: text order below
      }
    }
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * Compares two graphs by (ecosystem, name as the ecosystem compares names): a name only in B is
 * added, only in A removed; a name in both whose version sets differ is changed (versions in both
 * are left out of `from` / `to`). A name whose versions only grew or shrank (lodash 3 and 4 →
 * lodash 4) is changed too, with an empty side. Packages named without a version (`unresolved`
 * entries an SBOM lists as versionless components) count with the version "" (no version), so a
 * git dependency appearing is added, and one that gets pinned is changed from "" to its version.
 */
export function diffInventories(
  a: CollectedInventory['graph'],
  b: CollectedInventory['graph'],
  unresolvedA: CollectedInventory['unresolved'] = [],
  unresolvedB: CollectedInventory['unresolved'] = [],
): Pick<SbomDiff, 'added' | 'removed' | 'changed'> {
  const index = (g: CollectedInventory['graph'], unresolved: CollectedInventory['unresolved']) => {
    const m = new Map<string, { ecosystem: string; name: string; versions: Set<string> }>();
    // the projects themselves count when their version is known: an SBOM lists them (its subject),
    // so a lockfile and the SBOM written from it compare equal, and a release bump shows
    const roots = [...g.rootIdentities.values()].map((r): Component => {
      const eco = ecosystemByPurlType(/^pkg:([^/]+)\//.exec(r.purl)?.[1] ?? '');
      return { purl: r.purl, name: r.name, version: r.version, ecosystem: eco?.osvName, scope: 'prod', direct: true, locations: [] };
    });
    // the versionless components an SBOM of these inputs lists (same ecosystem + name rules)
    const versionless = versionlessComponents(unresolved, g).map(
      (v): Component => ({ purl: v.purl, name: v.name, version: '', ecosystem: v.ecosystem, scope: 'unknown', direct: false, locations: [] }),
    );
    for (const c of [...g.components.values(), ...roots, ...versionless]) {
      const k = keyOf(c);
      let e = m.get(k);
      if (!e) m.set(k, (e = { ecosystem: ecosystemOf(c), name: c.name, versions: new Set() }));
      e.versions.add(c.version);
    }
    return m;
  };
  const ia = index(a, unresolvedA);
  const ib = index(b, unresolvedB);
  const added: DiffEntry[] = [];
  const removed: DiffEntry[] = [];
  const changed: DiffEntry[] = [];
  for (const [k, eb] of ib) {
    const ea = ia.get(k);
    if (!ea) {
      added.push({ ecosystem: eb.ecosystem, name: eb.name, from: [], to: sortVersions(eb.ecosystem, eb.versions) });
      continue;
    }
    const from = [...ea.versions].filter((v) => !eb.versions.has(v));
    const to = [...eb.versions].filter((v) => !ea.versions.has(v));
    if (from.length || to.length) changed.push({ ecosystem: eb.ecosystem, name: eb.name, from: sortVersions(eb.ecosystem, from), to: sortVersions(eb.ecosystem, to) });
  }
  for (const [k, ea] of ia) {
    if (!ib.has(k)) removed.push({ ecosystem: ea.ecosystem, name: ea.name, from: sortVersions(ea.ecosystem, ea.versions), to: [] });
  }
  const order = (x: DiffEntry, y: DiffEntry): number =>
    x.ecosystem < y.ecosystem ? -1 : x.ecosystem > y.ecosystem ? 1 : x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
  return { added: added.sort(order), removed: removed.sort(order), changed: changed.sort(order) };
}

async function runDiff(a: string, b: string, opts: DiffOptions): Promise<number> {
  const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'json');
  const progress = createProgress({ quiet: opts.quiet ?? false });
  progress.phase('reading inputs');
  const ia = await collectInventory([a], { onFile: () => progress.tick() });
  const ib = await collectInventory([b], { onFile: () => progress.tick() });
  progress.done();
  reportInputs(ia, progress);
  reportInputs(ib, progress);
  const diff: SbomDiff = {
    a: { path: a, components: ia.graph.components.size + versionlessComponents(ia.unresolved, ia.graph).length },
    b: { path: b, components: ib.graph.components.size + versionlessComponents(ib.unresolved, ib.graph).length },
    ...diffInventories(ia.graph, ib.graph, ia.unresolved, ib.unresolved),
  };
  process.stdout.write(format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffTable(diff));
  return EXIT_CLEAN;
}

export function renderDiffTable(d: SbomDiff): string {
  const show = (versions: string[]): string => versions.map((v) => v || '(no version)').join(', ');
  const rows: string[][] = [
    ...d.added.map((e) => ['added', e.ecosystem, e.name, show(e.to)]),
    ...d.removed.map((e) => ['removed', e.ecosystem, e.name, show(e.from)]),
    ...d.changed.map((e) => ['changed', e.ecosystem, e.name, `${show(e.from) || '-'} → ${show(e.to) || '-'}`]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
  lines.push(
    `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed (${d.a.path}: ${d.a.components} components, ${d.b.path}: ${d.b.components})`,
  );
  return `${lines.join('\n')}\n`;
}
