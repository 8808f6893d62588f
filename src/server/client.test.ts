import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, apiRequest, problemLine, serverUrl } from './client.js';

describe('the CLI\'s API client', () => {
  let server: Server;
  let base = '';
  const seen: { url: string; authorization?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://elsewhere.example/steal' }).end();
      } else if (req.url === '/problem') {
        res.writeHead(422, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'urn:vouch:problem:invalid-document', title: 'x', status: 422, detail: 'bom.json:3: not valid JSON', file: 'bom.json', line: 3 }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the token as a bearer token', async () => {
    const r = await apiRequest<{ ok: boolean }>({ server: base, token: 'vouch_abc' }, 'GET', '/fine');
    expect(r.body).toEqual({ ok: true });
    expect(seen.at(-1)).toEqual({ url: '/fine', authorization: 'Bearer vouch_abc' });
  });

  it('never follows a redirect (the token would go with it)', async () => {
    const n = seen.length;
    await expect(apiRequest({ server: base, token: 'vouch_abc' }, 'GET', '/redirect')).rejects.toThrow(/302 with a redirect to http:\/\/elsewhere\.example\/steal: not followed/);
    expect(seen.length).toBe(n + 1);
  });

  it('turns a problem answer into one line with its position', async () => {
    const e = await apiRequest({ server: base }, 'GET', '/problem').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(422);
    expect((e as ApiError).message).toBe('server answered 422 invalid-document: bom.json:3: not valid JSON');
    expect(problemLine(403, { type: 'urn:vouch:problem:forbidden', detail: 'a viewer token may not POST /api/v1/tokens' })).toBe('server answered 403 forbidden: a viewer token may not POST /api/v1/tokens');
  });

  it('refuses server URLs that are not http(s) or carry credentials', () => {
    expect(() => serverUrl('ftp://x')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => serverUrl('http://user:pw@x')).toThrow(/must not carry credentials/);
    expect(() => serverUrl('not a url')).toThrow(/must be a URL/);
    expect(serverUrl('http://h:8080/base/').toString()).toBe('http://h:8080/base');
  });

  it('says which server it could not reach', async () => {
    // a port that was just free: nobody listens there
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(apiRequest({ server: `http://127.0.0.1:${port}` }, 'GET', '/x')).rejects.toThrow(new RegExp(`cannot reach the server at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
  });
});
