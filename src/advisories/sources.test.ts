/**
 * Downloads never leave the host the user named: same-origin redirects are followed by hand up to
 * MAX_REDIRECTS, one to another host is refused, and a download over its limit is cut off.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLimited, MAX_REDIRECTS } from './sources.js';

describe('fetchLimited: redirects and size limits', () => {
  let server: Server;
  let other: Server;
  let base: string;
  let otherBase: string;
  const hits: string[] = [];
  beforeAll(async () => {
    other = createServer((req, res) => {
      hits.push(`other ${req.url}`);
      res.writeHead(200).end('from the other host');
    });
    await new Promise<void>((resolve) => other.listen(0, 'localhost', resolve));
    otherBase = `http://localhost:${(other.address() as AddressInfo).port}`;
    server = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/doc') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      if (url === '/moved') return void res.writeHead(301, { location: '/doc' }).end();
      if (url.startsWith('/loop/')) return void res.writeHead(302, { location: `/loop/${Number(url.slice(6)) + 1}` }).end();
      if (url === '/away') return void res.writeHead(302, { location: `${otherBase}/doc` }).end();
      if (url === '/big') return void res.writeHead(200, { 'content-length': '2048' }).end('x'.repeat(2048));
      if (url === '/big-chunked') {
        res.writeHead(200);
        res.write('x'.repeat(600));
        return void res.end('x'.repeat(600));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    other.close();
  });

  it('follows a redirect within the same origin', async () => {
    expect((await fetchLimited(`${base}/moved`, 1024)).toString()).toBe('{"ok":true}');
  });

  it('refuses a redirect to another host, without asking it anything', async () => {
    await expect(fetchLimited(`${base}/away`, 1024)).rejects.toThrow(`HTTP 302 redirect to another host (${otherBase}) refused`);
    expect(hits).toEqual([]);
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    await expect(fetchLimited(`${base}/loop/0`, 1024)).rejects.toThrow(`more than ${MAX_REDIRECTS} redirects`);
  });

  it('refuses a download over the limit, by Content-Length or as it streams', async () => {
    await expect(fetchLimited(`${base}/big`, 1024)).rejects.toThrow('2048 bytes, over the 1024-byte limit');
    await expect(fetchLimited(`${base}/big-chunked`, 1024)).rejects.toThrow('passed the 1024-byte limit');
  });

  it('an HTTP error is one line with the status', async () => {
    await expect(fetchLimited(`${base}/nothing`, 1024)).rejects.toThrow('HTTP 404 Not Found');
  });
});
