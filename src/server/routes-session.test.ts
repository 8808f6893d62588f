/**
 * Dashboard sessions through fastify.inject, on SQLite and (VOUCH_TEST_PG) PostgreSQL: signing in
 * with a token sets an httpOnly SameSite=Strict cookie whose secret is stored only hashed; the cookie
 * then authenticates like the token; changes made with it must come from our origin (CSRF); signing
 * out, expiry and revoking the token end it; Bearer callers are unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createToken, revokeToken } from '../portfolio/access.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { buildApp, type JobSender } from './app.js';
import { verifySession } from './session.js';

const queue: JobSender = { send: () => Promise.resolve('job'), stats: () => Promise.resolve({ queued: 0, running: 0, failed: 0 }) };

/** The session cookie ("name=value") and its attributes from a set-cookie header. */
function cookieOf(setCookie: string | string[] | undefined): { pair: string; attrs: string[]; value: string } {
  const raw = Array.isArray(setCookie) ? setCookie[0]! : setCookie!;
  const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
  return { pair: pair!, attrs, value: pair!.slice(pair!.indexOf('=') + 1) };
}

describe.each(testDbs())('dashboard sessions on $name', (kind) => {
  let t: TestDb;
  let app: FastifyInstance;
  let secure: FastifyInstance;
  let viewer: { id: string; token: string };
  let maint: { id: string; token: string };
  const HOST = { host: 'vouch.test' };

  beforeAll(async () => {
    t = await freshDb(kind);
    app = await buildApp({ opened: t, queue, logger: false });
    secure = await buildApp({ opened: t, queue, logger: false, publicUrl: 'https://vouch.example.org/' });
    viewer = await createToken(t.db, { name: 'team-pay', role: 'viewer', tag: 'payments' });
    maint = await createToken(t.db, { name: 'maint', role: 'maintainer' });
  });
  afterAll(async () => {
    await app?.close();
    await secure?.close();
    await t?.close();
  });

  const signIn = async (token: string, a: FastifyInstance = app, headers: Record<string, string> = HOST) => {
    const r = await a.inject({ method: 'POST', url: '/api/v1/session', headers, payload: { token } });
    expect(r.statusCode, r.body).toBe(201);
    return cookieOf(r.headers['set-cookie']);
  };

  it('signs in with a token: an httpOnly SameSite=Strict cookie, the secret stored only as a hash', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/session', headers: HOST, payload: { token: viewer.token } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ name: 'team-pay', role: 'viewer', tag: 'payments', via: 'token' });
    const c = cookieOf(r.headers['set-cookie']);
    expect(c.pair).toMatch(/^vouch_session=vsess_[A-Za-z0-9_-]{43}$/);
    expect(c.attrs).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict']));
    expect(c.attrs).not.toContain('Secure'); // plain http without --public-url https://
    // beside it, a marker the app's JavaScript may read: no secret in it
    const marker = (r.headers['set-cookie'] as string[])[1]!;
    expect(marker).toMatch(/^vouch_signed_in=1; Path=\/; Expires=[^;]+; SameSite=Strict$/);
    // the expiry is 12 hours away
    const expires = Date.parse(c.attrs.find((a) => a.startsWith('Expires='))!.slice(8));
    expect(Math.abs(expires - (Date.now() + 12 * 3600_000))).toBeLessThan(60_000);
    const rows = await t.db.selectFrom('sessions').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(c.value);
    // the token is not in the answer either
    expect(r.body).not.toContain(viewer.token);
  });

  it('the cookie authenticates like the token: GET /session says who and how, reads are scoped', async () => {
    const c = await signIn(viewer.token);
    const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { ...HOST, cookie: c.pair } });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ name: 'team-pay', role: 'viewer', tag: 'payments', via: 'token' });
    expect(typeof (me.json() as { expiresAt: string }).expiresAt).toBe('string');
    const bearer = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { authorization: `Bearer ${maint.token}` } });
    expect(bearer.json()).toEqual({ name: 'maint', role: 'maintainer', via: 'bearer' });
    // a viewer's session may not create projects (its role), whatever the origin
    const post = await app.inject({ method: 'POST', url: '/api/v1/projects', headers: { ...HOST, cookie: c.pair, origin: 'http://vouch.test' }, payload: { name: 'x' } });
    expect(post.statusCode).toBe(403);
    expect(post.json()).toMatchObject({ status: 403 });
    expect(post.body).toContain('a viewer token may not POST');
  });

  it('refuses a wrong token, a made-up cookie and no credential with 401 problems', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/session', headers: HOST, payload: { token: 'vouch_notatoken' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const made = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: 'vouch_session=vsess_madeup' } });
    expect(made.statusCode).toBe(401);
    expect(made.json()).toMatchObject({ detail: 'the session expired or was signed out: sign in again' });
    expect(cookieOf(made.headers['set-cookie']).attrs).toContain('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    const none = await app.inject({ method: 'GET', url: '/api/v1/session' });
    expect(none.statusCode).toBe(401);
    const empty = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { token: '' } });
    expect(empty.statusCode).toBe(400);
  });

  it('CSRF: a change made with the cookie must come from our origin; Bearer callers are not checked', async () => {
    const c = await signIn(maint.token);
    const create = (name: string, headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/v1/projects', headers: { ...HOST, ...headers }, payload: { name } });
    const evil = await create('from-evil', { cookie: c.pair, origin: 'https://evil.example' });
    expect(evil.statusCode).toBe(403);
    expect(evil.body).toContain('https://evil.example may not change anything');
    // a sibling host or another port is another origin
    expect((await create('from-port', { cookie: c.pair, origin: 'http://vouch.test:8081' })).statusCode).toBe(403);
    // no Origin and no Sec-Fetch-Site (a form post from an old browser, curl with a stolen cookie)
    expect((await create('no-origin', { cookie: c.pair })).statusCode).toBe(403);
    expect((await create('cross-site', { cookie: c.pair, 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    // from the app itself
    expect((await create('same-origin', { cookie: c.pair, origin: 'http://vouch.test' })).statusCode).toBe(201);
    expect((await create('fetch-meta', { cookie: c.pair, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
    // reads need no origin
    expect((await app.inject({ method: 'GET', url: '/api/v1/projects', headers: { cookie: c.pair, origin: 'https://evil.example' } })).statusCode).toBe(200);
    // the CLI's bearer token from anywhere, as before
    expect((await create('bearer', { authorization: `Bearer ${maint.token}`, origin: 'https://evil.example' })).statusCode).toBe(201);
    const names = (await t.db.selectFrom('projects').select('name').execute()).map((p) => p.name).sort();
    expect(names).toEqual(['bearer', 'fetch-meta', 'same-origin']);
  });

  it('refuses a sign-in posted by another site (login CSRF)', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/session', headers: { ...HOST, origin: 'https://evil.example' }, payload: { token: viewer.token } });
    expect(r.statusCode).toBe(403);
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('behind https (--public-url): a Secure __Host- cookie, and only that origin may change state', async () => {
    const r = await secure.inject({ method: 'POST', url: '/api/v1/session', headers: { origin: 'https://vouch.example.org' }, payload: { token: maint.token } });
    expect(r.statusCode, r.body).toBe(201);
    const c = cookieOf(r.headers['set-cookie']);
    expect(c.pair.startsWith('__Host-vouch_session=vsess_')).toBe(true);
    expect(c.attrs).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict']));
    expect(c.attrs.some((a) => a.startsWith('Domain'))).toBe(false);
    expect((r.headers['set-cookie'] as string[])[1]).toMatch(/^__Host-vouch_signed_in=1; Path=\/; Expires=[^;]+; Secure; SameSite=Strict$/);
    const create = (name: string, origin: string) => secure.inject({ method: 'POST', url: '/api/v1/projects', headers: { cookie: c.pair, origin }, payload: { name } });
    expect((await create('plain-http', 'http://vouch.example.org')).statusCode).toBe(403);
    expect((await create('tls', 'https://vouch.example.org')).statusCode).toBe(201);
    // the plain cookie name means nothing there
    expect((await secure.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `vouch_session=${c.value}` } })).statusCode).toBe(401);
  });

  it('signing out ends the session (from our origin only) and clears the cookie', async () => {
    const c = await signIn(viewer.token);
    const evil = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { ...HOST, cookie: c.pair, origin: 'https://evil.example' } });
    expect(evil.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: c.pair } })).statusCode).toBe(200);
    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { ...HOST, cookie: c.pair, origin: 'http://vouch.test' } });
    expect(out.statusCode).toBe(204);
    expect(out.headers['set-cookie']).toEqual([
      'vouch_session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict',
      'vouch_signed_in=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict',
    ]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: c.pair } })).statusCode).toBe(401);
    // again, and without any cookie: nothing to do, still 204
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { ...HOST, cookie: c.pair, origin: 'http://vouch.test' } })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/session' })).statusCode).toBe(204);
  });

  it('an expired session is refused', async () => {
    const c = await signIn(viewer.token);
    expect(await verifySession(t.db, c.value)).toBeDefined();
    expect(await verifySession(t.db, c.value, new Date(Date.now() + 12 * 3600_000 + 1000))).toBeUndefined();
    await t.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('subject', '=', `token:${viewer.id}`).execute();
    const r = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: c.pair } });
    expect(r.statusCode).toBe(401);
  });

  it('revoking the token ends its sessions; a session follows its token (no copy of the role)', async () => {
    const tok = await createToken(t.db, { name: 'short-lived', role: 'admin' });
    const c = await signIn(tok.token);
    expect((await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: { cookie: c.pair } })).statusCode).toBe(200);
    await revokeToken(t.db, tok.id);
    const r = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: { cookie: c.pair } });
    expect(r.statusCode).toBe(401);
    // a revoked token cannot sign in either
    expect((await app.inject({ method: 'POST', url: '/api/v1/session', payload: { token: tok.token } })).statusCode).toBe(401);
  });

  it('signing in is limited to 30 tries a minute per address', async () => {
    const fresh = await buildApp({ opened: t, queue, logger: false });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 31; i++) codes.push((await fresh.inject({ method: 'POST', url: '/api/v1/session', payload: { token: `vouch_guess-${i}` } })).statusCode);
      expect(codes.slice(0, 30).every((c) => c === 401)).toBe(true);
      expect(codes[30]).toBe(429);
    } finally {
      await fresh.close();
    }
  });

  it('says which ways in there are', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/session/options' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ token: true, oidc: false });
  });
});
