/** Cargo fix support (docs/fix.md): Cargo.toml constraints planned from Cargo.lock; `cargo update -p NAME --precise X`. */
import { parseTomlInput } from '../../io/toml.js';
import { admits } from '../shared/fix/constraint.js';
import { lockfileFixer } from '../shared/fix/common.js';
import type { Declaration, LockfileAdapter } from '../shared/fix/types.js';
import { cargoLockExtractor } from './cargo-lock.js';
import { versioning } from './versioning.js';

/** Cargo.toml: [dependencies], [dev-dependencies], [build-dependencies], target.*.…, [workspace.dependencies] and [dependencies.NAME] tables. */
export function cargoDeclarations(text: string, file: string): Declaration[] {
  parseTomlInput(text, file);
  const out: Declaration[] = [];
  let section = '';
  let tableDep: string | undefined;
  const depSection = /(^|\.)(dependencies|dev-dependencies|build-dependencies)$/;
  text.split('\n').forEach((l, i) => {
    const h = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(l);
    if (h) {
      section = h[1]!.trim();
      const t = /^(.*(?:dependencies|dev-dependencies|build-dependencies))\.([A-Za-z0-9_-]+)$/.exec(section);
      tableDep = t && depSection.test(t[1]!) ? t[2] : undefined;
      return;
    }
    if (tableDep) {
      const m = /^\s*version\s*=\s*(["'])([^"']*)\1/.exec(l);
      if (m) out.push({ name: tableDep, line: i, start: m[0].length - 1 - m[2]!.length, end: m[0].length - 1, constraint: m[2]!, section });
      return;
    }
    if (!depSection.test(section)) return;
    const m = /^\s*["']?([A-Za-z0-9_-]+)["']?\s*=\s*(?:\{[^}]*?\bversion\s*=\s*)?(["'])([^"']*)\2/.exec(l);
    if (!m) return;
    const renamed = /\bpackage\s*=\s*["']([^"']+)["']/.exec(l);
    out.push({ name: renamed ? renamed[1]! : m[1]!, line: i, start: m[0].length - 1 - m[3]!.length, end: m[0].length - 1, constraint: m[3]!, section });
  });
  return out;
}

export const cargoAdapter: LockfileAdapter = {
  kind: 'cargo',
  manifest: 'Cargo.toml',
  lock: 'Cargo.lock',
  extractor: cargoLockExtractor,
  declarations: cargoDeclarations,
  dialect: 'cargo',
  relock: (n, v) => `cargo update -p ${n} --precise ${v}`,
  // Cargo.lock does not record the parents' requirements: most are caret, so a semver-compatible fix is tried with --precise
  transitive: (n, from, to) =>
    admits('cargo', versioning, `^${from}`, to)
      ? { command: `cargo update -p ${n}@${from} --precise ${to}`, note: `${to} is semver-compatible with ${from}; cargo refuses if a parent's requirement excludes it (Cargo.lock does not record requirements)` }
      : undefined,
};

export const fixer = lockfileFixer(cargoAdapter);
