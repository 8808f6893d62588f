/**
 * OpenID Connect sign-in end to end: the small provider of oidc-testing.ts (discovery, authorize,
 * token, JWKS, userinfo — RS256 ID tokens signed with node:crypto, PKCE S256 and client secret
 * checked) runs on a real loopback HTTP server; the vouch app is driven through fastify.inject, on SQLite and
 * (VOUCH_TEST_PG) PostgreSQL. Group claims map to roles; state is used once; a wrong nonce, a
 * replayed or forged state, a group that maps to nothing and a `next` off our origin are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { VouchError } from '../model/errors.js';
import { type TestDb, freshDb, testDbs } from '../testing/db.js';
import { buildApp, type JobSender } from './app.js';
import { discoverOidc, localPath, mapGroups, parseRoleMappings } from './oidc.js';
import { createHash } from 'node:crypto';
import { CLIENT_ID, CLIENT_SECRET, type User, b64url, startProvider } from './oidc-testing.js';

const queue: JobSender = { send: () => Promise.resolve('job'), stats: () => Promise.resolve({ queued: 0, running: 0, failed: 0 }) };
const PUBLIC_URL = 'http://vouch.test';

describe('OpenID Connect role mappings', () => {
  it('parses group=role[:tag=T|:projects=A|B] and refuses anything else with a usage error', () => {
    expect(parseRoleMappings('secteam=admin,devs=viewer:tag=payments, web=maintainer:projects=shop|cart')).toEqual([
      { group: 'secteam', role: 'admin' },
      { group: 'devs', role: 'viewer', tag: 'payments' },
      { group: 'web', role: 'maintainer', projects: ['shop', 'cart'] },
    ]);
    for (const bad of ['', 'secteam', 'secteam=root', 'secteam=admin:tag=x', 'devs=viewer:owner=x']) expect(() => parseRoleMappings(bad), bad).toThrow(VouchError);
  });

  it('picks the most powerful matching role, an unlimited one between equals', () => {
    const m = parseRoleMappings('devs=viewer:tag=payments,ops=viewer,sec=admin,up=uploader');
    expect(mapGroups(['devs'], m)).toEqual({ group: 'devs', role: 'viewer', tag: 'payments' });
    expect(mapGroups(['devs', 'ops'], m)).toEqual({ group: 'ops', role: 'viewer' });
    expect(mapGroups(['up', 'devs', 'sec'], m)).toEqual({ group: 'sec', role: 'admin' });
    expect(mapGroups(['other'], m)).toBeUndefined();
    expect(mapGroups([], m)).toBeUndefined();
  });

  it('returns only to a path of this app', () => {
    expect(localPath('/projects/billing?version=1.0')).toBe('/projects/billing?version=1.0');
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/sign-in?next=/', '/api/v1/tokens', 'javascript:alert(1)', undefined, '/a b']) expect(localPath(bad), String(bad)).toBe('/');
  });
});

describe.each(testDbs())('OpenID Connect sign-in on $name', (kind) => {
  let t: TestDb;
  let app: FastifyInstance;
  let idp: Awaited<ReturnType<typeof startProvider>>;

  beforeAll(async () => {
    t = await freshDb(kind);
    idp = await startProvider();
    const oidc = await discoverOidc(
      { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, groupClaim: 'groups', roles: parseRoleMappings('secteam=admin,devs=viewer:tag=payments') },
      PUBLIC_URL,
    );
    app = await buildApp({ opened: t, queue, logger: false, publicUrl: PUBLIC_URL, oidc });
  });
  afterAll(async () => {
    await app?.close();
    await idp?.close();
    await t?.close();
  });

  /** login → the provider's authorize (a real HTTP request) → the callback URL it sends the browser to. */
  async function throughProvider(next: string): Promise<{ login: URL; callback: string }> {
    const r = await app.inject({ method: 'GET', url: `/api/v1/oidc/login?next=${encodeURIComponent(next)}` });
    expect(r.statusCode, r.body).toBe(302);
    const login = new URL(String(r.headers.location));
    const res = await fetch(login, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin).toBe(PUBLIC_URL);
    return { login, callback: back.pathname + back.search };
  }

  async function signIn(user: User, next = '/') {
    idp.state.user = user;
    const { login, callback } = await throughProvider(next);
    const r = await app.inject({ method: 'GET', url: callback });
    return { login, callback, r, location: String(r.headers.location), cookie: r.headers['set-cookie'] ? (r.headers['set-cookie'] as string[])[0]!.split(';')[0]! : undefined };
  }

  it('sends the browser to the provider with PKCE S256, state, nonce and our own redirect URI', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/oidc/login?next=/projects' });
    expect(r.statusCode).toBe(302);
    const u = new URL(String(r.headers.location));
    expect(`${u.origin}${u.pathname}`).toBe(`${idp.issuer}/authorize`);
    expect(u.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/api/v1/oidc/callback`);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('scope')).toContain('openid');
    const row = await t.db.selectFrom('oidc_logins').selectAll().where('state', '=', u.searchParams.get('state')!).executeTakeFirstOrThrow();
    expect(row.nonce).toBe(u.searchParams.get('nonce'));
    expect(row.next).toBe('/projects');
    // the challenge is the verifier's SHA-256: the verifier itself never leaves the server
    expect(b64url(createHash('sha256').update(row.verifier).digest())).toBe(u.searchParams.get('code_challenge'));
    expect(u.href).not.toContain(row.verifier);
    expect((await app.inject({ method: 'GET', url: '/api/v1/session/options' })).json()).toEqual({ token: true, oidc: true });
  });

  it('a member of secteam signs in as admin and lands on the page it started from', async () => {
    const s = await signIn({ sub: 'alice-1', email: 'alice@example.com', groups: ['staff', 'secteam'] }, '/projects/billing?version=1.0');
    expect(s.r.statusCode, s.r.body).toBe(302);
    expect(s.location).toBe('/projects/billing?version=1.0');
    expect((s.r.headers['set-cookie'] as string[])[0]).toMatch(/^vouch_session=vsess_[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: s.cookie! } });
    expect(me.json()).toMatchObject({ name: 'alice@example.com', role: 'admin', via: 'oidc' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: { cookie: s.cookie! } })).statusCode).toBe(200);
    // the state was used once: the same answer again is refused
    const again = await app.inject({ method: 'GET', url: s.callback });
    expect(again.statusCode).toBe(302);
    expect(decodeURIComponent(String(again.headers.location))).toMatch(/^\/sign-in\?error=this sign-in is unknown or was already used/);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('devs map to a viewer limited to the payments tag (groups from userinfo when the ID token has none)', async () => {
    const s = await signIn({ sub: 'dev-7', email: 'dev7@example.com', groups: ['devs'], groupsViaUserinfo: true });
    expect(s.location).toBe('/');
    const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: s.cookie! } });
    expect(me.json()).toMatchObject({ role: 'viewer', tag: 'payments', via: 'oidc' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: { cookie: s.cookie! } })).statusCode).toBe(403);
    // a whole-portfolio route is closed to a tag-limited user
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { cookie: s.cookie! } })).statusCode).toBe(403);
  });

  it('a user whose groups map to no role gets no session, and is told why', async () => {
    const s = await signIn({ sub: 'eve', groups: ['marketing'] });
    expect(s.r.statusCode).toBe(302);
    expect(decodeURIComponent(s.location)).toBe('/sign-in?error=none of your groups (marketing) gives access to vouch: ask an administrator');
    expect(s.cookie).toBeUndefined();
  });

  it('refuses an ID token with another nonce, a forged state, and a provider error', async () => {
    const s = await signIn({ sub: 'mallory', groups: ['secteam'], wrongNonce: true });
    expect(decodeURIComponent(s.location)).toMatch(/^\/sign-in\?error=the identity provider's answer was refused: .*nonce/);
    expect(s.cookie).toBeUndefined();
    const forged = await app.inject({ method: 'GET', url: '/api/v1/oidc/callback?code=abc&state=forged' });
    expect(decodeURIComponent(String(forged.headers.location))).toMatch(/^\/sign-in\?error=this sign-in is unknown/);
    const none = await app.inject({ method: 'GET', url: '/api/v1/oidc/callback?code=abc' });
    expect(decodeURIComponent(String(none.headers.location))).toMatch(/^\/sign-in\?error=the sign-in answer has no state/);
    // the provider said no (the user cancelled): its error, no session
    const { login } = await throughProvider('/');
    const cancelled = await app.inject({ method: 'GET', url: `/api/v1/oidc/callback?error=access_denied&state=${login.searchParams.get('state')}` });
    expect(decodeURIComponent(String(cancelled.headers.location))).toBe('/sign-in?error=the identity provider refused: access_denied');
    expect(cancelled.headers['set-cookie']).toBeUndefined();
  });

  it('never redirects off our origin after sign-in', async () => {
    for (const next of ['https://evil.example/', '//evil.example/']) {
      const s = await signIn({ sub: 'alice-1', groups: ['secteam'] }, next);
      expect(s.location, next).toBe('/');
    }
  });

  it('a sign-in older than 10 minutes is refused', async () => {
    idp.state.user = { sub: 'slow', groups: ['secteam'] };
    const { login, callback } = await throughProvider('/');
    await t.db.updateTable('oidc_logins').set({ created_at: new Date(Date.now() - 11 * 60_000).toISOString() }).where('state', '=', login.searchParams.get('state')!).execute();
    const r = await app.inject({ method: 'GET', url: callback });
    expect(decodeURIComponent(String(r.headers.location))).toBe('/sign-in?error=the sign-in took more than 10 minutes: start again');
  });
});

describe('OpenID Connect configuration', () => {
  it('wants an https issuer (http only on loopback) that answers discovery', async () => {
    const opts = { clientId: 'x', clientSecret: 'y', groupClaim: 'groups', roles: parseRoleMappings('a=viewer') };
    await expect(discoverOidc({ ...opts, issuer: 'http://idp.example.com' }, PUBLIC_URL)).rejects.toThrow('--oidc-issuer must be an https:// URL');
    await expect(discoverOidc({ ...opts, issuer: 'http://127.0.0.1:9' }, PUBLIC_URL, 1)).rejects.toThrow('could not be discovered');
  });

  it('asks a provider that is briefly away again, and gives up after the attempts', async () => {
    const opts = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, groupClaim: 'groups', roles: parseRoleMappings('a=viewer') };
    const idp = await startProvider();
    try {
      idp.state.discoveryFailures = 2;
      const found = await discoverOidc({ ...opts, issuer: idp.issuer }, PUBLIC_URL);
      expect(found.config.serverMetadata().issuer).toBe(idp.issuer);
      expect(idp.state.discoveryRequests).toBe(3);

      idp.state.discoveryRequests = 0;
      idp.state.discoveryFailures = 2;
      await expect(discoverOidc({ ...opts, issuer: idp.issuer }, PUBLIC_URL, 2)).rejects.toThrow(/could not be discovered \(2 attempts\)/);
      expect(idp.state.discoveryRequests).toBe(2);
    } finally {
      await idp.close();
    }
  });
});
