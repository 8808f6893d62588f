/** Runs the built CLI (bin/vouch → dist/) as a user would, with its own VOUCH_HOME. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { REPO_ROOT, shared } from '../../src/testing/shared.js';

export const VOUCH = path.join(REPO_ROOT, 'bin', 'vouch');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function vouch(args: string[], env: Record<string, string> = {}, input?: string): Run {
  const r = spawnSync(process.execPath, [VOUCH, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `vouch-${prefix}-`));
}

/** A VOUCH_HOME with all of ../shared/osv loaded and a work folder, for the tests of one describe block. */
export interface OsvStore {
  readonly home: string;
  readonly work: string;
  env(): Record<string, string>;
}

/** Makes the OsvStore before the block's tests (`vouch db update --source ../shared/osv`) and removes it after. */
export function useOsvStore(): OsvStore {
  const s = { home: '', work: '', env: (): Record<string, string> => ({ VOUCH_HOME: s.home }) };
  beforeAll(() => {
    s.home = tempDir('home');
    s.work = tempDir('work');
    const r = vouch(['db', 'update', '--source', shared('osv'), '--quiet'], s.env());
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
  });
  afterAll(() => {
    rmSync(s.home, { recursive: true, force: true });
    rmSync(s.work, { recursive: true, force: true });
  });
  return s;
}

/** Like vouch(), but asynchronous: a local server the test runs keeps answering, and runs can overlap (inPool). */
export function vouchAsync(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VOUCH, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** f over items with at most `size` running at once; results in input order. */
export async function inPool<T, R>(items: readonly T[], size: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}

/** A hand-written CycloneDX SBOM of one service that ships log4j-core at `version` (the Log4Shell tests). */
export function log4jCycloneDx(version: string): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'application', name: 'billing-service', 'bom-ref': 'app' } },
    components: [
      {
        type: 'library',
        'bom-ref': 'log4j-core',
        group: 'org.apache.logging.log4j',
        name: 'log4j-core',
        version,
        purl: `pkg:maven/org.apache.logging.log4j/log4j-core@${version}`,
      },
    ],
    dependencies: [{ ref: 'app', dependsOn: ['log4j-core'] }, { ref: 'log4j-core' }],
  });
}
