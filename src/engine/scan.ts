/**
 * The scan pipeline below every shell (the CLI's `vouch scan`, the server's ingest, `vouch health`):
 *
 *   policy + VEX (read first: a mistake in them is an input error before any work)
 *     → inventory (collectInventory) → match (the advisory store) → triage (the report, built once,
 *       with VEX and the policy's ignore rules as suppressions) → the policy's verdict
 *
 * Nothing here prints or renders: the caller chooses a renderer (report/index.ts) and says what it
 * likes about the notes (`scanNotes`) on its own channel.
 */
import path from 'node:path';
import { statSync } from 'node:fs';
import type { AdvisoryLookup } from '../advisories/match.js';
import { matchCheckedComponent, matchGraph, newStats } from '../advisories/match.js';
import { AdvisoryStore } from '../advisories/store.js';
import type { KnownScore } from '../advisories/cvss.js';
import { collectInventory, requireInputs } from '../inventory/collect.js';
import { inputsIncomplete } from './inputs.js';
import { baseEcosystem } from '../model/advisory.js';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT } from '../model/errors.js';
import type { CollectedInventory } from '../model/inventory.js';
import type { ProgressSink } from '../model/progress.js';
import type { ScanReport } from '../model/report.js';
import type { EcosystemStatus, FeedStatus } from '../model/store.js';
import type { Rating, ReportFinding, Suppression } from '../model/triage.js';
import { findPolicyFile } from '../triage/policy-file.js';
import type { PolicyResult } from '../triage/policy.js';
import { type ExploitLookup, buildScanReport, reportFindingsOf } from '../triage/scan-report.js';
import type { Component } from '../model/component.js';
import type { Finding } from '../model/finding.js';
import { byCodePoint } from '../model/order.js';

export type FailOn = Rating | 'any' | 'none';

export interface ScanRequest {
  /** Directories, lockfiles, SBOMs, archives, image tars. */
  paths: readonly string[];
  /** `--rootfs DIR`: root filesystems. */
  rootfs?: readonly string[];
  /** `--parse-as NAME` for the files named in `paths`. */
  parseAs?: string | undefined;
  /** The severity at or above which a finding fails the scan (default `any`); a policy's fail section replaces it. */
  failOn?: FailOn;
  /** The user chose `failOn` explicitly: beside a policy's fail section that is a USAGE error. */
  failOnGiven?: boolean;
  /** The policy file; undefined: `vouch.policy.yaml` in the current folder, else in an input folder. */
  policy?: string | undefined;
  /** Look for a policy file when none is named (default true). */
  discoverPolicy?: boolean;
  /** VEX documents whose statements suppress findings. */
  vex?: readonly string[];
  /** Also read the VEX documents found beside the inputs (default true). */
  discoverVex?: boolean;
  /** The advisory store folder (default: $VOUCH_HOME, else the XDG cache folder). */
  home?: string | undefined;
  /** Inputs read only in part do not make the exit code 2: the findings decide as usual. */
  allowPartial?: boolean;
  now?: Date;
  progress?: ProgressSink;
}

export interface ScanOutcome {
  report: ScanReport;
  inventory: CollectedInventory;
  /** The VEX documents read, their statement count and their warnings (one line each). */
  vex: { files: string[]; statements: number; warnings: string[] };
  /** The policy's full result (every violation), when a policy applied; `report.policy` summarises it. */
  policy?: PolicyResult & { file: string };
  /** 0 clean, 1 findings or policy failed, 2 an input could not be read or none was found. */
  exitCode: number;
}

export async function runScan(req: ScanRequest): Promise<ScanOutcome> {
  const rootfs = req.rootfs ?? [];
  requireInputs(req.paths, rootfs);
  const now = req.now ?? new Date();
  // The policy and VEX modules load only when used (start-up of a plain scan).
  const policyFile = req.policy ?? (req.discoverPolicy === false ? undefined : findPolicyFile(['.', ...req.paths.map((p) => (isDir(p) ? p : path.dirname(p)))]));
  const pol = policyFile !== undefined ? await import('../triage/policy.js') : undefined;
  const policy = pol && policyFile !== undefined ? pol.loadPolicy(policyFile) : undefined;
  if (pol && policy) pol.checkFailOnConflict(policy, req.failOnGiven === true);
  const vexMod = req.vex?.length || req.discoverVex !== false ? await import('../triage/vex/load.js') : undefined;
  const vex = vexMod ? await vexMod.loadVex({ files: req.vex ?? [], inputs: req.paths, discover: req.discoverVex !== false }) : undefined;
  const byVex = vexMod && vex ? vexMod.vexSuppressor(vex.statements) : () => undefined;
  const byIgnore = pol && policy ? pol.ignoreSuppressor(policy, now) : () => undefined;

  const store = AdvisoryStore.open(req.home);
  try {
    req.progress?.phase('reading inputs');
    const inventory = await collectInventory(req.paths, { parseAs: req.parseAs, rootfs, onFile: () => req.progress?.tick() });
    req.progress?.phase('matching', inventory.graph.components.size);
    const report = scanInventory(inventory, storeContext(store), {
      failOn: req.failOn ?? 'any',
      now,
      // VEX first, then the policy's ignore rules on what VEX left
      suppress: (f) => byVex(f) ?? byIgnore(f),
      onComponent: () => req.progress?.tick(),
    });
    let policyResult: ScanOutcome['policy'];
    if (pol && policy && policyFile !== undefined) {
      const r = pol.evaluatePolicy(policy, report, [...inventory.graph.components.values()], now);
      policyResult = { ...r, file: policyFile };
      report.failed = r.failed;
      report.policy = {
        file: policyFile,
        failed: r.failed,
        violations: r.violations.map(({ rule, level, message, purl, id, source }) => ({ rule, level, message, source, ...(purl ? { purl } : {}), ...(id ? { id } : {}) })),
      };
    }
    return {
      report,
      inventory,
      vex: { files: vex?.files ?? [], statements: vex?.statements.length ?? 0, warnings: vex?.warnings ?? [] },
      ...(policyResult ? { policy: policyResult } : {}),
      exitCode: scanExitCode(report, { allowPartial: req.allowPartial === true, named: req.paths }),
    };
  } finally {
    store.close();
  }
}

/** What matching and triage read from an advisory store: the records, KEV / EPSS, CVSS scores, and what it holds. */
export interface AdvisoryContext {
  lookup: AdvisoryLookup;
  exploits?: ExploitLookup;
  scores?: KnownScore;
  /** The ecosystems loaded (a component of another ecosystem is reported as not checked). */
  store: EcosystemStatus[];
  /** Base ecosystems that subscribed feeds hold records for (docs/feeds.md): checked too, even without OSV data. */
  feedEcosystems?: readonly string[];
  feeds?: FeedStatus[];
}

/** The local store as an AdvisoryContext. */
export function storeContext(store: AdvisoryStore): AdvisoryContext {
  return { lookup: store, exploits: store, scores: (v) => store.cvssScore(v), store: store.status(), feeds: store.feeds(), feedEcosystems: store.partnerEcosystems() };
}

/**
 * Match and triage an inventory already read: the findings, merged per vulnerability, scored,
 * enriched with KEV and EPSS, suppressed where `suppress` says, ordered, and judged against `failOn`.
 */
export function scanInventory(
  inventory: CollectedInventory,
  ctx: AdvisoryContext,
  opts: { failOn: FailOn; now?: Date; suppress?: (f: ReportFinding) => Suppression | undefined; onComponent?: () => void },
): ScanReport {
  const loadedEcosystems = loadedEcosystemsOf(ctx);
  const { findings, stats } = matchGraph(inventory.graph, ctx.lookup, { loadedEcosystems, ...(opts.onComponent ? { onComponent: opts.onComponent } : {}) });
  return buildScanReport({
    inventory,
    findings,
    stats,
    store: ctx.store,
    failOn: opts.failOn,
    ...(opts.now ? { now: opts.now } : {}),
    ...(ctx.exploits ? { exploits: ctx.exploits } : {}),
    ...(ctx.scores ? { scores: ctx.scores } : {}),
    feeds: ctx.feeds ?? [],
    ...(opts.suppress ? { suppress: opts.suppress } : {}),
  });
}

/**
 * The match and the component-level triage of single components, each once, as scanInventory does
 * them for each component of a graph (the same functions: matchCheckedComponent, reportFindingsOf):
 * per purl, its findings — merged per vulnerability, scored, with KEV and EPSS — with no paths and
 * not ranked. A caller that holds the same component in many graphs (the server's re-match, across
 * project versions) places them in each with `placeFinding` and ranks each version's list with
 * `rankFindings`, which gives what scanInventory of that version's graph gives (components.test.ts).
 */
export function componentFindings(components: Iterable<Component>, ctx: AdvisoryContext): Map<string, ReportFinding[]> {
  const loadedEcosystems = loadedEcosystemsOf(ctx);
  const stats = newStats();
  const out = new Map<string, ReportFinding[]>();
  for (const c of components) {
    const findings: Finding[] = matchCheckedComponent(c, ctx.lookup, stats, loadedEcosystems)
      .sort((a, b) => byCodePoint(a.advisory.id, b.advisory.id))
      .map((m) => ({ component: c, advisory: m.advisory, reasons: m.reasons, fixedVersions: m.fixedVersions, paths: [], locations: c.locations }));
    out.set(c.purl, reportFindingsOf(findings, () => undefined, ctx.scores, ctx.exploits));
  }
  return out;
}

export { MAX_PATHS } from '../advisories/match.js';
export { placeFinding, rankFindings } from '../triage/scan-report.js';

function loadedEcosystemsOf(ctx: AdvisoryContext): Set<string> {
  return new Set([...ctx.store.map((s) => baseEcosystem(s.ecosystem)), ...(ctx.feedEcosystems ?? [])]);
}

/**
 * The exit code a scan report stands for: 1 when it failed (findings at or above --fail-on, or the
 * policy); else 2 when nothing was read or what was read falls short (`inputsIncomplete`) — a
 * corrupt lockfile must not turn a CI gate green; else 0.
 */
export function scanExitCode(report: ScanReport, opts: { allowPartial?: boolean; named?: readonly string[] } = {}): number {
  if (report.failed) return EXIT_FINDINGS;
  if (report.inputs.length === 0) return EXIT_INPUT;
  return inputsIncomplete(report.inputs, { allowPartial: opts.allowPartial === true, named: opts.named ?? [] }) ? EXIT_INPUT : EXIT_CLEAN;
}

/** A store older than this is called stale (advisories are published daily; KEV changes weekly, EPSS daily). */
const STALE_DAYS = 7;

/**
 * What a person should know about a scan besides its findings, one line each (the CLI prints them
 * on stderr): a stale store or feed, ecosystems with no advisories loaded, findings ordered without
 * KEV / EPSS, and nothing found at all.
 */
export function scanNotes(report: ScanReport, paths: readonly string[], now: Date = new Date()): string[] {
  const notes: string[] = [];
  const day = 86_400_000;
  const loaded = report.store.map((s) => Date.parse(s.loadedAt)).filter((t) => !Number.isNaN(t));
  if (loaded.length && now.getTime() - Math.min(...loaded) > STALE_DAYS * day) {
    notes.push(`the advisory store was loaded ${Math.floor((now.getTime() - Math.min(...loaded)) / day)} days ago and may miss recent advisories; refresh it with: vouch db update`);
  }
  const feeds = report.feeds ?? [];
  const staleFeeds = feeds.filter((f) => now.getTime() - Date.parse(f.loadedAt) > STALE_DAYS * day);
  if (staleFeeds.length) {
    const days = Math.floor((now.getTime() - Math.min(...staleFeeds.map((f) => Date.parse(f.loadedAt)))) / day);
    notes.push(`the ${staleFeeds.map((f) => f.feed.toUpperCase()).join(' and ')} data was loaded ${days} days ago; refresh it with: vouch db update (or --kev / --epss with a file or URL)`);
  }
  const missing = new Map<string, number>();
  for (const n of report.notChecked) {
    const m = /^no (.+) advisories in the store/.exec(n.reason);
    if (m) missing.set(m[1]!, (missing.get(m[1]!) ?? 0) + 1);
  }
  for (const [eco, n] of missing) notes.push(`${n} ${eco} component(s) not checked: no ${eco} advisories in the store; run \`vouch db update --ecosystem ${eco}\``);
  const missingFeeds = (['kev', 'epss'] as const).filter((f) => !feeds.some((x) => x.feed === f));
  if (report.findings.length && missingFeeds.length) {
    notes.push(
      `no ${missingFeeds.map((f) => f.toUpperCase()).join(' or ')} data in the store, so findings are ordered without it; load it with: vouch db update ${missingFeeds.map((f) => `--${f} FILE|URL`).join(' ')}`,
    );
  }
  if (report.inputs.length === 0) {
    const unlocked = report.unlocked ?? [];
    notes.push(
      unlocked.length
        ? `no lockfile or SBOM found in ${paths.join(', ')}, but ${plural(unlocked.length, 'manifest')} without one: ${unlocked
            .slice(0, 3)
            .map((u) => `${u.path} (write ${u.lockfiles[0]} with \`${u.command}\`)`)
            .join(', ')}${unlocked.length > 3 ? ', ...' : ''}`
        : `no lockfile or SBOM found in ${paths.join(', ')}`,
    );
  }
  return notes;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
