/** Runs the built CLI (bin/vouch → dist/) as a user would, with its own VOUCH_HOME. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/testing/shared.js';

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
