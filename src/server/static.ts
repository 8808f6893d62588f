/**
 * The dashboard (web/, built into web/dist by `npm run build:web`) served by the API's own process
 * at `/`: the hashed files under /assets with a year's caching, and index.html for every page of the
 * app (its router takes over in the browser). Each answer carries a Content-Security-Policy that
 * allows only the app's own scripts, styles and API — no inline script, no other origin — so the
 * app works air-gapped and text from a document can never run as code. The routes are public (the
 * files hold no data: every datum comes from /api/v1 with a token).
 *
 * No web/dist (a checkout that has not built the dashboard): nothing is registered and `/` is the
 * API's 404 problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The app's pages (router paths in web/src/router.tsx): each answered with index.html. */
const PAGES = ['/', '/projects', '/projects/*', '/vulnerabilities', '/components', '/incidents', '/incidents/*', '/settings', '/marketplace', '/sign-in'];

/** web/dist from where this module runs: src/server (tests), dist/ or dist/chunks (the bundled CLI). */
export function findDashboard(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'web', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Serves the dashboard at `/` when its build is there; says whether it is. */
export async function registerDashboard(app: FastifyInstance, opts: { root?: string } = {}): Promise<boolean> {
  const root = opts.root ?? findDashboard();
  if (root === undefined || !existsSync(path.join(root, 'index.html'))) return false;
  const indexHtml = readFileSync(path.join(root, 'index.html'));
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), access: { public: true } };
    });
    scope.addHook('onSend', async (_req, reply, payload) => {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cross-origin-opener-policy', 'same-origin');
      return payload;
    });
    await scope.register(fastifyStatic, {
      root,
      prefix: '/',
      index: false,
      wildcard: false,
      decorateReply: false,
      cacheControl: false,
      // file names under assets/ carry their content hash: cached for good; anything else revalidated
      setHeaders: (res, file) => res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
    for (const page of PAGES) {
      scope.get(page, { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml));
    }
  });
  return true;
}
