import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestRepo, cleanupRepos } from './__fixtures__/git-repo.js';
import { cloneNamesFor, normalizeRepoUrl, relianceOf, renderPortfolioTable, runPortfolio, unhealthyReasons } from './portfolio.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vouch-portfolio-'));
afterAll(() => {
  cleanupRepos();
  rmSync(tmp, { recursive: true, force: true });
});

function lock(dir: string, name: string, deps: Record<string, string>, packages: Record<string, { version: string; dev?: boolean; dependencies?: Record<string, string> }>): string {
  const p = path.join(tmp, dir);
  mkdirSync(p, { recursive: true });
  const pk: Record<string, unknown> = { '': { name, version: '1.0.0', dependencies: deps } };
  for (const [n, v] of Object.entries(packages)) pk[`node_modules/${n}`] = v;
  writeFileSync(path.join(p, 'package-lock.json'), JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, packages: pk }, null, 2));
  return p;
}

describe('reliance score', () => {
  it.each([
    [{ direct: true, prod: true, paths: 1 }, 2],
    [{ direct: false, prod: true, paths: 4 }, 3], // 1 × 1 × (1 + 2)
    [{ direct: false, prod: false, paths: 2 }, 0.5], // 1 × 0.25 × (1 + 1)
    [{ direct: true, prod: true, paths: 1000 }, 2 * (1 + Math.log2(100))], // paths capped at 100
  ])('%o → %s', (use, expected) => {
    expect(relianceOf(use)).toBeCloseTo(expected, 10);
  });
  it('clone names for scoped, maven and go packages', () => {
    expect(cloneNamesFor('@babel/core')).toEqual(['@babel/core', 'babel__core', 'babel-core', 'core']);
    expect(cloneNamesFor('org.apache.logging.log4j:log4j-core')).toContain('log4j-core');
    expect(cloneNamesFor('github.com/spf13/cobra')).toEqual(['github.com/spf13/cobra', 'cobra', 'spf13__cobra']);
  });
});

describe('runPortfolio', () => {
  it('ranks by reliance across projects and joins the health of a clone found by directory name', async () => {
    // app1: root → a → shared; app2: root → shared and root → b → shared, plus a dev-only tool
    const app1 = lock('app1', 'app1', { a: '^1' }, { a: { version: '1.0.0', dependencies: { shared: '^2' } }, shared: { version: '2.0.0' } });
    const app2 = lock('app2', 'app2', { b: '^1', shared: '^2' }, { b: { version: '1.0.0', dependencies: { shared: '^2' } }, shared: { version: '2.1.0' }, tool: { version: '3.0.0', dev: true } });
    const repos = path.join(tmp, 'repos');
    mkdirSync(repos);
    const clone = new TestRepo().commits(3, '2020-01-01T00:00:00Z', 1);
    renameSync(clone.dir, path.join(repos, 'shared'));
    const r = await runPortfolio([app1, app2], { reposDir: repos, now: new Date('2025-06-01T00:00:00Z'), home: path.join(tmp, 'no-store') });
    // shared: app1 transitive prod 1 path → 1; app2 direct prod, 2 paths (root, b) → 2 × 2 = 4; total 5
    expect(r.packages[0]).toMatchObject({ rank: 1, name: 'shared', reliance: 5, projects: 2, directIn: 1, prodIn: 2, paths: 3 });
    expect(r.packages[0]!.uses.map((u) => u.versions)).toEqual([['2.0.0'], ['2.1.0']]);
    expect(r.packages.find((p) => p.name === 'tool')).toMatchObject({ reliance: 0.25, prodIn: 0 });
    const repo = r.packages[0]!.repo!;
    expect(repo.matchedBy).toBe('directory name');
    expect(repo.checks['Maintained']).toBe(0);
    expect(r.packages[0]!.flags).toContain('Maintained 0: few or no commits in 90 days');
    expect(r.packages[0]!.flags).toContain('Code-Review 0: recent changes show no sign of review');
    expect(r.packages.find((p) => p.name === 'a')!.repo).toBeUndefined();
    expect(renderPortfolioTable(r, 10)).toMatch(/npm\/shared {2}<< critical to us and unhealthy/);
  });
  it('an SBOM naming the repository (externalReferences vcs) finds the clone by its origin URL, whatever the folder name', async () => {
    const sbom = path.join(tmp, 'app.cdx.json');
    writeFileSync(
      sbom,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        version: 1,
        components: [{ type: 'library', name: 'left-pad', version: '1.2.0', purl: 'pkg:npm/left-pad@1.2.0', externalReferences: [{ type: 'vcs', url: 'git+https://github.com/SteveMao/left-pad.git' }] }],
      }),
    );
    const repos = path.join(tmp, 'repos-url');
    mkdirSync(repos);
    const clone = new TestRepo().commits(2, '2025-05-01T00:00:00Z', 1);
    clone.git(['remote', 'add', 'origin', 'git@github.com:stevemao/left-pad.git']);
    renameSync(clone.dir, path.join(repos, 'checkout-1'));
    const r = await runPortfolio([sbom], { reposDir: repos, now: new Date('2025-06-01T00:00:00Z'), home: path.join(tmp, 'no-store') });
    expect(r.packages[0]).toMatchObject({ name: 'left-pad', repositoryUrl: 'github.com/stevemao/left-pad' });
    expect(r.packages[0]!.repo).toMatchObject({ path: path.join(repos, 'checkout-1'), matchedBy: 'repository URL' });
  });
  it.each([
    ['git+https://github.com/expressjs/express.git', 'github.com/expressjs/express'],
    ['git+ssh://git@github.com/npm/node-semver.git', 'github.com/npm/node-semver'],
    ['git@gitlab.com:group/proj.git', 'gitlab.com/group/proj'],
    ['github:debug-js/debug', 'github.com/debug-js/debug'],
    ['lodash/lodash', 'github.com/lodash/lodash'],
    ['https://github.com/vercel/ms#readme', 'github.com/vercel/ms'],
    ['not a url', undefined],
  ])('normalizeRepoUrl(%s) = %s', (url, expected) => {
    expect(normalizeRepoUrl(url)).toBe(expected);
  });
  it('a missing --repos folder is a one-line input error', async () => {
    const app1 = lock('app3', 'app3', { a: '^1' }, { a: { version: '1.0.0' } });
    await expect(runPortfolio([app1], { reposDir: path.join(tmp, 'nope') })).rejects.toThrow(/cannot read --repos folder/);
  });
  it('unhealthyReasons', () => {
    expect(unhealthyReasons({ path: 'x', matchedBy: 'directory name', score: 8, criticality: 0.5, checks: { Maintained: 10, 'Dangerous-Workflow': 10, Vulnerabilities: null } })).toEqual([]);
    expect(unhealthyReasons({ path: 'x', matchedBy: 'directory name', score: 4.2, criticality: 0.5, checks: { 'Dangerous-Workflow': 0, Vulnerabilities: 8 } })).toEqual([
      'health score 4.2 < 5',
      'Dangerous-Workflow: a dangerous GitHub Actions pattern',
      'Vulnerabilities 8: known vulnerabilities in its own lockfiles',
    ]);
  });
});
