/** `vouch scan PATH...`: inventory → match against the OSV store → report. */
import { statSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { AdvisoryStore } from '../advisories/store.js';
import { matchGraph } from '../advisories/match.js';
import { collectInventory } from '../inventory/collect.js';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, VouchError } from '../model/errors.js';
import { baseEcosystem } from '../model/advisory.js';
import { type ReportFinding, type ScanReport, type Suppression, buildScanReport } from '../report/scan-report.js';
import { renderJson } from '../report/json.js';
import { renderSarif } from '../report/sarif.js';
import { renderTable } from '../report/table.js';
import { findPolicyFile } from '../triage/policy-file.js';
import { discoverVexFiles } from '../triage/vex/discover.js';
import { colorEnabled } from '../report/display.js';
import { type Rating, normaliseRating } from '../triage/severity.js';
import { createProgress } from './progress.js';
import { addPassphraseOptions, type PassphraseOptions } from './key-options.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { type InputOptions, addInputOptions, formatsHelp, inputsOf } from './inputs.js';
import { repeatable } from './repeatable.js';

/** Warnings shown per input on stderr without --verbose. */
const SHOWN_WARNINGS = 3;

/** A store older than this is called stale (advisories are published daily). */
const STALE_DAYS = 7;

const FORMATS = ['table', 'json', 'sarif', 'markdown', 'cyclonedx', 'html'] as const;

interface ScanOptions extends InputOptions, PassphraseOptions {
  format?: (typeof FORMATS)[number];
  vex: string[];
  vexDiscovery: boolean;
  policy?: string;
  output?: string;
  attest?: boolean;
  key?: string;
  attestOut?: string;
  failOn: string;
  offline?: boolean;
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
      new Option('-f, --format <format>', 'output format: table, json, sarif, markdown (a PR comment), cyclonedx (CycloneDX 1.6 with vulnerabilities: a VDR), html (one self-contained page); default: table on a terminal, json when piped').choices([...FORMATS]),
    )
    .option('--fail-on <severity>', 'exit 1 only for findings at or above: critical|high|medium|low|any|none', 'any')
    .option('--vex <file>', 'an OpenVEX or CycloneDX VEX document whose not_affected / false_positive / fixed statements suppress findings (repeatable)', repeatable, [])
    .option('--no-vex-discovery', 'do not read VEX documents found beside the inputs (*.openvex.json, vex.json, *.vex.json, *.vex.cdx.json ...)')
    .option('-o, --output <file>', 'write the report to FILE (atomically) instead of stdout')
    .option('--attest', 'also sign the scan result: an in-toto vulns attestation about the inputs, as a Sigstore bundle (needs --key; see docs/attest.md)')
    .option('--key <file>', 'the private key that signs --attest')
    .option('--attest-out <file>', 'where the --attest bundle goes (default: <-o FILE>.sigstore.json)')
    .option('--policy <file>', 'the policy file (default: vouch.policy.yaml or .yml in the current folder, else in an input folder); see docs/policy.md')
    .option('--offline', 'never touch the network (scanning reads only the local store; kept for scripts that insist)')
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
      process.exitCode = await runScan(paths, opts, command.getOptionValueSource('failOn') === 'cli');
    });
  addInputOptions(cmd);
  addPassphraseOptions(cmd, 'the --key of --attest');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function runScan(paths: string[], opts: ScanOptions, failOnGiven: boolean): Promise<number> {
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
  const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'json');
  const progress = createProgress({ quiet: opts.quiet ?? false });
  // the policy and the VEX documents are read first: a mistake in them is an input error before any work
  // (the policy and VEX modules, and the report renderers below, load only when used: start-up)
  const policyFile = opts.policy ?? findPolicyFile(['.', ...paths.map((p) => (isDir(p) ? p : path.dirname(p)))]);
  const pol = policyFile !== undefined ? await import('../triage/policy.js') : undefined;
  const policy = pol && policyFile !== undefined ? pol.loadPolicy(policyFile) : undefined;
  if (pol && policy) pol.checkFailOnConflict(policy, failOnGiven);
  let vexSuppress = (_f: ReportFinding): Suppression | undefined => undefined;
  const given = opts.vex ?? [];
  const discovered = opts.vexDiscovery !== false ? discoverVexFiles(paths).filter((f) => !given.some((g) => path.resolve(g) === path.resolve(f))) : [];
  if (given.length || discovered.length) {
    const { loadVex, vexFor } = await import('../triage/vex/index.js');
    const vex = await loadVex({ files: [...given, ...discovered] });
    for (const w of vex.warnings) progress.log(`vouch: ${w}`);
    if (opts.verbose) progress.log(`vouch: VEX read from ${vex.files.join(', ')} (${vex.statements.length} statement(s))`);
    vexSuppress = (f) => (vex.statements.length ? vexFor(vex.statements, { purl: f.purl, id: f.id, ids: f.ids ?? [f.id], aliases: f.aliases }) : undefined);
  }

  const store = AdvisoryStore.open(opts.home);
  try {
    const status = store.status();
    const feeds = store.feeds();
    warnIfStale(status, progress.log);
    warnIfStaleFeeds(feeds, progress.log);
    progress.phase('reading inputs');
    const inventory = await collectInventory(paths, inputsOf(paths, opts, () => progress.tick()));
    progress.phase('matching', inventory.graph.components.size);
    const loadedEcosystems = new Set(status.map((s) => baseEcosystem(s.ecosystem)));
    const { findings, stats } = matchGraph(inventory.graph, store, { loadedEcosystems, onComponent: () => progress.tick() });
    progress.done();
    const build = (suppress: (f: ReportFinding) => Suppression | undefined): ScanReport =>
      buildScanReport({ inventory, findings, stats, store: status, failOn, exploits: store, scores: (v) => store.cvssScore(v), feeds, suppress });
    let report = build(vexSuppress);
    // VEX first; then the policy's ignore rules on what VEX left, and its verdict replaces --fail-on
    const policyResult = pol && policy ? pol.evaluatePolicy(policy, report, [...inventory.graph.components.values()]) : undefined;
    if (pol && policyResult) {
      report = pol.applyPolicyToReport(build((f) => vexSuppress(f) ?? policyResult.suppress(f)), policyResult);
      report.policy = {
        file: policyFile!,
        failed: policyResult.failed,
        violations: policyResult.violations.map(({ rule, level, message, purl, id, source }) => ({ rule, level, message, source, ...(purl ? { purl } : {}), ...(id ? { id } : {}) })),
      };
    }
    for (const i of report.inputs) {
      if (i.status === 'failed') progress.log(`vouch: skipped ${i.reason}`);
      const shown = opts.verbose ? i.warnings : i.warnings.slice(0, SHOWN_WARNINGS);
      for (const w of shown) progress.log(`vouch: ${i.path}: ${w}`);
      if (shown.length < i.warnings.length) progress.log(`vouch: ${i.path}: ... and ${i.warnings.length - shown.length} more warning(s) (--verbose lists them)`);
    }
    const out =
      format === 'json'
        ? renderJson(report)
        : format === 'sarif'
          ? renderSarif(report)
          : format === 'markdown'
            ? (await import('../report/markdown.js')).renderMarkdown(report)
            : format === 'cyclonedx'
              ? (await import('../report/cyclonedx-vdr.js')).renderCycloneDxVdr(report, inventory.graph)
              : format === 'html'
                ? (await import('../report/html.js')).renderHtml(report)
                : renderTable(report, { verbose: opts.verbose ?? false, color: colorEnabled(process.env, process.stdout.isTTY) });
    if (opts.output) await writeFileAtomic(opts.output, out);
    else process.stdout.write(out);
    if (key) {
      const bundleOut = opts.attestOut ?? `${opts.output}.sigstore.json`;
      const { attestScanReport } = await import('../attest/scan-attest.js'); // the signing libraries load only when asked for
      await attestScanReport({ report, key, out: bundleOut });
      progress.log(`vouch: wrote ${bundleOut}: the scan result attested about ${report.inputs.length} input(s), signed by ${(await import('../attest/keys.js')).displayKeyId(key.keyId)}`);
    }
    // the policy's verdict on stderr (its failures even with --quiet: they decide the exit code)
    if (pol && policyResult && (policyResult.failed || (!opts.quiet && policyResult.violations.length))) {
      process.stderr.write(pol.renderPolicyResult(policyResult, { all: opts.verbose ?? false }));
    }
    if (opts.verbose && format !== 'table') {
      progress.log(`vouch: ${report.stats.gitRangesSkipped} GIT range(s) skipped; ${report.stats.malformedRanges.length} malformed range(s); ${report.notChecked.length} component(s) not checked`);
    }
    for (const line of missingEcosystemNotes(report.notChecked)) progress.log(line);
    const missingFeeds = (['kev', 'epss'] as const).filter((f) => !feeds.some((x) => x.feed === f));
    if (report.findings.length && missingFeeds.length) {
      progress.log(
        `vouch: no ${missingFeeds.map((f) => f.toUpperCase()).join(' or ')} data in the store, so findings are ordered without it; load it with: vouch db update ${missingFeeds.map((f) => `--${f} FILE|URL`).join(' ')}`,
      );
    }
    if (report.failed) return EXIT_FINDINGS;
    // Nothing read, or an input that could not be read, never passes as clean: a corrupt lockfile
    // must not turn a CI gate green.
    if (report.inputs.length === 0) {
      progress.log(`vouch: no lockfile or SBOM found in ${paths.join(', ')}`);
      return EXIT_INPUT;
    }
    if (report.summary.inputsFailed > 0) return EXIT_INPUT;
    return EXIT_CLEAN;
  } finally {
    store.close();
  }
}

/** One stderr line per ecosystem whose advisories are not in the store. */
function missingEcosystemNotes(notChecked: { purl: string; reason: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const n of notChecked) {
    const m = /^no (.+) advisories in the store/.exec(n.reason);
    if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  return [...counts].map(([eco, n]) => `vouch: ${n} ${eco} component(s) not checked: no ${eco} advisories in the store; run \`vouch db update --ecosystem ${eco}\``);
}

function parseFailOn(s: string): Rating | 'any' | 'none' {
  const l = s.trim().toLowerCase();
  if (l === 'any' || l === 'none') return l;
  const r = normaliseRating(l);
  if (!r || r === 'UNKNOWN' || r === 'NONE') {
    throw new VouchError('USAGE', `--fail-on must be one of critical, high, medium, low, any, none (got "${s}")`);
  }
  return r;
}

/** KEV changes weekly and EPSS daily: data loaded over STALE_DAYS ago is called stale. */
function warnIfStaleFeeds(feeds: { feed: string; loadedAt: string }[], log: (m: string) => void): void {
  const stale = feeds.filter((f) => Date.now() - Date.parse(f.loadedAt) > STALE_DAYS * 86_400_000);
  if (!stale.length) return;
  const days = Math.floor((Date.now() - Math.min(...stale.map((f) => Date.parse(f.loadedAt)))) / 86_400_000);
  log(`vouch: the ${stale.map((f) => f.feed.toUpperCase()).join(' and ')} data was loaded ${days} days ago; refresh it with: vouch db update (or --kev / --epss with a file or URL)`);
}

function warnIfStale(status: { ecosystem: string; loadedAt: string }[], log: (m: string) => void): void {
  const oldest = status.map((s) => Date.parse(s.loadedAt)).filter((t) => !Number.isNaN(t));
  if (oldest.length === 0) return;
  const ageDays = (Date.now() - Math.min(...oldest)) / 86_400_000;
  if (ageDays > STALE_DAYS) {
    log(`vouch: the advisory store was loaded ${Math.floor(ageDays)} days ago and may miss recent advisories; refresh it with: vouch db update`);
  }
}
