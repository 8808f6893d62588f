import { afterAll, describe, expect, it } from 'vitest';
import { TestRepo, cleanupRepos } from './__fixtures__/git-repo.js';
import { loadContext } from './context.js';
import { PIKE, criticality, criticalityScore, signalTerm } from './criticality.js';

afterAll(cleanupRepos);

const { dependents_count: _d, ...REFERENCE } = PIKE;

describe('criticality score formula', () => {
  // Peer vectors: raw signals and default_score from the example CSV in
  // conformance/openssf/criticality_score/cmd/scorer/README.md (original_pike.yml weights).
  it.each([
    ['ashawkey/RAD-NeRF', [0, 0, 1, 1, 0.1, 0, 0, 0, 0, 0], 0.13958],
    ['trungdq88/Awesome-Black-Friday-Cyber-Monday', [0, 0, 274, 7, 17.19, 0, 356, 344, 0.19, 2], 0.43088],
    ['HuolalaTech/hll-wp-glog', [0, 0, 1, 0, 0.06, 1, 2, 0, 0, 0], 0.1277],
    ['flo-at/rustsnake', [0, 0, 2, 1, 0.44, 0, 2, 2, 2, 0], 0.20238],
  ])('%s → %s', (_name, v, expected) => {
    const [created, updated, contributors, orgs, freq, releases, updatedIssues, closedIssues, comments, mentions] = v as number[];
    const score = criticalityScore(
      {
        created_since: created,
        updated_since: updated,
        contributor_count: contributors,
        org_count: orgs,
        commit_frequency: freq,
        recent_release_count: releases,
        updated_issues_count: updatedIssues,
        closed_issues_count: closedIssues,
        issue_comment_frequency: comments,
        github_mention_count: mentions,
      },
      REFERENCE,
    );
    expect(score).toBe(expected);
  });

  it('signals that are missing drop out of both sums (hand-computed)', () => {
    // (log25/log121 + (1 − 0) + 2·log11/log5001 + log3/log11 + log2/log1001 + 0.5·0) / 6.5 = 0.42965
    const offline = { created_since: 24, updated_since: 0, contributor_count: 10, org_count: 2, commit_frequency: 1, recent_release_count: 0 };
    expect(criticalityScore(offline)).toBe(0.42965);
    // + dependents 3 with weight 2, bound 500000: (2.79273 + 2·log4/log500001) / 8.5 = 0.35341
    expect(criticalityScore({ ...offline, dependents_count: 3 })).toBe(0.35341);
  });

  it('values above the threshold count as 1; smaller-is-better inverts', () => {
    expect(signalTerm(5000, PIKE['contributor_count']!)).toBe(1);
    expect(signalTerm(99999, PIKE['contributor_count']!)).toBe(1);
    expect(signalTerm(120, PIKE['updated_since']!)).toBe(0);
    expect(signalTerm(0, PIKE['updated_since']!)).toBe(1);
  });
});

describe('criticality signals from a clone', () => {
  it('months since first/last commit, contributors, orgs, commits per week and tags in the last year', async () => {
    const r = new TestRepo()
      .commit('start', '2023-06-01T00:00:00Z', { name: 'A', email: 'a@alpha.example' })
      .commits(52, '2024-06-05T00:00:00Z', 7, { name: 'B', email: 'b@gmail.com' })
      .commit('last', '2025-05-01T00:00:00Z', { name: 'C', email: 'c@beta.example' })
      .commit('bump', '2025-05-01T00:00:00Z', { name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com' });
    r.tag('v1', '2025-05-01T00:00:00Z', ['-a', '-m', 'v1']);
    r.tag('v0', '2024-01-01T00:00:00Z', ['-a', '-m', 'v0']);
    const ctx = await loadContext(r.dir, Math.floor(Date.parse('2025-06-01T00:00:00Z') / 1000));
    const c = criticality(ctx, 4);
    expect(c.signals).toEqual({
      created_since: 24, // 2023-06-01 → 2025-06-01 is 731 days = 24 months of 30 days
      updated_since: 0, // the last weekly commit is 2025-05-28 (2024-06-05 + 51 weeks), 4 days before now
      contributor_count: 3, // A, B, C; dependabot is not a contributor
      org_count: 2, // gmail is a public provider
      commit_frequency: 1.04, // 52 weekly commits (2024-06-05 … 2025-05-28) + 'last' + 'bump' in the last 365 days → 54/52
      recent_release_count: 1,
      dependents_count: 4,
    });
    expect(c.notAvailable).toContain('github_mention_count');
  });
});
