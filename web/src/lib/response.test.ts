import { describe, expect, it } from 'vitest';
import { NO_OWNER, burndownSeries, exactVers, formatDuration, groupTasks, packageOf, reachKey, triageGroups, triagePlan } from './response';

describe('formatDuration', () => {
  it('writes seconds, minutes, hours and days', () => {
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(47 * 3600 + 59 * 60)).toBe('47 h 59 min');
    expect(formatDuration(3 * 86_400 + 5 * 3600 + 12)).toBe('3 d 5 h');
  });
});

describe('groupTasks', () => {
  const t = (project: string, version: string, state: string, owners: string[]) => ({ project, version, state, owners });
  it('groups by owner then state; a task with two owners is under both, one without under "(no owner)", last', () => {
    const g = groupTasks([t('payments', '1', 'open', ['bob']), t('billing', '2', 'patched', ['alice', 'bob']), t('goof', 'main', 'open', []), t('api', '1', 'open', ['bob']), t('x', '1', 'weird', ['alice'])]);
    expect(g.map((x) => [x.owner, x.total])).toEqual([
      ['alice', 2],
      ['bob', 3],
      [NO_OWNER, 1],
    ]);
    const bob = g[1]!;
    expect(bob.byState.open.map((x) => x.project)).toEqual(['api', 'payments']);
    expect(bob.byState.patched.map((x) => x.project)).toEqual(['billing']);
    expect(bob.byState.mitigated).toEqual([]);
    // an unknown state is shown among the open ones, never dropped
    expect(g[0]!.byState.open.map((x) => x.project)).toEqual(['x']);
  });
});

describe('burndownSeries', () => {
  it('converts to seconds and carries the last count to now', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    expect(burndownSeries([{ at: '2026-12-07T10:00:00Z', open: 2 }, { at: 'bad', open: 9 }, { at: '2026-12-07T11:00:00Z', open: 1 }], now)).toEqual({
      x: [Date.parse('2026-12-07T10:00:00Z') / 1000, Date.parse('2026-12-07T11:00:00Z') / 1000, now.getTime() / 1000],
      y: [2, 1, 1],
    });
    expect(burndownSeries([], now)).toEqual({ x: [], y: [] });
  });
});

describe('triage for all', () => {
  const L = 'pkg:maven/org.apache.logging.log4j/log4j-core';
  it('packageOf drops the version, qualifiers and subpath', () => {
    expect(packageOf(`${L}@2.14.1`)).toBe(L);
    expect(packageOf('pkg:npm/%40babel/core@7.0.0?x=1#sub')).toBe('pkg:npm/%40babel/core');
    expect(packageOf(L)).toBe(L);
  });
  it('exactVers lists the chosen versions, sorted and deduplicated, with vers special characters encoded', () => {
    expect(exactVers(L, ['2.14.1', '2.12.1', '2.14.1'])).toBe('vers:maven/2.12.1|2.14.1');
    expect(exactVers('pkg:npm/x', ['1.0.0-a|b'])).toBe('vers:npm/1.0.0-a%7Cb');
  });
  it('one bulk call when the bulk route would reach exactly the chosen pairs, single calls otherwise', () => {
    const chosen = [
      { project: 'billing', purl: `${L}@2.14.1` },
      { project: 'checkout', purl: `${L}@2.14.1` },
      { project: 'goof', purl: 'pkg:npm/lodash@4.17.4' },
    ];
    const groups = triageGroups(chosen);
    expect(groups.map((g) => [g.purl, g.range])).toEqual([
      [L, 'vers:maven/2.14.1'],
      ['pkg:npm/lodash', 'vers:npm/4.17.4'],
    ]);
    const reach = new Map([
      // log4j-core 2.14.1: exactly billing and checkout (one listed twice, from two versions)
      [reachKey(L, 'vers:maven/2.14.1'), [chosen[0]!, chosen[1]!, chosen[0]!]],
      // lodash 4.17.4: goof and nodegoat — nodegoat was not chosen
      [reachKey('pkg:npm/lodash', 'vers:npm/4.17.4'), [chosen[2]!, { project: 'nodegoat', purl: 'pkg:npm/lodash@4.17.4' }]],
    ]);
    const plan = triagePlan(chosen, reach);
    expect(plan.bulk.map((b) => [b.purl, b.range, b.targets.length])).toEqual([[L, 'vers:maven/2.14.1', 2]]);
    expect(plan.single).toEqual([chosen[2]]);
    // without the reach known, nothing goes in bulk
    expect(triagePlan(chosen, new Map()).single).toHaveLength(3);
  });
});
