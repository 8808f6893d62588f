import { afterAll, describe, expect, it } from 'vitest';
import { type Author, TestRepo, cleanupRepos, gpgKey, sshKey } from './__fixtures__/git-repo.js';
import { codeReview, contributors, maintained, orgOfEmail, reviewVerdict, signedReleases } from './checks-history.js';
import { loadContext } from './context.js';

afterAll(cleanupRepos);

const NOW = Math.floor(Date.parse('2025-06-01T00:00:00Z') / 1000);
const ctx = (r: TestRepo): ReturnType<typeof loadContext> => loadContext(r.dir, NOW);

describe('Maintained', () => {
  it('one commit a week over the last 90 days → 10', async () => {
    // 14 weekly commits from 2025-02-23 to 2025-05-25; the window starts 2025-03-03, so 02-23 and 03-02 fall out: 12 = 90/7 weeks
    const r = new TestRepo().commit('old', '2024-01-01T00:00:00Z').commits(14, '2025-02-23T00:00:00Z', 7);
    const m = maintained(await ctx(r));
    expect(m.reason).toMatch(/^12 commit\(s\) in the last 90 days/);
    expect(m.score).toBe(10);
  });
  it('3 recent commits → floor(10·3/12) = 2; none → 0', async () => {
    const r = new TestRepo().commit('old', '2024-01-01T00:00:00Z').commits(3, '2025-05-01T00:00:00Z', 1);
    expect(maintained(await ctx(r)).score).toBe(2);
    const dead = new TestRepo().commits(5, '2023-01-01T00:00:00Z', 30);
    expect(maintained(await ctx(dead)).score).toBe(0);
  });
  it('a repository younger than 90 days gets 0 with the reason (Scorecard)', async () => {
    const r = new TestRepo().commits(20, '2025-04-01T00:00:00Z', 2);
    const m = maintained(await ctx(r));
    expect(m.score).toBe(0);
    expect(m.reason).toContain('younger than 90 days');
  });
});

describe('Contributors', () => {
  const a: Author = { name: 'A', email: 'a@alpha.example' };
  const b: Author = { name: 'B', email: 'b@mail.beta.example' };
  const c: Author = { name: 'C', email: 'c@gamma.example' };
  const g: Author = { name: 'G', email: 'g@gmail.com' };
  it('3 organisations with 5+ commits each → 10', async () => {
    const r = new TestRepo();
    let day = 1;
    for (const who of [a, b, c, g]) for (let i = 0; i < 5; i++) r.commit(`c${day}`, `2025-05-${String(day++).padStart(2, '0')}T00:00:00Z`, who);
    const res = contributors(await ctx(r));
    expect(res.score).toBe(10);
    expect(res.evidence.map((e) => e.detail.split(':')[0]).sort()).toEqual(['organisation alpha.example', 'organisation beta.example', 'organisation gamma.example']);
  });
  it('one organisation plus public-mail and drive-by authors → floor(10/3) = 3', async () => {
    const r = new TestRepo();
    for (let i = 0; i < 6; i++) r.commit(`a${i}`, `2025-05-0${i + 1}T00:00:00Z`, a);
    for (let i = 0; i < 6; i++) r.commit(`g${i}`, `2025-05-1${i}T00:00:00Z`, g);
    r.commit('drive-by', '2025-05-20T00:00:00Z', c);
    expect(contributors(await ctx(r)).score).toBe(3);
  });
  it.each([
    ['x@gmail.com', undefined],
    ['123+bob@users.noreply.github.com', undefined],
    ['bot@noreply.example.com', undefined],
    ['dev@eng.google.com', 'google.com'],
    ['dev@corp.example.co.uk', 'example.co.uk'],
  ])('orgOfEmail(%s) = %s', (email, org) => {
    expect(orgOfEmail(email)).toBe(org);
  });
});

describe('Code-Review', () => {
  const bob: Author = { name: 'Bob', email: 'bob@acme.example' };
  const web: Author = { name: 'GitHub', email: 'noreply@github.com' };
  it('changes merged through PR merges, review trailers and squash merges → 10', async () => {
    const r = new TestRepo().commit('base', '2025-01-01T00:00:00Z');
    r.git(['checkout', '-q', '-b', 'feature']);
    r.commit('feature work', '2025-01-02T00:00:00Z', bob);
    r.git(['checkout', '-q', 'main']);
    r.git(['merge', '-q', '--no-ff', '-m', 'Merge pull request #1 from bob/feature', 'feature'], {
      GIT_AUTHOR_NAME: 'Alice', GIT_AUTHOR_EMAIL: 'alice@acme.example', GIT_AUTHOR_DATE: '2025-01-03T00:00:00Z',
      GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com', GIT_COMMITTER_DATE: '2025-01-03T00:00:00Z',
    });
    r.commit('Fix parser (#2)', '2025-01-04T00:00:00Z', bob, web);
    r.commit('Tidy docs\n\nReviewed-by: Carol <carol@acme.example>', '2025-01-05T00:00:00Z', bob);
    const c = await ctx(r);
    // the base commit is the only direct one: count only the last 3 mainline changes
    c.mainline = c.mainline.slice(0, 3);
    const res = codeReview(c);
    expect(res.score).toBe(10);
    expect(c.mainline.map((x) => reviewVerdict(x).why)).toEqual(['trailer Reviewed-by', 'squash-merged pull request', 'merge commit']);
  });
  it('one direct human commit → 3; several → 0; bots alone → not run', async () => {
    const one = new TestRepo().commit('Fix (#1)', '2025-01-01T00:00:00Z', bob, { name: 'GitHub', email: 'noreply@github.com' }).commit('direct push', '2025-01-02T00:00:00Z');
    expect(codeReview(await ctx(one)).score).toBe(3);
    const many = new TestRepo().commits(4, '2025-01-01T00:00:00Z', 1);
    expect(codeReview(await ctx(many)).score).toBe(0);
    const bots = new TestRepo().commit('bump x', '2025-01-01T00:00:00Z', { name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com' });
    expect(codeReview(await ctx(bots)).score).toBeNull();
  });
});

describe('Signed-Releases', () => {
  const ssh = (key: string): string[] => ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`, '-c', 'user.name=Alice', '-c', 'user.email=alice@acme.example'];
  it('ssh-signed tags: "signed, not verified" without keys; verified with --allowed-signers', async () => {
    const k = sshKey();
    const r = new TestRepo().commit('one', '2025-01-01T00:00:00Z');
    r.tag('v1.0.0', '2025-01-01T00:00:00Z', ['-s', '-m', 'v1.0.0'], ssh(k.key));
    r.commit('two', '2025-02-01T00:00:00Z');
    r.tag('v1.1.0', '2025-02-01T00:00:00Z', ['-s', '-m', 'v1.1.0'], ssh(k.key));
    const c = await ctx(r);
    const plain = await signedReleases(c);
    expect(plain.score).toBe(10);
    expect(plain.evidence[0]!.detail).toBe('tag v1.1.0: tag signed (ssh), not verified (give --gpg-keyring or --allowed-signers)');
    const verified = await signedReleases(c, { allowedSigners: k.allowedSigners });
    expect(verified.score).toBe(10);
    expect(verified.reason).toBe('2 of the last 2 tag(s) verified');
  });
  it('a signature by a key not in allowed_signers does not verify; unsigned tags fail', async () => {
    const signer = sshKey();
    const other = sshKey();
    const r = new TestRepo().commit('one', '2025-01-01T00:00:00Z');
    r.tag('v1', '2025-01-01T00:00:00Z', ['-s', '-m', 'v1'], ssh(signer.key));
    r.commit('two', '2025-02-01T00:00:00Z');
    r.tag('v2', '2025-02-01T00:00:00Z', ['-a', '-m', 'v2']);
    r.commit('three', '2025-03-01T00:00:00Z');
    r.tag('v3', '2025-03-01T00:00:00Z');
    const c = await ctx(r);
    const res = await signedReleases(c, { allowedSigners: other.allowedSigners });
    expect(res.score).toBe(0);
    expect(res.evidence.map((e) => e.detail)).toEqual([
      'tag v3: neither the tag nor its commit is signed',
      'tag v2: neither the tag nor its commit is signed',
      expect.stringMatching(/^tag v1: tag signature \(ssh\) does NOT verify: /),
    ]);
    const unverified = await signedReleases(c);
    expect(unverified.score).toBe(3); // 1 of 3 signed → floor(10/3)
  });
  it("a tag whose commit is signed only by GitHub's web-flow key is not a signed release", async () => {
    const k = sshKey('noreply@github.com');
    const r = new TestRepo();
    r.git([...ssh(k.key), 'commit', '-q', '-S', '--allow-empty', '-m', 'Merge pull request #9'], {
      GIT_AUTHOR_NAME: 'Alice', GIT_AUTHOR_EMAIL: 'alice@acme.example', GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
      GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com', GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
    });
    r.tag('v1', '2025-01-01T00:00:00Z');
    const res = await signedReleases(await ctx(r));
    expect(res.score).toBe(0);
    expect(res.evidence[0]!.detail).toContain("GitHub's web-flow key");
  });
  it('gpg-signed tag: verified with the signer\'s keyring, not with another key\'s', async () => {
    const signer = gpgKey();
    const other = gpgKey('Mallory <mallory@evil.example>');
    const r = new TestRepo().commit('one', '2025-01-01T00:00:00Z');
    r.tag('v1', '2025-01-01T00:00:00Z', ['-s', '-m', 'v1'], ['-c', 'user.signingkey=alice@acme.example', '-c', 'user.name=Alice', '-c', 'user.email=alice@acme.example'], { GNUPGHOME: signer.home });
    const c = await ctx(r);
    expect((await signedReleases(c)).evidence[0]!.detail).toBe('tag v1: tag signed (gpg), not verified (give --gpg-keyring or --allowed-signers)');
    const ok = await signedReleases(c, { gpgKeyring: signer.keyring });
    expect(ok.reason).toBe('1 of the last 1 tag(s) verified');
    const bad = await signedReleases(c, { gpgKeyring: other.keyring });
    expect(bad.score).toBe(0);
    expect(bad.evidence[0]!.detail).toMatch(/^tag v1: tag signature \(gpg\) does NOT verify/);
  });
  it('no tags → not run', async () => {
    expect((await signedReleases(await ctx(new TestRepo().commit('x', '2025-01-01T00:00:00Z')))).score).toBeNull();
  });
});
