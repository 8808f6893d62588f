import { describe, expect, it } from 'vitest';
import { matchVolunteers } from './match.js';
import { fit } from './skills.js';
import type { Need, Volunteer } from './types.js';

function need(id: string, areas: string[], priority: number, effort: 'S' | 'M' | 'L', languages: string[] = []): Need {
  const hours = { S: 8, M: 40, L: 80 }[effort];
  return {
    id: `npm/${id}`,
    kind: 'health',
    project: { ecosystem: 'npm', name: id.split('#')[0]! },
    title: id,
    task: 'do it',
    reason: `reason of ${id}`,
    evidence: [],
    skills: { languages, ecosystems: ['npm'], areas, domains: [] },
    effort,
    hours,
    priority,
    score: { reliance: priority, criticality: 1, criticalitySource: 'clone', gapWeight: 1, gap: 'test' },
  };
}

function volunteer(name: string, skills: string[], hoursPerMonth: number, extra: Partial<Volunteer> = {}): Volunteer {
  return { name, languages: ['JavaScript'], ecosystems: ['npm'], skills, domains: [], hoursPerMonth, interests: [], ...extra };
}

describe('fit', () => {
  it('spells out what fits, and why nothing does', () => {
    const n = need('mylib#fuzzing', ['fuzzing'], 1, 'L', ['JavaScript', 'TypeScript']);
    expect(fit(volunteer('Ada', ['fuzzing'], 10, { interests: ['npm/mylib'] }), n)).toEqual({ fit: 1, why: 'areas fuzzing (1/1), language JavaScript, ecosystem npm, interest in npm/mylib' });
    expect(fit(volunteer('Bo', ['fuzzing'], 10, { languages: ['Go'], ecosystems: ['Go'] }), n)).toEqual({ fit: 0, why: '', noFit: 'no shared language (needs JavaScript or TypeScript)' });
    expect(fit(volunteer('Cy', ['ci-security'], 10), n).noFit).toBe('no shared area (needs fuzzing)');
    // 0.5 × 1/2 areas + 0.2 ecosystem (not shared: 0) + 0.2 (no domain asked) = 0.45
    expect(fit(volunteer('Di', ['ci-security'], 10, { ecosystems: ['PyPI'] }), need('x#y', ['ci-security', 'release-engineering'], 1, 'S')).fit).toBe(0.45);
  });
});

describe('matchVolunteers', () => {
  it('the optimum, not the greedy choice, with reasons, helpers, the unmatched and the idle explained', async () => {
    const needs = [
      need('a#security-policy', ['security-policy'], 4, 'S'),
      need('b#pinned-dependencies', ['ci-security'], 3, 'S'),
      need('c#fuzzing', ['fuzzing'], 5, 'L', ['Go']),
      need('d#token-permissions', ['ci-security'], 1, 'S'),
    ];
    const vols = [
      // 8 h over one month: Ada could take a (4 × 0.9) or b (3 × 0.9); only she can do b
      volunteer('Ada', ['security-policy', 'ci-security'], 8),
      // Bo can only do a
      volunteer('Bo', ['security-policy'], 8),
      volunteer('Cy', ['testing'], 20),
      volunteer('Di', ['ci-security'], 0),
    ];
    const r = await matchVolunteers(needs, vols, { months: 1 });
    // greedy by priority would give a to Ada and leave b undone (value 3.6); the optimum: Bo → a, Ada → b = 3.6 + 2.7
    expect(r.assignments.map((a) => [a.needId, a.lead.volunteer, a.lead.hours])).toEqual([
      ['npm/a#security-policy', 'Bo', 8],
      ['npm/b#pinned-dependencies', 'Ada', 8],
    ]);
    expect(r.objective).toBeCloseTo(4 * 0.9 + 3 * 0.9, 6);
    expect(r.assignments[0]!.why).toBe('priority 4 = reliance 4 × criticality 1 × gap 1 [test]; from: reason of a#security-policy; Bo fits 0.9: areas security-policy (1/1), ecosystem npm');
    expect(r.unmatched).toEqual([
      { needId: 'npm/c#fuzzing', title: 'c#fuzzing', priority: 5, why: 'nobody offers fuzzing' },
      { needId: 'npm/d#token-permissions', title: 'd#token-permissions', priority: 1, why: 'the volunteers who fit (Ada, Di) give their hours to needs of higher priority × fit per hour' },
    ]);
    expect(r.volunteers.find((v) => v.name === 'Cy')!.why).toBe('fits no need (skills: testing; languages: JavaScript)');
    expect(r.volunteers.find((v) => v.name === 'Di')!.why).toBe('no hours in 1 month(s) (hours_per_month 0)');
  });

  it('a need bigger than anyone\'s hours is shared: one lead (most hours), the others help', async () => {
    const r = await matchVolunteers([need('big#maintained', ['maintenance'], 2, 'M')], [volunteer('Ada', ['maintenance'], 10), volunteer('Bo', ['maintenance'], 25)], { months: 1 });
    expect(r.assignments).toHaveLength(1);
    const a = r.assignments[0]!;
    expect([a.lead.volunteer, a.lead.hours, a.helpers.map((h) => [h.volunteer, h.hours])]).toEqual(['Bo', 25, [['Ada', 10]]]);
    expect(a.value).toBeCloseTo((2 * 0.9 * 35) / 40, 3);
  });

  it('no needs, no volunteers, no hours: explained empty results', async () => {
    expect((await matchVolunteers([], [volunteer('Ada', ['fuzzing'], 10)])).empty).toBe('no needs to match (the portfolio has none)');
    expect((await matchVolunteers([need('a#x', ['fuzzing'], 1, 'S')], [])).empty).toBe('no volunteers to match (the volunteers file lists none)');
    const r = await matchVolunteers([need('a#x', ['fuzzing'], 1, 'S')], [volunteer('Ada', ['fuzzing'], 0)]);
    expect(r.empty).toBe('no volunteer has hours in the next 3 month(s)');
    expect(r.unmatched[0]!.why).toBe('the volunteers who fit (Ada) have no hours');
  });
});
