import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeZip, osv } from '../io/__fixtures__/zip-writer.js';
import { updateStore } from '../advisories/import.js';
import { VouchError } from '../model/errors.js';
import { TestRepo, cleanupRepos } from './__fixtures__/git-repo.js';
import { renderHealthSarif, renderHealthTable } from './render.js';
import { checkRepository } from './run.js';
import { aggregateScore } from './types.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vouch-health-run-'));
afterAll(() => {
  cleanupRepos();
  rmSync(tmp, { recursive: true, force: true });
});

const LOCK = JSON.stringify({
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  packages: { '': { name: 'app', version: '1.0.0', dependencies: { 'left-pad': '^1.2.0' } }, 'node_modules/left-pad': { version: '1.2.0' } },
});

const WF = 'on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo "${{ github.event.head_commit.message }}"\n';

function repo(): TestRepo {
  return new TestRepo().write('package-lock.json', LOCK).write('.github/workflows/ci.yml', WF).write('LICENSE', 'Apache License\nVersion 2.0, January 2004\n').commit('one', '2025-01-01T00:00:00Z');
}

describe('checkRepository', () => {
  it('runs every check; Vulnerabilities is not run without a store, and says so', async () => {
    const r = await checkRepository(repo().dir, { now: new Date('2025-06-01T00:00:00Z'), home: path.join(tmp, 'no-store') });
    expect(r.checks.map((c) => c.name)).toEqual([
      'Binary-Artifacts', 'Code-Review', 'Contributors', 'Dangerous-Workflow', 'Dependency-Update-Tool', 'Fuzzing', 'License', 'Maintained',
      'Packaging', 'Pinned-Dependencies', 'SAST', 'Security-Policy', 'Signed-Releases', 'Token-Permissions', 'Vulnerabilities',
    ]);
    const v = r.checks.find((c) => c.name === 'Vulnerabilities')!;
    expect(v.score).toBeNull();
    expect(v.reason).toContain('no advisory store');
    expect(r.score).toBe(aggregateScore(r.checks));
    expect(r.now).toBe('2025-06-01T00:00:00.000Z');
  });

  it('Vulnerabilities: scans the clone\'s lockfile against the store (10 − known vulnerabilities)', async () => {
    const bulk = path.join(tmp, 'bulk');
    mkdirSync(path.join(bulk, 'npm'), { recursive: true });
    writeFileSync(path.join(bulk, 'npm', 'all.zip'), makeZip([{ name: 'GHSA-test-0001.json', data: osv('GHSA-test-0001') }]));
    const home = path.join(tmp, 'home');
    await updateStore({ home, source: bulk });
    const r = await checkRepository(repo().dir, { now: new Date('2025-06-01T00:00:00Z'), home });
    const v = r.checks.find((c) => c.name === 'Vulnerabilities')!;
    expect(v.score).toBe(9);
    expect(v.evidence).toEqual([{ path: 'package-lock.json', line: expect.any(Number), detail: 'left-pad@1.2.0: GHSA-test-0001', kind: 'fail' }]);
    const clean = new TestRepo().write('package-lock.json', LOCK.replace('"version":"1.2.0"', '"version":"1.3.0"')).commit('x', '2025-01-01T00:00:00Z');
    expect((await checkRepository(clean.dir, { home })).checks.find((c) => c.name === 'Vulnerabilities')!.score).toBe(10);
  });

  it('SARIF: one rule per check, results at the workflow lines', async () => {
    const r = await checkRepository(repo().dir, { now: new Date('2025-06-01T00:00:00Z'), home: path.join(tmp, 'no-store') });
    const sarif = JSON.parse(renderHealthSarif(r));
    const run = sarif.runs[0];
    expect(run.tool.driver.rules).toHaveLength(15);
    const at = run.results.map((x: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }) => `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri}:${x.locations[0]!.physicalLocation.region?.startLine}`);
    expect(at).toContain('Dangerous-Workflow .github/workflows/ci.yml:7');
    expect(at).toContain('Pinned-Dependencies .github/workflows/ci.yml:6');
    expect(at).toContain('Token-Permissions .github/workflows/ci.yml:1');
    expect(renderHealthTable(r)).toMatch(/Dangerous-Workflow\s+0\s+Critical/);
  });

  it('a shallow clone says so', async () => {
    const src = repo();
    src.commit('two', '2025-02-01T00:00:00Z');
    const dst = path.join(tmp, 'shallow');
    src.git(['clone', '-q', '--depth', '1', `file://${src.dir}`, dst]);
    const r = await checkRepository(dst, { home: path.join(tmp, 'no-store') });
    expect(r.notes).toEqual([expect.stringMatching(/^shallow clone: /)]);
    expect((await checkRepository(src.dir, { home: path.join(tmp, 'no-store') })).notes).toEqual([]);
  });

  it('an empty repository (no commits) is checked, not a crash', async () => {
    const r = await checkRepository(new TestRepo().dir, { home: path.join(tmp, 'no-store') });
    expect(r.head).toBeNull();
    expect(r.checks.find((c) => c.name === 'Maintained')!.score).toBeNull();
  });

  it('a folder that is not a git work tree, or is missing, is a VouchError naming it', async () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'vouch-notgit-'));
    try {
      await expect(checkRepository(plain)).rejects.toThrow(VouchError);
      await expect(checkRepository(plain)).rejects.toThrow(/not a git work tree/);
      await expect(checkRepository(path.join(plain, 'nope'))).rejects.toMatchObject({ code: 'INPUT_MISSING' });
      const bare = path.join(plain, 'bare.git');
      repo().git(['clone', '-q', '--bare', '.', bare]);
      await expect(checkRepository(bare)).rejects.toThrow(/not a git work tree/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
