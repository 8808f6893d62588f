/**
 * Test helper: a temporary folder for the test file, removed after it, and `tmp(name)` making a
 * fresh sub-folder in it each call (name-0, name-1, …).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export function tempFolders(prefix: string): { root: string; tmp: (name: string) => string } {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return {
    root,
    tmp: (name) => {
      const d = path.join(root, `${name}-${n++}`);
      mkdirSync(d, { recursive: true });
      return d;
    },
  };
}
