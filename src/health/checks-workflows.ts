/** Checks of the build: Pinned-Dependencies, Token-Permissions, Dangerous-Workflow, SAST, Packaging. */
import path from 'node:path';
import type { RepoContext } from './context.js';
import { type CheckResult, type Evidence, proportional } from './types.js';
import { type Step, runScriptLine } from './workflows.js';

const SHA40 = /@[0-9a-f]{40}$/;
const SLSA_GENERATOR = /^slsa-framework\/slsa-github-generator\/\.github\/workflows\/[^@]+@v\d+\.\d+\.\d+$/;
/** Test data and fixtures: scripts and Dockerfiles there are inputs of tests, not part of the build. */
const TEST_DATA = /(^|\/)(testdata|test-data|__fixtures__|fixtures|__tests__\/fixtures)\//i;

function noWorkflows(name: string, risk: CheckResult['risk'], remediation: string): CheckResult {
  return { name, risk, remediation, score: null, reason: 'no GitHub Actions workflows (.github/workflows/*.yml): nothing to check', evidence: [] };
}

function parseErrors(ctx: RepoContext): Evidence[] {
  return ctx.workflows.filter((w) => w.error).map((w) => ({ path: w.path, line: w.errorLine, detail: `workflow does not parse: ${w.error}`, kind: 'info' as const }));
}

// ---------------------------------------------------------------- Pinned-Dependencies

interface Dep {
  pinned: boolean;
  path: string;
  line: number;
  detail: string;
}

/** Unpinned installs in one shell line: npm install, pip install without hashes, curl|sh, go install without a version. */
export function shellDeps(line: string): { pinned: boolean; detail: string }[] {
  const out: { pinned: boolean; detail: string }[] = [];
  const l = line.replace(/#.*$/, '');
  if (/\bnpm\s+(install|i|add)\b/.test(l) && !/\bnpm\s+(install|i)\s+(-g\s+)?npm@[0-9]/.test(l)) out.push({ pinned: false, detail: 'npm install (resolves ranges at build time; use npm ci with a lockfile)' });
  if (/\bnpm\s+ci\b/.test(l)) out.push({ pinned: true, detail: 'npm ci (lockfile)' });
  if (/\bpip3?\s+install\b|\bpython3?\s+-m\s+pip\s+install\b/.test(l)) {
    const hashes = /--require-hashes/.test(l);
    out.push({ pinned: hashes, detail: hashes ? 'pip install --require-hashes' : 'pip install without --require-hashes' });
  }
  if (/\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|z|da)?sh\b/.test(l)) out.push({ pinned: false, detail: 'download piped to a shell' });
  const gi = /\bgo\s+install\s+(\S+)/.exec(l);
  if (gi) {
    const v = gi[1]!.split('@')[1];
    const pinned = v !== undefined && (/^v\d+\.\d+\.\d+/.test(v) || /^[0-9a-f]{40}$/.test(v));
    out.push({ pinned, detail: `go install ${gi[1]}` });
  }
  return out;
}

function isDockerfile(f: string): boolean {
  const b = path.posix.basename(f).toLowerCase();
  return b === 'dockerfile' || b.startsWith('dockerfile.') || b.endsWith('.dockerfile') || b === 'containerfile';
}

export async function pinnedDependencies(ctx: RepoContext): Promise<CheckResult> {
  const base = { name: 'Pinned-Dependencies', risk: 'Medium' as const, remediation: 'Pin actions to a full commit SHA (uses: owner/repo@<40-hex> # vX), images by digest (FROM img@sha256:...), and install from lockfiles (npm ci, pip --require-hashes).' };
  const deps: Dep[] = [];
  const scripts = (file: string, firstLine: (i: number) => number, text: string): void => {
    text.split('\n').forEach((ln, i) => {
      for (const d of shellDeps(ln)) deps.push({ ...d, path: file, line: firstLine(i) });
    });
  };
  for (const wf of ctx.workflows) {
    for (const job of wf.jobs) {
      // slsa-github-generator must be referenced by tag to produce verifiable provenance (Scorecard allows it)
      if (job.uses && !job.uses.startsWith('./')) deps.push({ pinned: SHA40.test(job.uses) || SLSA_GENERATOR.test(job.uses), path: wf.path, line: job.usesLine ?? job.line, detail: `reusable workflow ${job.uses}` });
      for (const s of job.steps) {
        if (s.uses && !s.uses.startsWith('./')) {
          const pinned = s.uses.startsWith('docker://') ? /@sha256:[0-9a-f]{64}$/.test(s.uses) : SHA40.test(s.uses);
          deps.push({ pinned, path: wf.path, line: s.usesLine ?? s.line, detail: `action ${s.uses}` });
        }
        if (s.run) scripts(wf.path, (i) => runScriptLine(s, i), s.run);
      }
    }
  }
  let skipped = 0;
  for (const f of ctx.files) {
    if ((isDockerfile(f) || /\.(sh|bash)$/.test(f)) && TEST_DATA.test(f)) {
      skipped++;
      continue;
    }
    if (isDockerfile(f)) {
      const text = await ctx.read(f);
      if (!text) continue;
      const stages = new Set<string>();
      text.split('\n').forEach((ln, i) => {
        const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(ln);
        if (from) {
          const img = from[1]!;
          if (from[2]) stages.add(from[2].toLowerCase());
          if (img.toLowerCase() === 'scratch' || stages.has(img.toLowerCase()) && img.toLowerCase() !== from[2]?.toLowerCase()) return;
          deps.push({ pinned: /@sha256:[0-9a-f]{64}/.test(img), path: f, line: i + 1, detail: `base image ${img}` });
        } else if (/^\s*RUN\s/i.test(ln)) {
          for (const d of shellDeps(ln)) deps.push({ ...d, path: f, line: i + 1 });
        }
      });
    } else if (/\.(sh|bash)$/.test(f)) {
      const text = await ctx.read(f);
      if (text) scripts(f, (i) => i + 1, text);
    }
  }
  const skippedNote: Evidence[] = skipped ? [{ path: '.', detail: `${skipped} script(s)/Dockerfile(s) under testdata/ or fixtures/ not counted`, kind: 'info' }] : [];
  if (deps.length === 0) return { ...base, score: null, reason: 'no dependencies found in workflows, Dockerfiles or shell scripts: nothing to check', evidence: skippedNote };
  const pinned = deps.filter((d) => d.pinned).length;
  const evidence: Evidence[] = deps.filter((d) => !d.pinned).map((d) => ({ path: d.path, line: d.line, detail: `not pinned: ${d.detail}`, kind: 'fail' as const }));
  return { ...base, score: proportional(pinned, deps.length), reason: `${pinned} of ${deps.length} dependencies pinned`, evidence: [...evidence, ...skippedNote, ...parseErrors(ctx)] };
}

// ---------------------------------------------------------------- Token-Permissions

type PermLevel = 'read' | 'write' | 'none-declared';

/** 'read' for read-all, {} or only read/none scopes; 'write' for write-all or any write scope. */
export function permissionLevel(p: unknown): { level: PermLevel; writes: string[] } {
  if (p === undefined) return { level: 'none-declared', writes: [] };
  if (p === null || p === 'read-all' || p === '') return { level: 'read', writes: [] };
  if (p === 'write-all') return { level: 'write', writes: ['write-all'] };
  if (typeof p === 'object' && !Array.isArray(p)) {
    const writes = Object.entries(p as Record<string, unknown>).filter(([, v]) => v === 'write').map(([k]) => k);
    return { level: writes.length ? 'write' : 'read', writes };
  }
  return { level: 'write', writes: [String(p)] };
}

export function tokenPermissions(ctx: RepoContext): CheckResult {
  const base = { name: 'Token-Permissions', risk: 'High' as const, remediation: 'Set `permissions: read-all` (or contents: read) at the top of every workflow and grant write scopes only in the jobs that need them.' };
  const wfs = ctx.workflows.filter((w) => !w.error);
  if (wfs.length === 0) return noWorkflows(base.name, base.risk, base.remediation);
  const evidence: Evidence[] = [];
  let score = 10;
  for (const wf of wfs) {
    const top = permissionLevel(wf.permissions);
    let s = 10;
    if (top.level === 'write') {
      s = 0;
      evidence.push({ path: wf.path, line: wf.permissionsLine, detail: `top-level permissions grant write: ${top.writes.join(', ')}`, kind: 'fail' });
    } else if (top.level === 'none-declared') {
      const undeclared = wf.jobs.filter((j) => j.permissions === undefined);
      if (undeclared.length > 0) {
        s = 0;
        evidence.push({ path: wf.path, line: 1, detail: `no top-level permissions and job(s) ${undeclared.map((j) => j.id).join(', ')} declare none: the token gets the repository default (possibly write-all)`, kind: 'fail' });
      } else {
        s = 9;
        evidence.push({ path: wf.path, line: 1, detail: 'no top-level permissions (every job declares its own)', kind: 'fail' });
      }
    }
    for (const j of wf.jobs) {
      const jl = permissionLevel(j.permissions);
      if (jl.level === 'write') evidence.push({ path: wf.path, line: j.permissionsLine ?? j.line, detail: `job ${j.id} has write permission: ${jl.writes.join(', ')}`, kind: 'info' });
    }
    score = Math.min(score, s);
  }
  const bad = evidence.filter((e) => e.kind === 'fail').length;
  return { ...base, score, reason: bad ? `${bad} workflow(s) without read-only top-level token permissions` : `all ${wfs.length} workflow(s) restrict the token to read at the top level`, evidence: [...evidence, ...parseErrors(ctx)] };
}

// ---------------------------------------------------------------- Dangerous-Workflow

/** github context fields an outsider controls (issue/PR/comment text, branch names, commit messages, ...). */
const UNTRUSTED = [
  /github\.event\.issue\.(title|body)/,
  /github\.event\.pull_request\.(title|body)/,
  /github\.event\.pull_request\.head\.(ref|label)/,
  /github\.event\.pull_request\.head\.repo\.default_branch/,
  /github\.event\.comment\.body/,
  /github\.event\.review\.body/,
  /github\.event\.review_comment\.body/,
  /github\.event\.discussion\.(title|body)/,
  /github\.event\.pages(\.\*|\[\d+\])?\.page_name/,
  /github\.event\.commits(\.\*|\[\d+\])?\.(message|author\.(email|name))/,
  /github\.event\.head_commit\.(message|author\.(email|name))/,
  /github\.event\.workflow_run\.(head_branch|head_commit\.(message|author\.(email|name))|display_title)/,
  /github\.event\.workflow_run\.pull_requests(\.\*|\[\d+\])?\.head\.ref/,
  /github\.head_ref/,
];

export function untrustedExpressions(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\$\{\{([^}]*)\}\}/g)) {
    const expr = m[1]!.trim();
    if (UNTRUSTED.some((re) => re.test(expr))) out.push(expr);
  }
  return out;
}

const PR_HEAD_REF = /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch)|refs\/pull\/|github\.event\.number|github\.event\.pull_request\.number|github\.event\.pull_request\.merge_commit_sha/;

function checksOutPrHead(s: Step): boolean {
  if (s.uses && /^actions\/checkout@/.test(s.uses)) {
    const ref = String(s.with['ref'] ?? '') + String(s.with['repository'] ?? '');
    return PR_HEAD_REF.test(ref);
  }
  if (s.run) return /\bgh\s+pr\s+checkout\b|git\s+fetch\s+\S+\s+(\+?refs\/)?pull\//.test(s.run) || (/\bgit\s+(checkout|fetch)\b/.test(s.run) && PR_HEAD_REF.test(s.run));
  return false;
}

export function dangerousWorkflow(ctx: RepoContext): CheckResult {
  const base = { name: 'Dangerous-Workflow', risk: 'Critical' as const, remediation: 'Never check out PR code in pull_request_target/workflow_run workflows; pass untrusted ${{ github.event.* }} values to scripts through env: variables, not inline.' };
  const wfs = ctx.workflows.filter((w) => !w.error);
  if (wfs.length === 0) return noWorkflows(base.name, base.risk, base.remediation);
  const evidence: Evidence[] = [];
  for (const wf of wfs) {
    const privileged = wf.triggers.filter((t) => t === 'pull_request_target' || t === 'workflow_run');
    for (const job of wf.jobs) {
      for (const s of job.steps) {
        if (privileged.length > 0 && checksOutPrHead(s)) {
          evidence.push({ path: wf.path, line: s.usesLine ?? s.runLine ?? s.line, detail: `untrusted code checkout in a ${privileged.join('/')} workflow (job ${job.id})`, kind: 'fail' });
        }
        if (s.run) {
          s.run.split('\n').forEach((ln, i) => {
            for (const e of untrustedExpressions(ln)) evidence.push({ path: wf.path, line: runScriptLine(s, i), detail: `script injection: \${{ ${e} }} inside run: (job ${job.id})`, kind: 'fail' });
          });
        }
        if (s.uses && /^actions\/github-script@/.test(s.uses) && typeof s.with['script'] === 'string') {
          for (const e of untrustedExpressions(s.with['script'])) evidence.push({ path: wf.path, line: s.usesLine ?? s.line, detail: `script injection: \${{ ${e} }} inside github-script (job ${job.id})`, kind: 'fail' });
        }
      }
    }
  }
  if (evidence.length === 0) return { ...base, score: 10, reason: `no dangerous patterns in ${wfs.length} workflow(s)`, evidence: parseErrors(ctx) };
  return { ...base, score: 0, reason: `${evidence.length} dangerous pattern(s) in workflows`, evidence: [...evidence, ...parseErrors(ctx)] };
}

// ---------------------------------------------------------------- SAST

const SAST_ACTIONS: [RegExp, string][] = [
  [/^github\/codeql-action\/(init|analyze)@/, 'CodeQL'],
  [/^(returntocorp|semgrep)\/semgrep-action@/, 'Semgrep'],
  [/^SonarSource\/sonar(cloud|qube-scan)-github-action@/i, 'SonarCloud/SonarQube'],
  [/^snyk\/actions\/\S*@/, 'Snyk'],
  [/^securego\/gosec@/, 'gosec'],
  [/^PyCQA\/bandit-action@|^mdegat01\/bandit-action@/i, 'Bandit'],
  [/^github\/super-linter@|^super-linter\/super-linter@/, 'Super-Linter'],
  [/^pmd\/pmd-github-action@/, 'PMD'],
];
const SAST_RUN: [RegExp, string][] = [
  [/\bsemgrep\s+(ci|scan|--config)/, 'Semgrep'],
  [/\bcodeql\s+database\b/, 'CodeQL'],
  [/\bgosec\b/, 'gosec'],
  [/\bbandit\s+-r\b/, 'Bandit'],
];

export function sast(ctx: RepoContext): CheckResult {
  const base = { name: 'SAST', risk: 'Medium' as const, remediation: 'Run a static analysis tool on every pull request, e.g. the CodeQL workflow (github/codeql-action) or Semgrep.' };
  const wfs = ctx.workflows.filter((w) => !w.error);
  const evidence: Evidence[] = [];
  for (const wf of wfs) {
    for (const job of wf.jobs) {
      for (const s of job.steps) {
        const a = s.uses ? SAST_ACTIONS.find(([re]) => re.test(s.uses!)) : undefined;
        if (a) evidence.push({ path: wf.path, line: s.usesLine ?? s.line, detail: `${a[1]} (${s.uses})`, kind: 'info' });
        const r = s.run ? SAST_RUN.find(([re]) => re.test(s.run!)) : undefined;
        if (r) evidence.push({ path: wf.path, line: s.runLine ?? s.line, detail: `${r[1]} run in a step`, kind: 'info' });
      }
    }
  }
  if (evidence.length === 0) return { ...base, score: 0, reason: wfs.length ? 'no SAST tool in the workflows' : 'no workflows, so no SAST tool runs in CI', evidence };
  return { ...base, score: 10, reason: `SAST configured: ${[...new Set(evidence.map((e) => e.detail.split(' (')[0]))].join(', ')} (whether it ran on recent changes cannot be seen offline)`, evidence };
}

// ---------------------------------------------------------------- Packaging

const PUBLISH_ACTIONS: [RegExp, string][] = [
  [/^pypa\/gh-action-pypi-publish@/, 'PyPI'],
  [/^docker\/build-push-action@/, 'container image'],
  [/^goreleaser\/goreleaser-action@/, 'GoReleaser'],
  [/^JS-DevTools\/npm-publish@/i, 'npm'],
  [/^rubygems\/release-gem@/, 'RubyGems'],
  [/^softprops\/action-gh-release@/, 'GitHub release'],
  [/^gradle\/gradle-build-action@|^gradle\/actions\/setup-gradle@/, 'Gradle'],
];
const PUBLISH_RUN: [RegExp, string][] = [
  [/\b(npm|pnpm|yarn)\s+publish\b/, 'npm'],
  [/\btwine\s+upload\b|\b(uv|poetry|flit|hatch)\s+publish\b/, 'PyPI'],
  [/\bcargo\s+publish\b/, 'crates.io'],
  [/\bgem\s+push\b/, 'RubyGems'],
  [/\bmvn\b.*\bdeploy\b|\bgradlew?\b.*\bpublish/, 'Maven'],
  [/\bdocker\s+push\b/, 'container image'],
  [/\bdotnet\s+nuget\s+push\b/, 'NuGet'],
  [/\bgoreleaser\s+release\b/, 'GoReleaser'],
];

export function packaging(ctx: RepoContext): CheckResult {
  const base = { name: 'Packaging', risk: 'Medium' as const, remediation: 'Publish releases from a CI workflow (npm publish, pypa/gh-action-pypi-publish, goreleaser, ...) rather than from a laptop.' };
  const evidence: Evidence[] = [];
  for (const wf of ctx.workflows.filter((w) => !w.error)) {
    for (const job of wf.jobs) {
      for (const s of job.steps) {
        const a = s.uses ? PUBLISH_ACTIONS.find(([re]) => re.test(s.uses!)) : undefined;
        if (a) evidence.push({ path: wf.path, line: s.usesLine ?? s.line, detail: `publishes ${a[1]} (${s.uses})`, kind: 'info' });
        if (s.run) {
          s.run.split('\n').forEach((ln, i) => {
            const r = PUBLISH_RUN.find(([re]) => re.test(ln));
            if (r) evidence.push({ path: wf.path, line: runScriptLine(s, i), detail: `publishes ${r[1]} (${ln.trim().slice(0, 60)})`, kind: 'info' });
          });
        }
      }
    }
  }
  // Scorecard: no packaging workflow is inconclusive (the project may publish another way)
  if (evidence.length === 0) return { ...base, score: null, reason: 'no publishing workflow detected (the project may publish another way)', evidence };
  return { ...base, score: 10, reason: `packaged by a workflow: ${[...new Set(evidence.map((e) => e.detail.split(' (')[0]!.replace('publishes ', '')))].join(', ')}`, evidence };
}
