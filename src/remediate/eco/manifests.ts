/**
 * Where a manifest declares each dependency's constraint (line and column span of the constraint
 * text), for pyproject.toml (Poetry tables, PEP 621 arrays), Cargo.toml, Gemfile and composer.json.
 * A line scan, so edits touch only the constraint text; the files are parsed first to reject bad
 * input with file:line.
 */
import { parseTomlInput } from '../../ecosystems/pypi/common.js';
import { VouchError } from '../../model/errors.js';
import { parseJsonInput } from '../../io/json.js';

export interface Declaration {
  /** The package name as written. */
  name: string;
  /** 0-based line. */
  line: number;
  /** The constraint's column span on that line (empty span = no constraint written). */
  start: number;
  end: number;
  constraint: string;
  section: string;
}

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

/** Gemfile: `gem 'name', 'req', 'req', opts` lines; the span covers every requirement argument. */
export function gemfileDeclarations(text: string, file: string): Declaration[] {
  const out: Declaration[] = [];
  text.split('\n').forEach((l, i) => {
    const g = /^(\s*gem\s*\(?\s*)(["'])([^"']+)\2/.exec(l);
    if (!g) {
      if (/^\s*gem\b/.test(l) && !/^\s*gem\s*\(?\s*["']/.test(l)) throw new VouchError('INPUT_PARSE', `gem without a quoted name: ${l.trim().slice(0, 60)}`, { path: file, position: { line: i + 1 } });
      return;
    }
    const rest = l.slice(g[0].length);
    const args = /^((?:\s*,\s*(["'])[^"']*\2)*)/.exec(rest)![1]!;
    const reqs = [...args.matchAll(/(["'])([^"']*)\1/g)];
    const first = reqs[0];
    const start = first ? g[0].length + first.index + 1 : g[0].length;
    const last = reqs[reqs.length - 1];
    const end = last ? g[0].length + last.index + last[0].length - 1 : start;
    out.push({ name: g[3]!, line: i, start, end, constraint: reqs.map((r) => r[2]).join(', '), section: 'Gemfile' });
  });
  return out;
}

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
