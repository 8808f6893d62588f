import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeZip, osv } from '../io/__fixtures__/zip-writer.js';
import { updateStore } from '../advisories/import.js';
import { TestRepo, cleanupRepos } from '../health/__fixtures__/git-repo.js';
import { checkRepository } from '../health/run.js';
import { appLock, healthyButForPolicyAndPins, placeClone } from './__fixtures__/portfolio.js';
import { collectNeeds } from './collect.js';
import { classifyVulnerability, majorLine } from './needs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vouch-market-needs-'));
afterAll(() => {
  cleanupRepos();
  rmSync(tmp, { recursive: true, force: true });
});
const NOW = new Date('2026-06-01T00:00:00Z');
const noStore = path.join(tmp, 'no-store');

describe('needs from failed health checks', () => {
  it('a clone with no SECURITY.md and unpinned workflow actions gets exactly those two needs, with the checks\' remediation as the task', async () => {
    const app = appLock(path.join(tmp, 'p1'), 'app', { mylib: '1.2.0' });
    const repos = path.join(tmp, 'p1', 'repos');
    const clone = placeClone(healthyButForPolicyAndPins(), repos, 'mylib');
    const r = await collectNeeds([app], { reposDir: repos, now: NOW, home: noStore });
    expect(r.needs.map((n) => n.id)).toEqual(['npm/mylib#security-policy', 'npm/mylib#pinned-dependencies']);
    const [policy, pins] = r.needs;
    // the remediation texts of src/health/checks-files.ts and checks-workflows.ts, word for word
    expect(policy!.task).toBe('Add SECURITY.md in the root saying how to report a vulnerability privately (an e-mail or a URL) and what disclosure timeline to expect.');
    expect(pins!.task).toBe('Pin actions to a full commit SHA (uses: owner/repo@<40-hex> # vX), images by digest (FROM img@sha256:...), and install from lockfiles (npm ci, pip --require-hashes).');
    expect(policy).toMatchObject({ kind: 'health', title: 'Add a security policy', effort: 'S', hours: 8, check: { name: 'Security-Policy', score: 0 } });
    expect(policy!.skills).toEqual({ languages: [], ecosystems: ['npm'], areas: ['security-policy'], domains: [] });
    // 1 of 3 dependencies pinned (npm ci); the two actions are the evidence, at their lines
    expect(pins).toMatchObject({ check: { name: 'Pinned-Dependencies', score: 3 }, skills: { areas: ['ci-security'] } });
    expect(pins!.evidence).toEqual(['.github/workflows/ci.yml:7: not pinned: action actions/checkout@v4', '.github/workflows/ci.yml:8: not pinned: action actions/setup-node@v4']);
    // priority = reliance × criticality × gap weight, checked by hand:
    // reliance: one project, direct (2) × prod (1) × (1 + log2 1) = 2
    // gap: Security-Policy is Medium risk (5/10) × (10 − 0)/10 = 0.5; Pinned-Dependencies Medium (0.5) × (10 − 3)/10 = 0.35
    // criticality, by hand (docs/marketplace.md, worked example): the OpenSSF formula over the clone's
    // signals: created 12 months ago, updated 0 months ago, 2 contributors, 1 organisation,
    // 9 commits in the last year (0.17 a week), no release, 1 dependent project → 0.26003
    const crit = 0.26003;
    expect((await checkRepository(clone, { now: NOW, dependents: 1, skipVulnerabilities: true })).criticality.score).toBe(crit);
    expect(policy!.score).toMatchObject({ reliance: 2, criticality: crit, criticalitySource: 'clone', gapWeight: 0.5 });
    expect(pins!.score).toMatchObject({ reliance: 2, criticality: crit, gapWeight: 0.35 });
    expect(policy!.priority).toBeCloseTo(2 * crit * 0.5, 3);
    expect(pins!.priority).toBeCloseTo(2 * crit * 0.35, 3);
    expect(policy!.reason).toMatch(/^Security-Policy scores 0\/10 on the clone: no security policy file .*; reliance 2, criticality 0\.\d+$/);
    expect(r.warnings).toEqual([expect.stringMatching(/^no advisory store in .*: vulnerability needs not derived/)]);
  });

  it('one active maintainer, no maintenance and a dangerous workflow become needs too', async () => {
    const app = appLock(path.join(tmp, 'p2'), 'app', { solo: '3.0.0' });
    const repos = path.join(tmp, 'p2', 'repos');
    // one author, last commit ten months before NOW; a workflow echoing the commit message (script injection)
    const r0 = new TestRepo('market')
      .write('.github/workflows/ci.yml', 'on: push\npermissions: read-all\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: echo "${{ github.event.head_commit.message }}"\n')
      .write('SECURITY.md', 'Report vulnerabilities to security@solo.example; we answer within 3 days and disclose after 90 days.\n')
      .commits(5, '2025-07-01T00:00:00Z', 7);
    placeClone(r0, repos, 'solo');
    const r = await collectNeeds([app], { reposDir: repos, now: NOW, home: noStore });
    const ids = r.needs.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['npm/solo#dangerous-workflow', 'npm/solo#maintained', 'npm/solo#active-maintainers']));
    expect(ids).not.toContain('npm/solo#security-policy');
    const dw = r.needs.find((n) => n.id === 'npm/solo#dangerous-workflow')!;
    expect(dw.score.gapWeight).toBe(1); // Critical (10/10) × (10 − 0)/10
    const am = r.needs.find((n) => n.id === 'npm/solo#active-maintainers')!;
    expect(am.reason).toMatch(/one person authored every commit of the last 365 days \(alice@acme\.example\)/);
    expect(am.score.gapWeight).toBe(0.75);
    // Maintained scores 0 (no commit in 90 days): High (0.75) × 1; a code need: the project's languages
    expect(r.needs.find((n) => n.id === 'npm/solo#maintained')).toMatchObject({ score: { gapWeight: 0.75 }, effort: 'L', skills: { languages: ['JavaScript', 'TypeScript'] } });
  });

  it('an empty portfolio is an explained empty result', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    const r = await collectNeeds([empty], { now: NOW, home: noStore });
    expect(r.needs).toEqual([]);
    expect(r.empty).toMatch(/^the portfolio is empty/);
  });
});

describe('needs from vulnerabilities', () => {
  it('no fixed version → fix upstream; fixed only on a newer major line → backport; a fix on our line → no need', async () => {
    const bulk = path.join(tmp, 'bulk');
    mkdirSync(path.join(bulk, 'npm'), { recursive: true });
    const pkg = (name: string, events: unknown[]): unknown[] => [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events }] }];
    writeFileSync(
      path.join(bulk, 'npm', 'all.zip'),
      makeZip([
        { name: 'ADV-1.json', data: osv('GHSA-none-none-0001', { aliases: ['CVE-2026-0001'], database_specific: { severity: 'HIGH' }, affected: pkg('mylib', [{ introduced: '0' }]) }) },
        { name: 'ADV-2.json', data: osv('GHSA-back-port-0002', { database_specific: { severity: 'CRITICAL' }, affected: pkg('otherlib', [{ introduced: '0' }, { fixed: '2.0.1' }]) }) },
        { name: 'ADV-3.json', data: osv('GHSA-ours-line-0003', { affected: pkg('otherlib', [{ introduced: '0' }, { fixed: '1.4.5' }]) }) },
      ]),
    );
    const home = path.join(tmp, 'home');
    await updateStore({ home, source: bulk });
    const app = appLock(path.join(tmp, 'p3'), 'app', { mylib: '1.2.0', otherlib: '1.4.0' });
    const r = await collectNeeds([app], { now: NOW, home });
    expect(r.needs.map((n) => n.id).sort()).toEqual(['npm/mylib#fix:GHSA-none-none-0001', 'npm/otherlib#backport:GHSA-back-port-0002@1']);
    const fix = r.needs.find((n) => n.kind === 'fix-upstream')!;
    // no clone: criticality assumed 0.5; HIGH = 0.75; reliance 2 → 2 × 0.5 × 0.75
    expect(fix).toMatchObject({ title: 'Fix GHSA-none-none-0001 / CVE-2026-0001 upstream', priority: 0.75, score: { criticalitySource: 'assumed', gapWeight: 0.75 }, effort: 'M' });
    expect(fix.reason).toContain('no fixed version is published');
    expect(fix.skills.areas).toEqual(['vulnerability-fixing']);
    const bp = r.needs.find((n) => n.kind === 'backport')!;
    expect(bp).toMatchObject({ priority: 1, advisory: { ourLine: '1', fixLine: '2', versions: ['1.4.0'] } }); // 2 × 0.5 × CRITICAL 1
    expect(bp.task).toBe('GHSA-back-port-0002 is fixed in 2.0.1 (the 2.x line) only: backport the fix to the 1.x line we use (1.4.0) and ask for a release.');
  });

  it.each([
    ['1.4.0', [{}], [], { kind: 'fix-upstream', ourLine: '1' }], // introduced, never closed
    ['1.4.0', [{ fixed: '2.0.1' }], ['2.0.1'], { kind: 'backport', ourLine: '1', fixedIn: '2.0.1', fixLine: '2' }],
    ['1.4.0', [{ fixed: '1.4.5' }], ['1.4.5', '2.0.1'], undefined],
    ['0.3.1', [{ fixed: '0.4.0' }], ['0.4.0'], { kind: 'backport', ourLine: '0.3', fixedIn: '0.4.0', fixLine: '0.4' }],
    ['2.1.0', [{}], ['1.9.9'], { kind: 'fix-upstream', ourLine: '2' }], // the only fix is below our version
    ['2.1.0', [], ['1.9.9', '2.3.0'], undefined], // listed in versions[]: any fix above ours counts
    ['0.6.2', [{ lastAffected: '0.7.0' }], [], { kind: 'backport', ourLine: '0.6', fixedIn: 'the releases after 0.7.0', fixLine: '0.7' }],
    ['1.2.0', [{ lastAffected: '1.9.0' }], [], undefined], // releases after 1.9.0 on our line are not affected
  ] as const)('classify %s (intervals %j, all fixed %j)', (version, interval, all, expected) => {
    const cmp = (a: string, b: string): number => {
      const pa = a.split('.').map(Number);
      const pb = b.split('.').map(Number);
      for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
      return 0;
    };
    expect(classifyVulnerability(version, interval, all, cmp)).toEqual(expected);
  });

  it('major lines', () => {
    expect(['1.2.3', 'v2', '0.3.1', '10.0.0-rc.1', '2024.1'].map(majorLine)).toEqual(['1', '2', '0.3', '10', '2024']);
  });
});
