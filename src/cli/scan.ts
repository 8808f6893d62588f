/** `vouch scan PATH...`: options → runScan (src/engine/scan.ts) → a renderer → exit code. */
import { type Command, Option } from 'commander';
import { type FailOn, runScan, scanNotes } from '../engine/scan.js';
import { VouchError } from '../model/errors.js';
import { REPORT_FORMATS, type ReportFormat, renderReport, reportFormatFromFileName } from '../report/index.js';
import { colorEnabled } from '../report/display.js';
import { normaliseRating } from '../triage/severity.js';
import { createProgress } from './progress.js';
import { isTerminal, stdio } from './stdio.js';
import { addPassphraseOptions, type PassphraseOptions } from './key-options.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { type InputOptions, addInputOptions, formatsHelp, partialLine } from './inputs.js';
import { repeatable } from './repeatable.js';
import { offlineOption } from './options.js';

/** Warnings shown per input on stderr without --verbose. */
const SHOWN_WARNINGS = 3;


interface ScanOptions extends InputOptions, PassphraseOptions {
  format?: ReportFormat;
  vex: string[];
  vexDiscovery: boolean;
  policy?: string;
  output?: string;
  attest?: boolean;
  key?: string;
  attestOut?: string;
  failOn: string;
  quiet?: boolean;
  verbose?: boolean;
  home?: string;
}

export function registerScan(program: Command): void {
  const cmd = program
    .command('scan')
    .description('find known vulnerabilities in lockfiles and SBOMs, matched against the local OSV store')
    .argument('[path...]', 'directories (searched recursively, skipping node_modules, .git and vendor), lockfiles, SBOMs, Java archives (jar/war/ear) or container image tars')
    .addOption(
      new Option('-f, --format <format>', 'output format: table, json, sarif, markdown (a PR comment), cyclonedx (CycloneDX 1.6 with vulnerabilities: a VDR), html (one self-contained page); default: from the -o file name (.json, .sarif, .cdx.json, .html, .md), else table (also when piped)').choices([...REPORT_FORMATS]),
    )
    .option('--fail-on <severity>', 'exit 1 only for findings at or above: critical|high|medium|low|any|none', 'any')
    .option('--vex <file>', 'an OpenVEX or CycloneDX VEX document whose not_affected / false_positive / fixed statements suppress findings (repeatable)', repeatable, [])
    .option('--no-vex-discovery', 'do not read VEX documents found beside the inputs (*.openvex.json, vex.json, *.vex.json, *.vex.cdx.json ...)')
    .option('-o, --output <file>', 'write the report to FILE (atomically) instead of stdout')
    .option('--attest', 'also sign the scan result: an in-toto vulns attestation about the inputs, as a Sigstore bundle (needs --key; see docs/attest.md)')
    .option('--key <file>', 'the private key that signs --attest')
    .option('--attest-out <file>', 'where the --attest bundle goes (default: <-o FILE>.sigstore.json)')
    .option('--policy <file>', 'the policy file (default: vouch.policy.yaml or .yml in the current folder, else in an input folder); see docs/policy.md')
    .option('--home <dir>', 'the store folder (default: $VOUCH_HOME, else the XDG cache folder)')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .option('-v, --verbose', 'the priority reason under each table row; list components not checked, GIT ranges skipped and malformed ranges')
    .addHelpText(
      'after',
      () => `
${formatsHelp()}

Findings are listed in priority order: known exploited (CISA KEV) first, then by EPSS band, CVSS
severity, prod before dev, direct before transitive (docs/triage.md). Advisories that alias each
other (GHSA, CVE, PYSEC, ...) for the same package are one finding. Suppressed findings (VEX,
ignore rules) are listed apart and never fail the scan. Colour on a terminal only (NO_COLOR,
FORCE_COLOR are honoured).

VEX documents (--vex, and those beside the inputs) and a policy's ignore rules suppress findings;
a policy's fail section replaces --fail-on, and an expired ignore rule fails loudly (docs/vex.md,
docs/policy.md).

Exit codes: 0 nothing at or above --fail-on (or nothing the policy fails); 1 findings at or above
--fail-on, or the policy failed; 2 usage or input error, also when no input was found or one could
not be read (after the report is written).
The store must be loaded first: vouch db update`,
    )
    .action(async (paths: string[], opts: ScanOptions, command: Command) => {
      process.exitCode = await runScanCommand(paths, opts, command.getOptionValueSource('failOn') === 'cli');
    });
  addInputOptions(cmd);
  offlineOption(cmd, 'never touch the network (a scan reads only the local store; enforced: anything that would download fails)');
  addPassphraseOptions(cmd, 'the --key of --attest');
}

async function runScanCommand(paths: string[], opts: ScanOptions, failOnGiven: boolean): Promise<number> {
  const failOn = parseFailOn(opts.failOn);
  if (opts.attest) {
    if (!opts.key) throw new VouchError('USAGE', '--attest needs --key FILE (the private key to sign with)');
    if (!opts.output && !opts.attestOut) throw new VouchError('USAGE', '--attest needs -o FILE (the bundle goes beside it) or --attest-out FILE');
  } else if (opts.key !== undefined || opts.attestOut !== undefined) {
    throw new VouchError('USAGE', '--key and --attest-out go with --attest');
  }
  // the key is read (and its passphrase asked for) first, so a bad key fails before any work
  // (the signing code loads only with --attest)
  const key = opts.attest ? await (await import('./key.js')).loadKeyFromOptions(opts.key!, opts) : undefined;
  if (opts.format === undefined && opts.output?.toLowerCase().endsWith('.spdx.json')) {
    throw new VouchError('USAGE', `-o ${opts.output}: a scan writes reports, not SPDX documents (vouch sbom writes those); give -f to say which report`);
  }
  const format = opts.format ?? (opts.output !== undefined ? reportFormatFromFileName(opts.output) : undefined) ?? 'table';
  const progress = createProgress({ quiet: opts.quiet ?? false });
  const outcome = await runScan({
    paths,
    rootfs: opts.rootfs,
    parseAs: opts.parseAs,
    failOn,
    failOnGiven,
    policy: opts.policy,
    vex: opts.vex ?? [],
    discoverVex: opts.vexDiscovery !== false,
    home: opts.home,
    allowPartial: opts.allowPartial === true,
    progress,
  });
  progress.done();
  const { report } = outcome;
  for (const w of outcome.vex.warnings) progress.log(`vouch: ${w}`);
  if (opts.verbose && outcome.vex.files.length) progress.log(`vouch: VEX read from ${outcome.vex.files.join(', ')} (${outcome.vex.statements} statement(s))`);
  for (const i of report.inputs) {
    if (i.status === 'failed') progress.log(`vouch: skipped ${i.reason}`);
    if (i.status === 'partial') progress.log(partialLine(i));
    const shown = opts.verbose ? i.warnings : i.warnings.slice(0, SHOWN_WARNINGS);
    for (const w of shown) progress.log(`vouch: ${i.path}: ${w}`);
    if (shown.length < i.warnings.length) progress.log(`vouch: ${i.path}: ... and ${i.warnings.length - shown.length} more warning(s) (--verbose lists them)`);
  }
  const out = await renderReport(format, report, {
    graph: outcome.inventory.graph,
    verbose: opts.verbose ?? false,
    color: colorEnabled(process.env, isTerminal(1)),
  });
  if (opts.output) await writeFileAtomic(opts.output, out);
  else stdio.out(out);
  if (key) {
    const bundleOut = opts.attestOut ?? `${opts.output}.sigstore.json`;
    const { attestScanReport } = await import('../attest/scan-attest.js'); // the signing libraries load only when asked for
    await attestScanReport({ report, key, out: bundleOut });
    progress.log(`vouch: wrote ${bundleOut}: the scan result attested about ${report.inputs.length} input(s), signed by ${(await import('../attest/keys.js')).displayKeyId(key.keyId)}`);
  }
  // the policy's verdict on stderr (its failures even with --quiet: they decide the exit code)
  const pol = outcome.policy;
  if (pol && (pol.failed || (!opts.quiet && pol.violations.length))) {
    stdio.err((await import('../report/policy.js')).renderPolicyResult(pol, { all: opts.verbose ?? false }));
  }
  if (opts.verbose && format !== 'table') {
    progress.log(`vouch: ${report.stats.gitRangesSkipped} GIT range(s) skipped; ${report.stats.malformedRanges.length} malformed range(s); ${report.notChecked.length} component(s) not checked`);
  }
  for (const note of scanNotes(report, paths)) progress.log(`vouch: ${note}`);
  return outcome.exitCode;
}

function parseFailOn(s: string): FailOn {
  const l = s.trim().toLowerCase();
  if (l === 'any' || l === 'none') return l;
  const r = normaliseRating(l);
  if (!r || r === 'UNKNOWN' || r === 'NONE') {
    throw new VouchError('USAGE', `--fail-on must be one of critical, high, medium, low, any, none (got "${s}")`);
  }
  return r;
}
