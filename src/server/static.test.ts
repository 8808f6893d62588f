import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/shared.js';
import { DASHBOARD_CSP, findDashboard, registerDashboard } from './static.js';

describe('the dashboard at /', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-static-'));
  const root = path.join(dir, 'web', 'dist');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>vouch</title><script type="module" src="/assets/app-1a2b.js"></script>');
  writeFileSync(path.join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is found from src/server, dist/ and dist/chunks of the checkout', () => {
    expect(findDashboard(path.join(dir, 'src', 'server'))).toBe(root);
    expect(findDashboard(path.join(dir, 'dist'))).toBe(root);
    expect(findDashboard(path.join(dir, 'dist', 'chunks'))).toBe(root);
    expect(findDashboard(path.join(tmpdir(), 'no-such-vouch', 'x'))).toBeUndefined();
  });

  it('answers every page with index.html under a CSP without inline scripts, assets cached for good', async () => {
    const app = Fastify();
    const access: Record<string, unknown> = {};
    // what auth.ts reads on each request: the route's config.access
    app.addHook('onRequest', async (req) => {
      if (!req.is404) access[req.url] = (req.routeOptions.config as { access?: unknown }).access;
    });
    app.get('/api/v1/thing', async () => ({ ok: true }));
    expect(await registerDashboard(app, { root })).toBe(true);
    for (const url of ['/', '/projects', '/projects/billing', '/vulnerabilities?id=CVE-2021-44228', '/components', '/incidents', '/incidents/1', '/settings', '/marketplace?skill=fuzzing', '/sign-in?next=%2F']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toContain('/assets/app-1a2b.js');
      expect(r.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(r.headers['cache-control']).toBe('no-cache');
    }
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    const js = await app.inject({ url: '/assets/app-1a2b.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    // the API's own answers are untouched (the hooks live in the dashboard's plugin scope)
    const apiAnswer = await app.inject({ url: '/api/v1/thing' });
    expect(apiAnswer.json()).toEqual({ ok: true });
    expect(apiAnswer.headers['content-security-policy']).toBeUndefined();
    delete access['/api/v1/thing'];
    expect((await app.inject({ url: '/assets/other.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/../package.json' })).statusCode).toBe(404);
    // every route it adds is public (the files hold no data) — and only these
    expect(Object.keys(access)).toHaveLength(11);
    for (const [url, a] of Object.entries(access)) expect(a, url).toEqual({ public: true });
    await app.close();
  });

  it('the CSP lets no inline or injected script run, and the app\'s page needs none', () => {
    const directives = new Map(DASHBOARD_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('object-src') ?? directives.get('default-src')).toEqual(["'none'"]);
    for (const [k, v] of directives) expect(v.join(' '), k).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:|data:.*script/);
    // web/index.html (what vite builds the served page from): scripts only by src, no inline handlers
    const html = readFileSync(path.join(REPO_ROOT, 'web', 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/[^"]+"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  it('registers nothing without a build', async () => {
    const app = Fastify();
    expect(await registerDashboard(app, { root: path.join(dir, 'missing') })).toBe(false);
    expect((await app.inject({ url: '/' })).statusCode).toBe(404);
    await app.close();
  });
});
