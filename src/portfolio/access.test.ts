import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { createToken, listTokens, revokeToken, scopeOf, scopedProjectIds, verifyToken } from './access.js';
import { createProject, getProject, listProjects, listVersions, updateProject } from './projects.js';

describe.each(testDbs())('tokens on $name', (kind) => {
  let t: TestDb;
  beforeEach(async () => (t = await freshDb(kind)));
  afterEach(() => t.close());

  it('stores only the SHA-256 of a token; the token verifies until revoked', async () => {
    const { id, token } = await createToken(t.db, { name: 'ci', role: 'uploader', projects: ['billing'] });
    expect(token).toMatch(/^vouch_[A-Za-z0-9_-]{43}$/); // 32 bytes in base64url, unpadded
    const row = await t.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token.slice(6));
    expect(await verifyToken(t.db, token)).toEqual({ tokenId: id, name: 'ci', role: 'uploader', projects: ['billing'] });
    expect(await verifyToken(t.db, token + 'x')).toBeUndefined();
    expect(await verifyToken(t.db, 'not-a-token')).toBeUndefined();
    expect(await revokeToken(t.db, id)).toBe(true);
    expect(await revokeToken(t.db, id)).toBe(false);
    expect(await verifyToken(t.db, token)).toBeUndefined();
    expect(await listTokens(t.db)).toEqual([{ id, name: 'ci', role: 'uploader', projects: ['billing'], createdAt: row.created_at, revokedAt: expect.any(String) }]);
  });

  it('refuses an unknown role and a token limited both ways', async () => {
    await expect(createToken(t.db, { name: 'x', role: 'root' as never })).rejects.toThrow(/unknown role/);
    await expect(createToken(t.db, { name: 'x', role: 'viewer', projects: ['a'], tag: 't' })).rejects.toThrow(/not both/);
  });

  it('scopeOf: projects, else tag, else everything', () => {
    expect(scopeOf({ tokenId: '1', name: 'a', role: 'viewer', projects: ['x'] })).toEqual({ projects: ['x'] });
    expect(scopeOf({ tokenId: '1', name: 'a', role: 'viewer', tag: 'team-a' })).toEqual({ tag: 'team-a' });
    expect(scopeOf({ tokenId: '1', name: 'a', role: 'admin' })).toEqual({ all: true });
  });
});

describe.each(testDbs())('projects and collections on $name', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await freshDb(kind);
    await createProject(t.db, { name: 'payments', tags: ['team-a'], owners: ['a-team@example.com'] });
    await createProject(t.db, { name: 'payments-api', parent: 'payments', tags: ['team-a'] });
    await createProject(t.db, { name: 'payments-worker', parent: 'payments' });
    await createProject(t.db, { name: 'search', tags: ['team-b'], owners: ['b-team'] });
  });
  afterEach(() => t.close());

  it('a project with its parent, children, tags and owners', async () => {
    expect(await getProject(t.db, 'payments', { all: true })).toEqual({
      name: 'payments',
      children: ['payments-api', 'payments-worker'],
      tags: ['team-a'],
      owners: ['a-team@example.com'],
      createdAt: expect.any(String),
      open: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NONE: 0, UNKNOWN: 0, kev: 0 },
    });
    expect((await getProject(t.db, 'payments-api', { all: true }))?.parent).toBe('payments');
    await expect(createProject(t.db, { name: 'payments' })).rejects.toMatchObject({ kind: 'conflict' });
    await expect(createProject(t.db, { name: 'x', parent: 'nope' })).rejects.toMatchObject({ kind: 'not_found' });
    await expect(createProject(t.db, { name: ' bad' })).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('a tag or project scope covers the projects named and their descendants; the rest behave as absent', async () => {
    const tagB = { tag: 'team-b' };
    expect(await getProject(t.db, 'payments', tagB)).toBeUndefined();
    expect(await listVersions(t.db, 'payments', tagB)).toBeUndefined();
    expect(await updateProject(t.db, 'payments', { tags: ['x'] }, tagB)).toBeUndefined();
    expect((await listProjects(t.db, tagB)).items.map((p) => p.name)).toEqual(['search']);
    // payments-worker has no tag, but it is a child of a team-a project
    expect((await listProjects(t.db, { tag: 'team-a' })).items.map((p) => p.name)).toEqual(['payments', 'payments-api', 'payments-worker']);
    // a child seen alone does not show the parent it is not allowed to see
    const onlyApi = { projects: ['payments-api'] };
    expect(await getProject(t.db, 'payments-api', onlyApi)).toEqual(expect.not.objectContaining({ parent: expect.anything() }));
    expect(await scopedProjectIds(t.db, { projects: [] })).toEqual([]);
    expect(await scopedProjectIds(t.db, { all: true })).toBeUndefined();
  });

  it('pages through projects by name with an opaque cursor', async () => {
    const p1 = await listProjects(t.db, { all: true }, { limit: 3 });
    expect(p1.items.map((p) => p.name)).toEqual(['payments', 'payments-api', 'payments-worker']);
    const p2 = await listProjects(t.db, { all: true }, { limit: 3, cursor: p1.next! });
    expect(p2.items.map((p) => p.name)).toEqual(['search']);
    expect(p2.next).toBeUndefined();
    await expect(listProjects(t.db, { all: true }, { cursor: '!!' })).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('updates tags, owners and parent; a collection cannot contain itself', async () => {
    const u = await updateProject(t.db, 'search', { parent: 'payments', tags: ['team-a', 'team-b'], owners: [] });
    expect(u).toMatchObject({ parent: 'payments', tags: ['team-a', 'team-b'], owners: [] });
    await expect(updateProject(t.db, 'payments', { parent: 'payments-api' })).rejects.toMatchObject({ kind: 'conflict' });
    await expect(updateProject(t.db, 'payments', { parent: 'payments' })).rejects.toMatchObject({ kind: 'conflict' });
    expect((await updateProject(t.db, 'search', { parent: null }))?.parent).toBeUndefined();
  });
});
