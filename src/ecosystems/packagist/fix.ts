/** Packagist fix support (docs/fix.md): composer.json constraints planned from composer.lock; `composer update NAME`. */
import { parseJsonInput } from '../../io/json.js';
import { lockfileFixer } from '../shared/fix/common.js';
import type { Declaration, LockfileAdapter } from '../shared/fix/types.js';
import { composerLockExtractor } from './composer-lock.js';

/** composer.json: "require" and "require-dev" entries (platform packages like php and ext-* skipped). */
export function composerDeclarations(text: string, file: string): Declaration[] {
  parseJsonInput(text, file); // a syntax error is one line with file:line
  const out: Declaration[] = [];
  let section: string | undefined;
  text.split('\n').forEach((l, i) => {
    const s = /^\s*"(require|require-dev)"\s*:\s*\{/.exec(l);
    if (s) {
      section = s[1];
      return;
    }
    if (!section) return;
    if (/^\s*\}/.test(l)) {
      section = undefined;
      return;
    }
    const m = /^\s*"([^"]+)"\s*:\s*"([^"]*)"/.exec(l);
    if (!m || !m[1]!.includes('/')) return;
    out.push({ name: m[1]!, line: i, start: m[0].length - 1 - m[2]!.length, end: m[0].length - 1, constraint: m[2]!, section });
  });
  return out;
}

/** composer.lock `packages[].require` / `packages-dev[].require`. */
function composerParents(lockText: string, name: string): { parent: string; constraint: string }[] {
  const out: { parent: string; constraint: string }[] = [];
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(lockText) as Record<string, unknown>;
  } catch {
    return out;
  }
  for (const key of ['packages', 'packages-dev']) {
    for (const p of (Array.isArray(data[key]) ? data[key] : []) as Record<string, unknown>[]) {
      const req = p['require'];
      if (!req || typeof req !== 'object') continue;
      for (const [k, v] of Object.entries(req as Record<string, unknown>)) if (k.toLowerCase() === name && typeof v === 'string') out.push({ parent: String(p['name']), constraint: v });
    }
  }
  return out;
}

export const composerAdapter: LockfileAdapter = {
  kind: 'composer',
  manifest: 'composer.json',
  lock: 'composer.lock',
  extractor: composerLockExtractor,
  declarations: composerDeclarations,
  dialect: 'composer',
  parents: composerParents,
  relock: (n) => `composer update ${n}`,
  transitive: (n) => ({ command: `composer update ${n} --with-dependencies`, note: "moves it within the parents' constraints; if they exclude the fix, a parent must be upgraded" }),
};

export const fixer = lockfileFixer(composerAdapter);
