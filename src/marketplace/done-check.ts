/**
 * "Done" is confirmed by re-checking, never by hand:
 * - a health need: the check is run again on the (updated) clone and no longer fails the gap's
 *   rule; for "one active maintainer", a second person authored commits in the last year;
 * - a vulnerability need: the advisory, as the local store now has it, names a fixed version that
 *   covers every version of ours (on our own line, for a backport), or no longer affects them.
 */
import { existsSync } from 'node:fs';
import { matchComponent } from '../advisories/match.js';
import { AdvisoryStore, storePath } from '../advisories/store.js';
import { ecosystemByOsvName } from '../ecosystems/index.js';
import { type HealthReport, checkRepository } from '../health/run.js';
import { VouchError } from '../model/errors.js';
import { activeMaintainers } from './collect.js';
import type { DoneVerdict, Engagement } from './engagements.js';
import { ACTIVE_MAINTAINERS, type ActiveMaintainers, classifyVulnerability, gapFails, intervalsOf } from './needs.js';

export interface RecheckOptions {
  /** the clone to re-check (default: the clone the need was found in) */
  repo?: string;
  /** the advisory store folder */
  home?: string;
  now?: Date;
}

export async function recheck(e: Engagement, opts: RecheckOptions = {}): Promise<DoneVerdict> {
  return e.need.kind === 'health' ? recheckHealth(e, opts) : recheckVulnerability(e, opts);
}

async function recheckHealth(e: Engagement, opts: RecheckOptions): Promise<DoneVerdict> {
  const check = e.need.check?.name;
  const repo = opts.repo ?? e.need.project.clone;
  if (!check) throw new VouchError('USAGE', `engagement ${e.id}: its need names no health check to re-run`);
  if (!repo) throw new VouchError('USAGE', `engagement ${e.id}: no clone is known for ${e.need.project.name}; give --repo PATH`);
  const report = await checkRepository(repo, { now: opts.now, skipVulnerabilities: true });
  const am = check === ACTIVE_MAINTAINERS ? await activeMaintainers(report.repo, opts.now ?? new Date()) : undefined;
  return healthVerdict(e, report, am);
}

/**
 * The verdict of a health report on a health need: the CLI's re-check of a clone, and the server's
 * re-check when `vouch health --push` sends a new report (`activeMaintainers` then comes with it).
 */
export function healthVerdict(e: Engagement, report: HealthReport, am?: ActiveMaintainers): DoneVerdict {
  const check = e.need.check?.name;
  if (!check) throw new VouchError('USAGE', `engagement ${e.id}: its need names no health check to re-run`);
  if (check === ACTIVE_MAINTAINERS) {
    if (!am) return { passed: false, health: report.score, detail: `the health report of ${report.repo} at ${short(report.head)} does not say who authored commits: still one active maintainer as far as we know` };
    const passed = am.authors.length >= 2;
    return { passed, health: report.score, detail: `${am.authors.length} people authored commits in the last ${am.windowDays} days on ${report.repo} at ${short(report.head)}${passed ? '' : ': still one active maintainer'}` };
  }
  const c = report.checks.find((x) => x.name === check);
  if (!c) throw new VouchError('USAGE', `engagement ${e.id}: vouch health has no check named ${check}`);
  const passed = c.score !== null && !gapFails(check, c.score);
  return { passed, health: report.score, detail: `${check} scores ${c.score ?? '?'}/10 on ${report.repo} at ${short(report.head)}: ${c.reason}${passed ? '' : ` (still failing; to do: ${c.remediation})`}` };
}

async function recheckVulnerability(e: Engagement, opts: RecheckOptions): Promise<DoneVerdict> {
  const adv = e.need.advisory;
  if (!adv) throw new VouchError('USAGE', `engagement ${e.id}: its need names no advisory`);
  const home = opts.home ?? AdvisoryStore.defaultHome();
  if (!existsSync(storePath(home))) throw new VouchError('STORE_MISSING', 'no advisory store to re-check against (run `vouch db update`)', { path: home });
  const eco = ecosystemByOsvName(e.need.project.ecosystem);
  if (!eco) throw new VouchError('INPUT_UNSUPPORTED', `no version rules for ecosystem ${e.need.project.ecosystem}`);
  const store = AdvisoryStore.open(home);
  try {
    const found = store.findByIdOrAlias(adv.id).filter((x) => !x.withdrawn).map((x) => x.advisory);
    if (found.length === 0) {
      const withdrawn = store.findByIdOrAlias(adv.id).length > 0;
      return { passed: withdrawn, detail: withdrawn ? `${adv.id} was withdrawn` : `${adv.id} is not in the advisory store (run \`vouch db update\`)` };
    }
    const open: string[] = [];
    for (const version of adv.versions) {
      const component = { purl: `pkg:${eco.purlType}/${e.need.project.name}@${version}`, ecosystem: eco.osvName, name: e.need.project.name, version, scope: 'prod' as const, direct: true, locations: [] };
      for (const m of matchComponent(component, eco, found)) {
                const c = classifyVulnerability(version, intervalsOf(m.reasons), m.fixedVersions, (a, b) => eco.versioning.compare(a, b));
        if (c) open.push(`${version}: ${c.kind === 'backport' ? `fixed only on the ${c.fixLine}.x line (${c.fixedIn})` : 'no fixed version above it'}`);
      }
    }
    if (open.length > 0) return { passed: false, detail: `${adv.id} still leaves ${e.need.project.name} ${open.join('; ')}` };
    return { passed: true, detail: `${adv.id} now names a fixed version covering ${e.need.project.name} ${adv.versions.join(', ')}` };
  } finally {
    store.close();
  }
}

function short(sha: string | null): string {
  return sha ? sha.slice(0, 12) : '(no commits)';
}
