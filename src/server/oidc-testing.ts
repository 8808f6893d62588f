/**
 * A small OpenID Connect provider for tests (discovery, authorize, token, JWKS, userinfo — RS256 ID
 * tokens signed with node:crypto, PKCE S256 and the client secret checked) on a real loopback HTTP
 * server: src/server/oidc.test.ts drives the server's sign-in with it, test/browser/pages.test.ts
 * the dashboard's "Sign in with your organisation" button in Chromium.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CLIENT_ID = 'vouch-dashboard';
export const CLIENT_SECRET = 'test-secret-' + randomBytes(8).toString('hex');

export interface User {
  sub: string;
  email?: string;
  groups?: string[];
  /** the groups only from userinfo, not in the ID token */
  groupsViaUserinfo?: boolean;
  /** the provider answers with another nonce than it was given (a replayed ID token) */
  wrongNonce?: boolean;
}

export const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** A minimal OpenID provider: enough of the spec for the authorization-code flow with PKCE. */
export async function startProvider() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'k1';
  const codes = new Map<string, { user: User; challenge: string; nonce: string; redirectUri: string; used: boolean }>();
  const access = new Map<string, User>();
  const state = { user: { sub: 'u1' } as User, tokenRequests: 0, authorizeQueries: [] as URLSearchParams[], discoveryRequests: 0, discoveryFailures: 0 };
  let issuer = '';

  const idToken = (user: User, nonce: string): string => {
    const header = b64url(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' }));
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: user.sub,
      aud: CLIENT_ID,
      iat: now,
      exp: now + 300,
      nonce: user.wrongNonce ? 'not-the-nonce' : nonce,
      ...(user.email ? { email: user.email } : {}),
      ...(user.groups && !user.groupsViaUserinfo ? { groups: user.groups } : {}),
    };
    const body = `${header}.${b64url(JSON.stringify(claims))}`;
    return `${body}.${b64url(sign('sha256', Buffer.from(body), privateKey))}`;
  };

  const json = (res: ServerResponse, status: number, body: object): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      let s = '';
      req.on('data', (d: Buffer) => (s += d.toString()));
      req.on('end', () => resolve(s));
    });

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname === '/.well-known/openid-configuration') {
        // `discoveryFailures`: that many discovery requests are answered 503 first (a provider briefly away)
        if (++state.discoveryRequests <= state.discoveryFailures) return json(res, 503, { error: 'temporarily_unavailable' });
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          userinfo_endpoint: `${issuer}/userinfo`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        });
      }
      if (url.pathname === '/jwks') return json(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });
      if (url.pathname === '/authorize') {
        const q = url.searchParams;
        state.authorizeQueries.push(q);
        if (q.get('client_id') !== CLIENT_ID || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('nonce')) {
          return json(res, 400, { error: 'invalid_request' });
        }
        const code = randomBytes(16).toString('hex');
        codes.set(code, { user: state.user, challenge: q.get('code_challenge')!, nonce: q.get('nonce')!, redirectUri: q.get('redirect_uri')!, used: false });
        const back = new URL(q.get('redirect_uri')!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        state.tokenRequests++;
        const form = new URLSearchParams(await readBody(req));
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        const [id, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent) : [form.get('client_id'), form.get('client_secret')];
        if (id !== CLIENT_ID || secret !== CLIENT_SECRET) return json(res, 401, { error: 'invalid_client' });
        const grant = codes.get(form.get('code') ?? '');
        if (form.get('grant_type') !== 'authorization_code' || !grant || grant.used || grant.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant' });
        grant.used = true;
        if (b64url(createHash('sha256').update(form.get('code_verifier') ?? '').digest()) !== grant.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        const at = randomBytes(16).toString('hex');
        access.set(at, grant.user);
        return json(res, 200, { access_token: at, token_type: 'Bearer', expires_in: 300, id_token: idToken(grant.user, grant.nonce) });
      }
      if (url.pathname === '/userinfo') {
        const user = access.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
        if (!user) return json(res, 401, { error: 'invalid_token' });
        return json(res, 200, { sub: user.sub, ...(user.groups ? { groups: user.groups } : {}) });
      }
      return json(res, 404, { error: 'not_found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
