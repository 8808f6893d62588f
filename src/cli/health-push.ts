/**
 * `vouch health REPO --push`: the report of one clone sent to the portfolio server, with what the
 * marketplace needs beside it — the package the clone is, its origin, who authored commits in the
 * last year, and the domains its manifest names (docs/marketplace.md "The server").
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../health/git.js';
import { normalizeRepoUrl } from '../health/portfolio.js';
import type { HealthReport } from '../health/run.js';
import { readRegularFile } from '../io/input.js';
import { activeMaintainers, cloneDomains } from '../marketplace/collect.js';
import { VouchError } from '../model/errors.js';
import { serverOf, tokenOf } from './token.js';

/** Evidence lines sent per check (a needs list shows at most 8 failures of a check). */
const MAX_EVIDENCE = 50;

export interface PushAnswer {
  server: string;
  id: number;
  ecosystem: string;
  name: string;
  score: number | null;
  done: { engagement: string; need: string; detail: string }[];
  open: { engagement: string; need: string; detail: string }[];
}

/** `npm/mylib`, `crates.io/serde`, `Maven/org.example:lib`: the ecosystem up to the first slash. */
export function parsePackage(s: string): { ecosystem: string; name: string } {
  const i = s.indexOf('/');
  if (i <= 0 || i === s.length - 1) throw new VouchError('USAGE', `--package must be ECOSYSTEM/NAME, e.g. npm/lodash (got "${s}")`);
  return { ecosystem: s.slice(0, i), name: s.slice(i + 1) };
}

async function readSmall(file: string): Promise<string | undefined> {
  const st = await lstat(file).catch(() => undefined);
  if (!st?.isFile() || st.size > 1024 * 1024) return undefined;
  return (await readRegularFile(file)).toString('utf8');
}

/** The package a clone publishes, from its manifest: package.json (npm), Cargo.toml (crates.io), pyproject.toml (PyPI). */
export async function packageOfClone(dir: string): Promise<{ ecosystem: string; name: string } | undefined> {
  const pkg = await readSmall(path.join(dir, 'package.json'));
  if (pkg !== undefined) {
    try {
      const name = (JSON.parse(pkg) as { name?: unknown }).name;
      if (typeof name === 'string' && name.trim()) return { ecosystem: 'npm', name: name.trim() };
    } catch {
      // not JSON: look further
    }
  }
  for (const [file, section, ecosystem] of [['Cargo.toml', 'package', 'crates.io'], ['pyproject.toml', 'project', 'PyPI']] as const) {
    const text = await readSmall(path.join(dir, file));
    const m = text && new RegExp(`^\\[${section}\\]\\s*$[\\s\\S]*?^\\s*name\\s*=\\s*["']([^"'\\n]+)["']`, 'm').exec(text);
    if (m) return { ecosystem, name: m[1]!.trim() };
  }
  return undefined;
}

/** At most MAX_EVIDENCE lines of a check's evidence, failures first chosen, in their order. */
function firstEvidence<T extends { kind: string }>(evidence: readonly T[]): T[] {
  if (evidence.length <= MAX_EVIDENCE) return [...evidence];
  const fails = evidence.map((e, i) => [e, i] as const).filter(([e]) => e.kind === 'fail').slice(0, MAX_EVIDENCE);
  const keep = new Set(fails.map(([, i]) => i));
  for (let i = 0; i < evidence.length && keep.size < MAX_EVIDENCE; i++) keep.add(i);
  return evidence.filter((_, i) => keep.has(i));
}

export async function pushHealth(repo: string, report: HealthReport, opts: { server?: string | undefined; token?: string | undefined; package?: string | undefined; now?: Date | undefined }): Promise<PushAnswer> {
  const server = serverOf(opts);
  if (!server) throw new VouchError('USAGE', '--push needs a server: --server URL or VOUCH_SERVER');
  const pkg = opts.package !== undefined ? parsePackage(opts.package) : await packageOfClone(report.repo);
  if (!pkg) throw new VouchError('USAGE', `cannot tell which package ${repo} is (no name in package.json, Cargo.toml or pyproject.toml): give --package ECOSYSTEM/NAME`);
  const origin = await git(report.repo, ['config', '--get', 'remote.origin.url']);
  const repositoryUrl = origin.code === 0 ? normalizeRepoUrl(origin.stdout.trim()) : undefined;
  const body = {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    ...(repositoryUrl ? { repositoryUrl } : {}),
    // the server keeps what needs show (the first failures of each check), not every line of evidence
    report: { ...report, checks: report.checks.map((c) => ({ ...c, evidence: firstEvidence(c.evidence) })) },
    activeMaintainers: await activeMaintainers(report.repo, opts.now ?? new Date()),
    domains: await cloneDomains(report.repo),
  };
  const { apiRequest } = await import('../server/client.js');
  const r = await apiRequest<Omit<PushAnswer, 'server'>>({ server, token: tokenOf(opts) }, 'POST', '/api/v1/health/results', { json: body });
  return { server, ...r.body };
}
