/**
 * `vouch push --wait` when the server, not the document, failed the upload (its ingest job failed
 * for good: src/portfolio/ingest.ts failUploadAfterJob): the line says the server failed it and
 * points at its log — not a parse error in a document that is fine. A bad document still reads as
 * the document's error, with its position.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log4jCycloneDx, tempDir, vouchAsync } from './helpers.js';

describe('vouch push --wait reports who failed an upload', () => {
  let server: Server;
  let url = '';
  let answer: Record<string, unknown> = {};
  const work = tempDir('push-failed');
  const bom = path.join(work, 'bom.cdx.json');
  beforeAll(async () => {
    writeFileSync(bom, log4jCycloneDx('2.14.1'));
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(req.method === 'POST' ? 202 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(req.method === 'POST' ? { upload: answer } : answer));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const push = () => vouchAsync(['push', bom, '--project', 'billing', '--version', '1.0.0', '--wait'], { VOUCH_SERVER: url, VOUCH_TOKEN: 'vouch_test' });
  const upload = (error: Record<string, unknown>) => ({ id: 'u-1', project: 'billing', version: '1.0.0', state: 'failed', fileName: 'bom.cdx.json', sha256: 'x', duplicate: false, createdAt: '2026-12-07T00:00:00Z', error });

  it('the server failed it: one line saying so, not a document error', async () => {
    answer = upload({ title: 'vouch could not process the upload (its ingest job failed)', detail: 'bom.cdx.json: no advisory store on this node' });
    const r = await push();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the server failed upload u-1 \(not the document\): bom\.cdx\.json: no advisory store on this node; see the server's log/);
    expect(r.stderr).not.toMatch(/at .*\.m?js:\d+/);
  });

  it('the document was bad: the document\'s error with its position', async () => {
    answer = upload({ title: 'invalid document', detail: 'not valid JSON', line: 3 });
    const r = await push();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bom\.cdx\.json:3.*not valid JSON/);
    expect(r.stderr).not.toMatch(/server failed/);
  });
});
