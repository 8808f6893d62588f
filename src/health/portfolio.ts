/**
 * `vouch health --portfolio`: which open source do our projects lean on? Each input (project
 * folder, lockfile or SBOM) is one project, inventoried with collectInventory. Packages are
 * ranked by a reliance score; the top ones are joined with the health and criticality of their
 * local clones under --repos.
 *
 * Reliance of a package = Σ over the projects using it of
 *     (direct ? 2 : 1) × (prod ? 1 : 0.25) × (1 + log2(dependency paths in that project, capped at 100))
 * so a direct production dependency of many projects, pulled in along many paths, ranks first.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { collectInventory } from '../inventory/collect.js';
import { VouchError } from '../model/errors.js';
import { git } from './git.js';
import { type HealthReport, checkRepository } from './run.js';
import type { SignatureOptions } from './checks-history.js';
import { byCodePoint } from '../model/order.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../io/input.js';

export const PORTFOLIO_SCHEMA = 'vouch-health-portfolio/1';
const PATH_CAP = 100;

export interface ProjectUse {
  project: string;
  versions: string[];
  direct: boolean;
  prod: boolean;
  /** dependency paths from the project's roots (capped at 100 per version) */
  paths: number;
}

export interface RepoHealth {
  path: string;
  /** how the clone was matched: 'repository URL' (the package's declared repository = the clone's origin), 'remote URL' (origin's repo name) or 'directory name' */
  matchedBy: string;
  score: number | null;
  criticality: number;
  checks: Record<string, number | null>;
}

export interface PortfolioEntry {
  rank: number;
  ecosystem: string;
  name: string;
  reliance: number;
  projects: number;
  directIn: number;
  prodIn: number;
  paths: number;
  uses: ProjectUse[];
  repo?: RepoHealth;
  /** the source repository the inputs name for it (SBOM vcs reference or installed package.json), normalised to host/owner/repo */
  repositoryUrl?: string;
  /** reasons this package is critical to us and unhealthy (empty when it is not flagged) */
  flags: string[];
}

export interface PortfolioReport {
  schema: typeof PORTFOLIO_SCHEMA;
  projects: { path: string; components: number; failedInputs: number }[];
  packages: PortfolioEntry[];
  warnings: string[];
}

export interface PortfolioOptions extends SignatureOptions {
  reposDir?: string;
  now?: Date;
  /** entries whose clones are checked */
  top?: number;
  home?: string;
  onProject?: () => void;
  /** each project's inventory, as read (the marketplace matches it against advisories) */
  onInventory?: (input: string, inventory: Awaited<ReturnType<typeof collectInventory>>) => void;
  /** each clone's full health report, as checked */
  onHealth?: (entry: PortfolioEntry, report: HealthReport) => void;
}

/** Weight of one project's use of a package (see the module comment). */
export function relianceOf(u: Pick<ProjectUse, 'direct' | 'prod' | 'paths'>): number {
  const p = Math.min(PATH_CAP, Math.max(1, u.paths));
  return (u.direct ? 2 : 1) * (u.prod ? 1 : 0.25) * (1 + Math.log2(p));
}

/** Names a clone directory may carry for a package: `lodash`, `@babel/core` → `core`, `babel__core`, `babel-core`. */
export function cloneNamesFor(name: string): string[] {
  const n = name.toLowerCase();
  const out = new Set<string>([n]);
  const scoped = /^@([^/]+)\/(.+)$/.exec(n);
  if (scoped) {
    out.add(`${scoped[1]}__${scoped[2]}`);
    out.add(`${scoped[1]}-${scoped[2]}`);
    out.add(scoped[2]!);
  }
  if (n.includes(':')) out.add(n.split(':').pop()!); // maven group:artifact
  if (n.includes('/') && !scoped) {
    const parts = n.split('/');
    out.add(parts[parts.length - 1]!); // go module path
    if (parts.length >= 3) out.add(`${parts[1]}__${parts[2]}`);
  }
  return [...out];
}

/** Index the clones under DIR by lower-case directory name, `owner__repo` tail and origin remote repo name. */
async function indexClones(dir: string): Promise<Map<string, { path: string; matchedBy: string }>> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new VouchError('INPUT_MISSING', `cannot read --repos folder: ${e.code ?? e.message}`, { path: dir, cause: e });
  });
  const idx = new Map<string, { path: string; matchedBy: string }>();
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    const name = e.name.toLowerCase();
    const set = (k: string, by: string): void => {
      if (!idx.has(k)) idx.set(k, { path: p, matchedBy: by });
    };
    set(name, 'directory name');
    const remote = await git(p, ['config', '--get', 'remote.origin.url']);
    if (remote.code === 0) {
      const m = /[/:]([^/:]+)\/([^/]+?)(\.git)?\/?$/.exec(remote.stdout.trim());
      const norm = normalizeRepoUrl(remote.stdout.trim());
      if (norm) set(`url:${norm}`, 'repository URL');
      if (m) {
        set(`${m[1]!.toLowerCase()}__${m[2]!.toLowerCase()}`, 'remote URL');
        set(m[2]!.toLowerCase(), 'remote URL');
      }
    }
    if (name.includes('__')) set(name.split('__').pop()!, 'directory name');
  }
  return idx;
}

/** `https://github.com/Owner/Repo.git`, `git+ssh://git@github.com/owner/repo`, `github:owner/repo` → `github.com/owner/repo`. */
export function normalizeRepoUrl(url: string): string | undefined {
  let u = url.trim().replace(/^git\+/, '').replace(/#.*$/, '');
  const short = /^(github|gitlab|bitbucket):([^/\s]+\/[^/\s]+)$/.exec(u);
  if (short) u = `https://${short[1]}.${short[1] === 'bitbucket' ? 'org' : 'com'}/${short[2]}`;
  if (/^[\w.-]+\/[\w.-]+$/.test(u)) u = `https://github.com/${u}`; // npm's "owner/repo" shorthand
  const scp = /^[\w.-]+@([^:/]+):(.+)$/.exec(u); // git@github.com:owner/repo.git
  if (scp) u = `https://${scp[1]}/${scp[2]}`;
  const m = /^[a-z+]+:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(u);
  return m ? `${m[1]}/${m[2]}/${m[3]}`.toLowerCase() : undefined;
}

/**
 * Repository URLs the input itself names: CycloneDX `externalReferences` of type `vcs`, and for a
 * project folder with installed npm packages, `node_modules/<name>/package.json` `repository`.
 * Keyed by package name (lower case).
 */
async function declaredRepos(input: string, names: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const st = await stat(input).catch(() => undefined);
  if (st?.isFile() && /\.json$/i.test(input) && st.size < 256 * 1024 * 1024) {
    try {
      const doc = JSON.parse((await readRegularFile(input, { maxBytes: MAX_INPUT_BYTES })).toString('utf8')) as { bomFormat?: string; components?: unknown[] };
      if (doc.bomFormat === 'CycloneDX') {
        const walk = (list: unknown[] | undefined): void => {
          for (const c of list ?? []) {
            const comp = c as { name?: string; group?: string; purl?: string; externalReferences?: { type?: string; url?: string }[]; components?: unknown[] };
            const vcs = comp.externalReferences?.find((r) => r.type === 'vcs' && typeof r.url === 'string');
            const url = vcs?.url ? normalizeRepoUrl(vcs.url) : undefined;
            if (url && comp.name) {
              const full = comp.purl?.startsWith('pkg:npm/') && comp.group ? `${comp.group}/${comp.name}` : comp.group && !comp.purl?.startsWith('pkg:npm/') ? `${comp.group}:${comp.name}` : comp.name;
              out.set(full.toLowerCase(), url);
              out.set(comp.name.toLowerCase(), out.get(comp.name.toLowerCase()) ?? url);
            }
            walk(comp.components);
          }
        };
        walk(doc.components);
      }
    } catch {
      // not JSON we understand: the inventory step reports unreadable inputs
    }
  } else if (st?.isDirectory()) {
    for (const name of names) {
      try {
        const pkg = JSON.parse((await readRegularFile(path.join(input, 'node_modules', name, 'package.json'))).toString('utf8')) as { repository?: string | { url?: string } };
        const raw = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
        const url = raw ? normalizeRepoUrl(raw) : undefined;
        if (url) out.set(name.toLowerCase(), url);
      } catch {
        // not installed, or no usable package.json
      }
    }
  }
  return out;
}

export async function runPortfolio(inputs: readonly string[], opts: PortfolioOptions = {}): Promise<PortfolioReport> {
  const warnings: string[] = [];
  const projects: PortfolioReport['projects'] = [];
  const byPkg = new Map<string, { ecosystem: string; name: string; uses: ProjectUse[] }>();
  const repoUrls = new Map<string, string>();
  for (const input of inputs) {
    const inv = await collectInventory([input]);
    opts.onProject?.();
    opts.onInventory?.(input, inv);
    const failed = inv.inputs.filter((i) => i.status === 'failed');
    for (const f of failed) warnings.push(`${input}: skipped ${f.path}: ${f.reason ?? 'unreadable'}`);
    projects.push({ path: input, components: inv.graph.components.size, failedInputs: failed.length });
    if (inv.graph.components.size === 0) warnings.push(`${input}: no lockfile, manifest or SBOM found`);
    const perPkg = new Map<string, ProjectUse & { ecosystem: string; name: string }>();
    for (const c of inv.graph.components.values()) {
      const eco = c.ecosystem ?? c.purl.slice(4, c.purl.indexOf('/'));
      const key = `${eco}\u0000${c.name}`;
      let u = perPkg.get(key);
      if (!u) perPkg.set(key, (u = { ecosystem: eco, name: c.name, project: input, versions: [], direct: false, prod: false, paths: 0 }));
      if (!u.versions.includes(c.version)) u.versions.push(c.version);
      u.direct ||= c.direct;
      u.prod ||= c.scope === 'prod' || c.scope === 'unknown';
      u.paths = Math.min(PATH_CAP, u.paths + Math.max(1, inv.graph.pathsTo(c.purl, PATH_CAP).length));
    }
    const npmNames = [...perPkg.values()].filter((u) => u.ecosystem === 'npm').map((u) => u.name);
    for (const [name, url] of await declaredRepos(input, npmNames)) if (!repoUrls.has(name)) repoUrls.set(name, url);
    for (const [key, u] of perPkg) {
      let e = byPkg.get(key);
      if (!e) byPkg.set(key, (e = { ecosystem: u.ecosystem, name: u.name, uses: [] }));
      e.uses.push({ project: u.project, versions: u.versions, direct: u.direct, prod: u.prod, paths: u.paths });
    }
  }
  const packages: PortfolioEntry[] = [...byPkg.values()].map((e) => ({
    rank: 0,
    ecosystem: e.ecosystem,
    name: e.name,
    reliance: Math.round(e.uses.reduce((s, u) => s + relianceOf(u), 0) * 100) / 100,
    projects: e.uses.length,
    directIn: e.uses.filter((u) => u.direct).length,
    prodIn: e.uses.filter((u) => u.prod).length,
    paths: e.uses.reduce((s, u) => s + u.paths, 0),
    uses: e.uses,
    flags: [],
  }));
  packages.sort((a, b) => b.reliance - a.reliance || b.projects - a.projects || byCodePoint(a.name, b.name));
  packages.forEach((p, i) => (p.rank = i + 1));

  if (opts.reposDir) {
    const clones = await indexClones(opts.reposDir);
    const top = packages.slice(0, opts.top ?? 25);
    for (const p of top) {
      const url = repoUrls.get(p.name.toLowerCase());
      if (url) p.repositoryUrl = url;
      const byUrl = url ? clones.get(`url:${url}`) : undefined;
      const hit = byUrl ?? cloneNamesFor(p.name).map((n) => clones.get(n)).find((x) => x !== undefined);
      if (!hit) continue;
      try {
        const h = await checkRepository(hit.path, { now: opts.now, home: opts.home, dependents: p.projects, gpgKeyring: opts.gpgKeyring, allowedSigners: opts.allowedSigners });
        p.repo = { path: hit.path, matchedBy: hit.matchedBy, score: h.score, criticality: h.criticality.score, checks: Object.fromEntries(h.checks.map((c) => [c.name, c.score])) };
        p.flags = unhealthyReasons(p.repo);
        opts.onHealth?.(p, h);
      } catch (e) {
        warnings.push(`${hit.path}: health not checked: ${e instanceof VouchError ? e.oneLine() : (e as Error).message}`);
      }
    }
  }
  return { schema: PORTFOLIO_SCHEMA, projects, packages, warnings };
}

/** Why a clone counts as unhealthy: a low aggregate, no maintenance, a dangerous workflow, known vulnerabilities, no review. */
export function unhealthyReasons(r: RepoHealth): string[] {
  const out: string[] = [];
  if (r.score !== null && r.score < 5) out.push(`health score ${r.score} < 5`);
  const c = r.checks;
  if (c['Maintained'] !== null && c['Maintained'] !== undefined && c['Maintained'] < 3) out.push(`Maintained ${c['Maintained']}: few or no commits in 90 days`);
  if (c['Dangerous-Workflow'] === 0) out.push('Dangerous-Workflow: a dangerous GitHub Actions pattern');
  if (c['Vulnerabilities'] !== null && c['Vulnerabilities'] !== undefined && c['Vulnerabilities'] < 10) out.push(`Vulnerabilities ${c['Vulnerabilities']}: known vulnerabilities in its own lockfiles`);
  if (c['Code-Review'] === 0) out.push('Code-Review 0: recent changes show no sign of review');
  return out;
}

export function renderPortfolioJson(r: PortfolioReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

export function renderPortfolioTable(r: PortfolioReport, top: number): string {
  const lines: string[] = [];
  lines.push(`${r.projects.length} project(s), ${r.packages.length} package(s). Reliance = Σ projects (direct 2 / transitive 1) × (prod 1 / dev 0.25) × (1 + log2 paths).`);
  lines.push('');
  lines.push(' Rank  Reliance  Projects  Direct  Prod  Paths  Health  Crit.  Package');
  for (const p of r.packages.slice(0, top)) {
    const health = p.repo ? (p.repo.score === null ? '   ?' : p.repo.score.toFixed(1).padStart(4)) : '   -';
    const crit = p.repo ? p.repo.criticality.toFixed(2) : '   -';
    lines.push(
      `${String(p.rank).padStart(5)}  ${p.reliance.toFixed(2).padStart(8)}  ${String(p.projects).padStart(8)}  ${String(p.directIn).padStart(6)}  ${String(p.prodIn).padStart(4)}  ${String(p.paths).padStart(5)}  ${health.padStart(6)}  ${crit.padStart(5)}  ${p.ecosystem}/${p.name}${p.flags.length ? '  << critical to us and unhealthy' : ''}`,
    );
    for (const f of p.flags) lines.push(`${''.padStart(72)}- ${f}`);
  }
  const flagged = r.packages.filter((p) => p.flags.length > 0).length;
  lines.push('');
  lines.push(`Health: aggregate of the clone's checks ('-' no clone found under --repos, '?' no check ran). ${flagged} package(s) flagged.`);
  return lines.join('\n') + '\n';
}
