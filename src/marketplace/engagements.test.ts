import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRepos } from '../health/__fixtures__/git-repo.js';
import { BOB, appLock, commitIn, healthyButForPolicyAndPins, placeClone } from './__fixtures__/portfolio.js';
import { collectNeeds } from './collect.js';
import { recheck } from './done-check.js';
import { FileEngagementRepository } from './engagement-file.js';
import { addLink, confirmDone, logHours, proposeEngagement, transition } from './engagements.js';
import { quarterReport, quarterBounds } from './report.js';
import type { Need } from './types.js';
import { VouchError } from '../model/errors.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vouch-market-eng-'));
afterAll(() => {
  cleanupRepos();
  rmSync(tmp, { recursive: true, force: true });
});
const NOW = new Date('2026-06-01T00:00:00Z');

describe('engagements', () => {
  it('"add a security policy" on a built repository becomes done after a commit adding SECURITY.md, by re-checking', async () => {
    const app = appLock(tmp, 'app', { mylib: '1.2.0' });
    const repos = path.join(tmp, 'repos');
    const clone = placeClone(healthyButForPolicyAndPins(), repos, 'mylib');
    const needs = await collectNeeds([app], { reposDir: repos, now: NOW, home: path.join(tmp, 'no-store') });
    const need = needs.needs.find((n) => n.id === 'npm/mylib#security-policy')!;
    const repo = new FileEngagementRepository(path.join(tmp, 'engagements.json'));
    const t = (d: string): { now: Date } => ({ now: new Date(d) });

    const e = await proposeEngagement(repo, need, { name: 'Ada', company: 'Acme' }, t('2026-06-02T09:00:00Z'));
    expect(e).toMatchObject({ state: 'proposed', volunteer: 'Ada', need: { id: need.id, check: { name: 'Security-Policy', score: 0 }, project: { clone } } });
    // one open engagement per need
    await expect(proposeEngagement(repo, need, { name: 'Bo' })).rejects.toThrow(/already has an open engagement/);
    // done is never set by hand, and the order is kept
    await expect(transition(repo, e.id, 'in_progress')).rejects.toThrow(/proposed: it cannot become in_progress \(it can become accepted or dropped\)/);
    await transition(repo, e.id, 'accepted', t('2026-06-03T09:00:00Z'));
    await expect(confirmDone(repo, e.id, (x) => recheck(x, { now: NOW }))).rejects.toThrow(/start it first/);
    await transition(repo, e.id, 'in_progress', t('2026-06-04T09:00:00Z'));
    await logHours(repo, e.id, 3, { date: '2026-06-05', note: 'drafted SECURITY.md' });
    await addLink(repo, e.id, 'https://github.com/example/mylib/pull/12');
    await expect(addLink(repo, e.id, 'http://github.com/example/mylib/pull/12')).rejects.toThrow(/https: URLs/);

    // not yet: the check still fails on the clone
    const before = await confirmDone(repo, e.id, (x) => recheck(x, { now: NOW }));
    expect(before.verdict.passed).toBe(false);
    expect(before.verdict.detail).toMatch(/^Security-Policy scores 0\/10 on .* \(still failing; to do: Add SECURITY\.md/);
    expect((await repo.get(e.id))!.state).toBe('in_progress');

    commitIn(clone, { 'SECURITY.md': '# Security\n\nReport vulnerabilities privately to security@mylib.example. We reply within 3 days and disclose fixed vulnerabilities after 90 days.\n' }, 'Add a security policy', '2026-06-06T10:00:00Z', BOB);
    const after = await confirmDone(repo, e.id, (x) => recheck(x, { now: new Date('2026-06-07T00:00:00Z') }), t('2026-06-07T00:00:00Z'));
    expect(after.verdict).toMatchObject({ passed: true });
    expect(after.verdict.detail).toMatch(/^Security-Policy scores 10\/10 on /);
    const done = (await repo.get(e.id))!;
    expect(done.state).toBe('done');
    expect(done.history.map((h) => h.to)).toEqual(['proposed', 'accepted', 'in_progress', 'done']);
    expect(done.outcome!.health).toBeGreaterThan(done.baseline.health!);
    await expect(transition(repo, e.id, 'dropped')).rejects.toThrow(/done: it cannot become dropped \(it is closed\)/);

    // the quarter's report: 3 h, one need closed, health before → after with risk = criticality × (10 − health)/10
    const r = quarterReport(await repo.list(), [{ company: 'Acme', quarter: '2026Q2', hours: 20 }], '2026Q2');
    expect(r).toMatchObject({ hours: 3, byCompany: [{ company: 'Acme', pledged: 20, given: 3 }], needsClosed: [{ need: need.id, volunteer: 'Ada' }] });
    const p = r.projects[0]!;
    expect(p).toMatchObject({ project: 'npm/mylib', hours: 3, closed: 1, healthBefore: done.baseline.health, healthAfter: done.outcome!.health });
    expect(p.riskBefore).toBeCloseTo((p.criticality * (10 - p.healthBefore!)) / 10, 2);
    expect(p.riskAfter!).toBeLessThan(p.riskBefore!);
    expect(quarterReport(await repo.list(), [], '2026Q3').empty).toMatch(/no hours logged and no need closed in 2026Q3/);
  });

  it('the engagements file: a stale revision is refused, a malformed file names the file and JSON path', async () => {
    const file = path.join(tmp, 'e2.json');
    const repo = new FileEngagementRepository(file);
    const need: Need = { id: 'npm/x#fuzzing', kind: 'health', title: 'Add fuzzing', task: 't', reason: 'r', evidence: [], skills: { languages: [], ecosystems: [], areas: ['fuzzing'], domains: [] }, effort: 'L', hours: 80, priority: 1, score: { reliance: 1, criticality: 0.5, criticalitySource: 'assumed', gapWeight: 1, gap: '' }, project: { ecosystem: 'npm', name: 'x' } };
    const e = await proposeEngagement(repo, need, { name: 'Ada' });
    await transition(repo, e.id, 'accepted');
    await expect(repo.update({ ...e, state: 'dropped', revision: e.revision + 1 })).rejects.toThrow(/changed by someone else meanwhile/);
    expect(JSON.parse(readFileSync(file, 'utf8')).engagements[0].state).toBe('accepted');
    writeFileSync(file, JSON.stringify({ schema: 'vouch-engagements/1', engagements: [{ id: 'x' }] }));
    const err = await repo.list().catch((x: unknown) => x);
    expect(err).toBeInstanceOf(VouchError);
    expect((err as VouchError).oneLine()).toMatch(/e2\.json \(\$\.engagements\[0\]\): not an engagement/);
  });

  it.each([
    ['2026Q1', '2026-01-01', '2026-04-01'],
    ['2026Q4', '2026-10-01', '2027-01-01'],
  ])('quarter %s is [%s, %s)', (q, from, to) => {
    expect(quarterBounds(q)).toEqual({ from, to });
  });
});
