/**
 * `vouch marketplace needs`: gathers the evidence deriveNeeds works from. The portfolio
 * (`vouch health --portfolio`: reliance, clones under --repos and their health), the portfolio's
 * vulnerabilities from the local advisory store, each clone's active maintainers, domains and
 * funding files. Reads files and runs git; never touches the network.
 */
import { existsSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { matchGraph } from '../advisories/match.js';
import { AdvisoryStore, storePath } from '../advisories/store.js';
import { ecosystemByOsvName } from '../ecosystems/index.js';
import { readCommits } from '../health/git.js';
import { type PortfolioOptions, runPortfolio } from '../health/portfolio.js';
import type { HealthReport } from '../health/run.js';
import { type Advisory, baseEcosystem, publishedSeverity } from '../model/advisory.js';
import type { DependencyGraph } from '../model/graph.js';
import { readFunding } from './funding.js';
import { type ActiveMaintainers, type PackageEvidence, type VulnGap, classifyVulnerability, deriveNeeds, intervalsOf, vulnGaps } from './needs.js';
import { domainsFrom } from './skills.js';
import { NEEDS_SCHEMA, type NeedsReport } from './types.js';
import { readRegularFile } from '../io/input.js';

export type CollectOptions = Pick<PortfolioOptions, 'reposDir' | 'now' | 'top' | 'home' | 'gpgKeyring' | 'allowedSigners' | 'onProject'>;

const DAY = 86_400;
const MAINTAINER_WINDOW_DAYS = 365;
const BOT = /\[bot\]|^dependabot|^renovate|^github-actions|noreply@github\.com$/i;

export async function collectNeeds(inputs: readonly string[], opts: CollectOptions = {}): Promise<NeedsReport> {
  const now = opts.now ?? new Date();
  const graphs: DependencyGraph[] = [];
  const health = new Map<string, { path: string; report: HealthReport }>();
  const portfolio = await runPortfolio(inputs, {
    ...opts,
    now,
    onInventory: (_input, inv) => graphs.push(inv.graph),
    onHealth: (entry, report) => health.set(`${entry.ecosystem}\u0000${entry.name}`, { path: entry.repo!.path, report }),
  });
  const warnings = [...portfolio.warnings];
  const vulns = await portfolioVulnerabilities(graphs, opts.home ?? AdvisoryStore.defaultHome(), warnings);

  const evidence: PackageEvidence[] = [];
  for (const p of portfolio.packages) {
    const key = `${p.ecosystem}\u0000${p.name}`;
    const h = health.get(key);
    const v = vulns.get(key) ?? [];
    if (!h && v.length === 0) continue;
    const e: PackageEvidence = { ecosystem: p.ecosystem, name: p.name, reliance: p.reliance, vulnerabilities: v, ...(p.repositoryUrl ? { repositoryUrl: p.repositoryUrl } : {}) };
    if (h) {
      e.clone = { path: h.path, health: h.report, domains: await cloneDomains(h.path), activeMaintainers: await activeMaintainers(h.path, now) };
      const funding = await readFunding(h.path, warnings);
      if (funding) e.funding = funding;
    }
    evidence.push(e);
  }
  const { needs, projects } = deriveNeeds(evidence);
  const report: NeedsReport = { schema: NEEDS_SCHEMA, generated: now.toISOString(), needs, projects, warnings };
  if (needs.length === 0) {
    const components = portfolio.projects.reduce((s, x) => s + x.components, 0);
    report.empty =
      components === 0
        ? 'the portfolio is empty: no lockfile, manifest or SBOM with components was found in the inputs'
        : `no needs: ${portfolio.packages.length} package(s), ${health.size} clone(s) checked${opts.reposDir ? '' : ' (give --repos DIR with clones of the packages to check their health)'}, none failing a check a volunteer can fix, and no vulnerability without a fix on the line we use`;
  }
  return report;
}

/** Vulnerabilities of the portfolio with no fixed version above ours, or fixed only on a newer line: by package. */
async function portfolioVulnerabilities(graphs: readonly DependencyGraph[], home: string, warnings: string[]): Promise<Map<string, VulnGap[]>> {
  const out = new Map<string, VulnGap[]>();
  if (!existsSync(storePath(home))) {
    warnings.push(`no advisory store in ${home}: vulnerability needs not derived (run \`vouch db update\`)`);
    return out;
  }
  const store = AdvisoryStore.open(home);
  try {
    const status = store.status();
    const loaded = new Set(status.map((s) => baseEcosystem(s.ecosystem)));
    // (package, advisory) → per version: its classification
    const found = new Map<string, { eco: string; name: string; adv: Advisory; fixed: string[]; versions: Map<string, ReturnType<typeof classifyVulnerability>> }>();
    const notChecked = new Map<string, number>();
    for (const g of graphs) {
      const { findings, stats } = matchGraph(g, store, { loadedEcosystems: loaded, maxPaths: 1 });
      for (const c of stats.componentsNotChecked) notChecked.set(c.reason, (notChecked.get(c.reason) ?? 0) + 1);
      for (const f of findings) {
        const eco = f.component.ecosystem ?? f.component.purl.slice(4, f.component.purl.indexOf('/'));
        const k = `${eco}\u0000${f.component.name}\u0000${f.advisory.id}`;
        let e = found.get(k);
        if (!e) found.set(k, (e = { eco, name: f.component.name, adv: f.advisory, fixed: f.fixedVersions, versions: new Map() }));
        if (e.versions.has(f.component.version)) continue;
        const versioning = ecosystemByOsvName(eco)?.versioning;
        if (!versioning) continue;
                e.versions.set(f.component.version, classifyVulnerability(f.component.version, intervalsOf(f.reasons), f.fixedVersions, (a, b) => versioning.compare(a, b)));
      }
    }
    // a store without the portfolio's ecosystems must not look like a portfolio without vulnerabilities
    for (const [reason, n] of notChecked) if (/^no .* advisories in the store/.test(reason)) warnings.push(`${n} component(s) not checked for vulnerabilities: ${reason}`);
    for (const [key, gaps] of vulnGaps([...found.values()].map((e) => ({ ecosystem: e.eco, name: e.name, id: e.adv.id, aliases: e.adv.aliases ?? [], ...(e.adv.summary ? { summary: e.adv.summary } : {}), severity: publishedSeverity(e.adv) ?? 'UNKNOWN', fixedVersions: e.fixed, versions: e.versions })))) {
      out.set(key, [...(out.get(key) ?? []), ...gaps]);
    }
  } finally {
    store.close();
  }
  return out;
}

/** People (not bots) who authored commits in the last year, by e-mail. */
export async function activeMaintainers(clone: string, now: Date): Promise<ActiveMaintainers> {
  const since = now.getTime() / 1000 - MAINTAINER_WINDOW_DAYS * DAY;
  const commits = await readCommits(clone).catch(() => []);
  const authors = new Set<string>();
  for (const c of commits) {
    if (c.authorTime < since || c.authorTime > now.getTime() / 1000) continue;
    if (BOT.test(c.authorName) || BOT.test(c.authorEmail)) continue;
    authors.add(c.authorEmail.toLowerCase());
  }
  return { authors: [...authors].sort(), windowDays: MAINTAINER_WINDOW_DAYS };
}

/** Domains named by the clone's manifest (package.json keywords and description; Cargo.toml, pyproject.toml description and keywords). */
export async function cloneDomains(clone: string): Promise<string[]> {
  const texts: string[] = [];
  for (const f of ['package.json', 'Cargo.toml', 'pyproject.toml']) {
    const file = path.join(clone, f);
    const st = await lstat(file).catch(() => undefined);
    if (!st?.isFile() || st.size > 1024 * 1024) continue;
    const text = await readRegularFile(file).then((b) => b.toString('utf8')).catch(() => '');
    if (f === 'package.json') {
      try {
        const pkg = JSON.parse(text) as { description?: unknown; keywords?: unknown };
        if (typeof pkg.description === 'string') texts.push(pkg.description);
        if (Array.isArray(pkg.keywords)) texts.push(pkg.keywords.filter((k) => typeof k === 'string').join(' '));
      } catch {
        // not JSON: no domains from it
      }
    } else {
      for (const m of text.matchAll(/^\s*(?:description|keywords)\s*=\s*(.+)$/gm)) texts.push(m[1]!);
    }
  }
  return domainsFrom(texts.join('\n'));
}
