/**
 * `vouch sbom PATH...`: options → runSbom (src/engine/sbom.ts) → stdout or `-o FILE` (atomically),
 * signed with --attest. `vouch sbom diff A B`: runDiff (src/engine/diff.ts) → table or JSON.
 */
import { type Command, Option } from 'commander';
import { runDiff } from '../engine/diff.js';
import { inputsIncomplete } from '../engine/inputs.js';
import { SBOM_FORMATS, type SbomFormat, type SbomResult, runSbom, sbomFormatFromFileName } from '../engine/sbom.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { EXIT_CLEAN, EXIT_INPUT, VouchError } from '../model/errors.js';
import type { CollectedInventory } from '../model/inventory.js';
import { renderDiffTable } from '../report/diff.js';
import { createProgress, type Progress } from './progress.js';
import { stdio } from './stdio.js';
import { partialLine } from './inputs.js';
import { addPassphraseOptions, type PassphraseOptions } from './key-options.js';
import { type InputOptions, addInputOptions, formatsHelp } from './inputs.js';

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
      process.exitCode = await runSbomCommand(paths, opts);
    });
  addInputOptions(sbom);
  addPassphraseOptions(sbom, 'the --key of --attest');

  sbom
    .command('diff')
    .description('components added, removed and changed (same name and ecosystem, other version) from A to B; a package without a version counts as version ""')
    .argument('<a>', 'the old SBOM, lockfile or directory')
    .argument('<b>', 'the new SBOM, lockfile or directory')
    .addOption(new Option('-f, --format <format>', 'output format (default: table, also when piped)').choices(['table', 'json']))
    .option('-q, --quiet', 'no progress or notes on stderr')
    .action(async (a: string, b: string, opts: DiffOptions) => {
      process.exitCode = await runDiffCommand(a, b, opts);
    });
}

// ---------------------------------------------------------------------------------------------
// vouch sbom

async function runSbomCommand(paths: string[], opts: SbomOptions): Promise<number> {
  const format = opts.format ?? (opts.output ? sbomFormatFromFileName(opts.output) : 'cyclonedx-json');
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
  const r = await runSbom({
    paths,
    rootfs: opts.rootfs,
    parseAs: opts.parseAs,
    format,
    deterministic: opts.deterministic ?? false,
    sourceDateEpoch: process.env['SOURCE_DATE_EPOCH'],
    progress,
  });
  progress.done();
  reportInputs(r.inventory, progress);
  reportVersionless(r, progress);
  if (opts.output) {
    await writeFileAtomic(opts.output, r.text);
    progress.log(`vouch: wrote ${r.components} component(s) to ${opts.output} (${format})${r.versionless ? `, ${r.versionless} of them without a version` : ''}`);
    if (key) {
      const bundleOut = opts.attestOut ?? `${opts.output}.sigstore.json`;
      // the signing libraries load only when asked for
      const [{ attestFiles }, { inputSubjects }, { PREDICATE_TYPES }] = await Promise.all([
        import('../attest/attest.js'),
        import('../attest/scan-attest.js'),
        import('../attest/statement.js'),
      ]);
      const subjects = await inputSubjects(r.inventory.inputs);
      const bundle = await attestFiles({
        predicate: JSON.parse(r.text) as unknown,
        predicateType: format === 'spdx-json' ? PREDICATE_TYPES.spdx : PREDICATE_TYPES.cyclonedx,
        subjects,
        key,
      });
      await writeFileAtomic(bundleOut, `${JSON.stringify(bundle, null, 2)}\n`);
      progress.log(`vouch: wrote ${bundleOut}: the SBOM attested about ${subjects.length} input file(s), signed by ${(await import('../attest/keys.js')).displayKeyId(key.keyId)}`);
    }
  } else {
    stdio.out(r.text);
  }
  // written either way; but what could not be read, or only in part, is not a clean run
  return inputsIncomplete(r.inventory.inputs, { allowPartial: opts.allowPartial === true, named: paths }) ? EXIT_INPUT : EXIT_CLEAN;
}

function reportInputs(inventory: CollectedInventory, progress: Progress): void {
  for (const i of inventory.inputs) {
    if (i.status === 'failed') progress.log(`vouch: skipped ${i.reason}`);
    if (i.status === 'partial') progress.log(partialLine(i));
  }
}

/** What became of the packages named without a version: listed without one, or left out (and why). */
function reportVersionless(r: SbomResult, progress: Progress): void {
  if (!r.inventory.unresolved.length) return;
  const parts: string[] = [];
  if (r.versionless) parts.push(`${r.versionless} package(s) listed without a version (named by the inputs but not pinned to one)`);
  if (r.leftOut) parts.push(`${r.leftOut} other unresolved entr${r.leftOut === 1 ? 'y' : 'ies'} left out (no known ecosystem or package name, or a parent POM not on disk)`);
  progress.log(`vouch: ${parts.join('; ')} — vouch scan --verbose lists them`);
}

// ---------------------------------------------------------------------------------------------
// vouch sbom diff

async function runDiffCommand(a: string, b: string, opts: DiffOptions): Promise<number> {
  const format = opts.format ?? 'table';
  const progress = createProgress({ quiet: opts.quiet ?? false });
  const { diff, inventories } = await runDiff(a, b, progress);
  progress.done();
  for (const inv of inventories) reportInputs(inv, progress);
  stdio.out(format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffTable(diff));
  return EXIT_CLEAN;
}
