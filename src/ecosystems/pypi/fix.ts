/**
 * PyPI fix support (docs/fix.md): requirements.txt pins edited line by line; pyproject.toml planned
 * from poetry.lock (Poetry tables and PEP 621 arrays, `poetry update` / `poetry add`) or uv.lock
 * (PEP 508 strings, `uv lock --upgrade-package`).
 */
import type { Fixer } from '../types.js';
import { escapeRe, fixerOf, lockfileFixer, replaceOn, textFixer } from '../shared/fix/common.js';
import type { Declaration, LockfileAdapter, TextManifest } from '../shared/fix/types.js';
import { parseTomlInput } from '../../io/toml.js';
import { normalizeName } from './common.js';
import { poetryLockExtractor } from './poetry-lock.js';
import { requirementsExtractor } from './requirements.js';
import { uvLockExtractor } from './uv-lock.js';

/** pyproject.toml: [tool.poetry.dependencies], [tool.poetry.group.*.dependencies], [tool.poetry.dev-dependencies], [project] dependencies / optional-dependencies. */
export function pyprojectDeclarations(text: string, file: string): Declaration[] {
  parseTomlInput(text, file);
  const out: Declaration[] = [];
  let section = '';
  let inArray = false;
  text.split('\n').forEach((l, i) => {
    const h = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(l);
    if (h) {
      section = h[1]!.trim();
      inArray = false;
      return;
    }
    const poetry = /^tool\.poetry\.(dependencies|dev-dependencies|group\.[^.]+\.dependencies)$/.test(section);
    if (poetry) {
      const m = /^\s*["']?([A-Za-z0-9_.-]+)["']?\s*=\s*(?:\{[^}]*?\bversion\s*=\s*)?(["'])([^"']*)\2/.exec(l);
      if (m && m[1] !== 'python') {
        const end = m[0].length - 1;
        out.push({ name: m[1]!, line: i, start: end - m[3]!.length, end, constraint: m[3]!, section });
      }
      return;
    }
    const pep = section === 'project' || section === 'project.optional-dependencies';
    if (!pep) return;
    if (section === 'project' ? /^\s*dependencies\s*=\s*\[/.test(l) : /^\s*["']?[A-Za-z0-9_.-]+["']?\s*=\s*\[/.test(l)) inArray = true;
    if (!inArray) return;
    for (const m of l.matchAll(/"([^"]*)"|'([^']*)'/g)) {
      if (l.slice(0, m.index).includes('#')) break;
      const body = m[1] ?? m[2]!;
      const req = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*(\[[^\]]*\])?\s*\(?\s*([^;)]*?)\s*\)?\s*(;.*)?$/.exec(body);
      if (!req) continue;
      const spec = req[3]!;
      const start = spec ? m.index + 1 + body.indexOf(spec, req[1]!.length) : m.index + 1 + req[1]!.length + (req[2]?.length ?? 0);
      out.push({ name: req[1]!, line: i, start, end: start + spec.length, constraint: spec, section });
    }
    if (/\]\s*(#.*)?$/.test(l.replace(/"[^"]*"|'[^']*'/g, ''))) inArray = false;
  });
  return out;
}

/** poetry.lock `[package.dependencies]`: `name = "constraint"` or `{ version = "constraint", … }`. */
function poetryParents(lockText: string, name: string): { parent: string; constraint: string }[] {
  const out: { parent: string; constraint: string }[] = [];
  const data = parseTomlInput(lockText, 'poetry.lock');
  for (const p of (Array.isArray(data['package']) ? data['package'] : []) as Record<string, unknown>[]) {
    const deps = p['dependencies'];
    if (!deps || typeof deps !== 'object') continue;
    for (const [k, v] of Object.entries(deps as Record<string, unknown>)) {
      if (normalizeName(k) !== name) continue;
      const c = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as Record<string, unknown>)['version'] === 'string' ? ((v as Record<string, unknown>)['version'] as string) : undefined;
      if (c !== undefined && c !== '*') out.push({ parent: String(p['name']), constraint: c });
    }
  }
  return out;
}

/** pyproject.toml + poetry.lock. */
export const poetryAdapter: LockfileAdapter = {
  kind: 'poetry',
  manifest: 'pyproject.toml',
  lock: 'poetry.lock',
  onlyWithLock: true,
  extractor: poetryLockExtractor,
  declarations: pyprojectDeclarations,
  dialect: (d) => (d.section.startsWith('tool.poetry') ? 'poetry' : 'pep508'),
  lockDialect: 'poetry',
  parents: poetryParents,
  relock: (n) => `poetry update ${n}`,
  transitive: (n, _f, to) => ({
    command: `poetry add "${n}>=${to}"`,
    note: `Poetry has no override table: the usual way is a direct dependency entry requiring ${n}>=${to} (poetry add writes it and relocks)`,
  }),
};

/** pyproject.toml + uv.lock. */
export const uvAdapter: LockfileAdapter = {
  kind: 'uv',
  manifest: 'pyproject.toml',
  lock: 'uv.lock',
  onlyWithLock: true,
  extractor: uvLockExtractor,
  declarations: pyprojectDeclarations,
  dialect: 'pep508',
  relock: (n) => `uv lock --upgrade-package ${n}`,
  transitive: (n, _f, to) => ({
    command: `uv lock --upgrade-package ${n}`,
    note: `add "${n}>=${to}" to [tool.uv] constraint-dependencies in pyproject.toml (by hand: vouch does not insert it), then relock`,
  }),
};

/** requirements.txt: the `==` (or `===`) pin on the requirement's line. */
export const requirementsManifest: TextManifest = {
  kind: 'requirements',
  name: 'requirements.txt',
  wants: (file) => requirementsExtractor.wants(file),
  extractor: requirementsExtractor,
  editVersion: (lines, index, c, to) => (replaceOn(lines, index, new RegExp(`(={2,3}\\s*)${escapeRe(c.version)}(?![\\w.+!-])`), `$1${to}`) ? { line: index } : undefined),
};

/** A pyproject.toml with its lockfile is planned before a requirements.txt beside it. */
export const fixer: Fixer = fixerOf(lockfileFixer(poetryAdapter), lockfileFixer(uvAdapter), textFixer(requirementsManifest));
