/**
 * Version constraints of Poetry, PEP 508, Cargo, Bundler and Composer manifests: does a constraint
 * admit a version, and the minimal text edit that makes it require at least a fixed version while
 * keeping its style (see docs/fix.md, "Constraint rewriting"). Versions are compared with the
 * ecosystem's own Versioning.
 */
import type { Versioning } from '../../types.js';

export type DialectName = 'poetry' | 'pep508' | 'cargo' | 'ruby' | 'composer';

interface Dialect {
  /** What a bare version means. */
  bare: 'exact' | 'caret';
  /** `~`: Poetry/Cargo raise the minor (`~1.2.3` <1.3.0); Composer raises the second-to-last part like `~>` and `~=`. */
  tilde: 'minor' | 'last';
  /** OR separator, when the dialect has one. */
  or?: RegExp;
  /** Separator put before an added clause when the constraint shows none. */
  sep: string;
}

const DIALECTS: Record<DialectName, Dialect> = {
  poetry: { bare: 'exact', tilde: 'minor', or: /\|\|?/, sep: ',' },
  pep508: { bare: 'exact', tilde: 'last', sep: ',' },
  cargo: { bare: 'caret', tilde: 'minor', sep: ', ' },
  ruby: { bare: 'exact', tilde: 'last', sep: ', ' },
  composer: { bare: 'exact', tilde: 'last', or: /\|\|?/, sep: ' ' },
};

const CLAUSE = /(\^|~>|~=|~|===|==|!=|>=|<=|>|<|=)?\s*(\*|v?\d[0-9A-Za-z.*+!_-]*)/g;

interface Clause {
  op: string;
  version: string;
  index: number;
  length: number;
}

function clauses(text: string): Clause[] {
  return [...text.matchAll(CLAUSE)].map((m) => ({ op: m[1] ?? '', version: m[2]!.replace(/^v/, ''), index: m.index, length: m[0].length }));
}

function parts(v: string): number[] {
  return (/^\d+(\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
}

/** `1.2` → `1.2.0` (Cargo's semver needs three parts); other versions unchanged. */
function pad(v: string): string {
  const m = /^\d+(\.\d+)*$/.exec(v);
  if (!m) return v;
  const p = v.split('.');
  while (p.length < 3) p.push('0');
  return p.join('.');
}

function bump(p: number[], i: number): string {
  const out = p.slice(0, i + 1);
  out[i] = (out[i] ?? 0) + 1;
  return pad(out.join('.'));
}

function caretUpper(p: number[]): string {
  const i = p.findIndex((x) => x !== 0);
  return bump(p, i === -1 ? p.length - 1 : i);
}

/** The [lower, upper) bounds a clause stands for; undefined bound = open. */
function bounds(c: Clause, d: Dialect): { lo?: string; loIncl?: boolean; hi?: string; hiIncl?: boolean; eq?: string; ne?: string; any?: boolean } {
  const v = c.version;
  if (v === '*') return { any: true };
  if (v.includes('*')) {
    const p = parts(v.replace(/\.?\*.*$/, ''));
    return { lo: pad(p.join('.')), loIncl: true, hi: bump(p, p.length - 1) };
  }
  const p = parts(v);
  const op = c.op === '' ? (d.bare === 'caret' ? '^' : '==') : c.op;
  switch (op) {
    case '^':
      return { lo: v, loIncl: true, hi: caretUpper(p) };
    case '~':
    case '~>':
    case '~=':
      if (op === '~' && d.tilde === 'minor') return { lo: v, loIncl: true, hi: bump(p, p.length >= 2 ? 1 : 0) };
      return { lo: v, loIncl: true, hi: bump(p, Math.max(0, p.length - 2)) };
    case '>=':
      return { lo: v, loIncl: true };
    case '>':
      return { lo: v, loIncl: false };
    case '<':
      return { hi: v, hiIncl: false };
    case '<=':
      return { hi: v, hiIncl: true };
    case '!=':
      return { ne: v };
    default:
      return { eq: v };
  }
}

function cmp(vs: Versioning, a: string, b: string): number {
  return vs.compare(pad(a), pad(b));
}

function admitsAll(list: Clause[], d: Dialect, vs: Versioning, version: string): boolean {
  return list.every((c) => {
    const b = bounds(c, d);
    if (b.any) return true;
    if (b.eq !== undefined) return cmp(vs, version, b.eq) === 0;
    if (b.ne !== undefined) return cmp(vs, version, b.ne) !== 0;
    if (b.lo !== undefined && (b.loIncl ? cmp(vs, version, b.lo) < 0 : cmp(vs, version, b.lo) <= 0)) return false;
    if (b.hi !== undefined && (b.hiIncl ? cmp(vs, version, b.hi) > 0 : cmp(vs, version, b.hi) >= 0)) return false;
    return true;
  });
}

/** Does `constraint` admit `version`? An empty constraint admits everything. Throws when a version does not parse. */
export function admits(dialect: DialectName, vs: Versioning, constraint: string, version: string): boolean {
  const d = DIALECTS[dialect];
  const alternatives = d.or ? constraint.split(d.or) : [constraint];
  return alternatives.some((alt) => admitsAll(clauses(alt), d, vs, version));
}

export type Rewrite = { kind: 'admits' } | { kind: 'edit'; text: string } | { kind: 'manual'; reason: string };

/**
 * The minimal edit of `constraint` so that it requires at least `fixed`:
 * exact pins (`==1.2.0`, `=1.2.0`, bare) → the fixed version; `^1.2` → `^1.4.3`; Poetry/Cargo
 * `~1.2` → `~1.4.3`; `~>`/`~=`/Composer `~` keep their precision and gain a lower bound when the
 * truncated version is below the fix (`~> 1.2` → `~> 1.4, >= 1.4.3`); `>=`/`>` bounds become
 * `>=fixed`; upper bounds and exclusions stay. When the result would still exclude the fix (an
 * upper bound below it, alternatives, wildcards), a person decides: `manual`.
 */
export function rewriteConstraint(dialect: DialectName, vs: Versioning, constraint: string, fixed: string): Rewrite {
  const d = DIALECTS[dialect];
  if (admits(dialect, vs, constraint, fixed)) return { kind: 'admits' };
  if (d.or && d.or.test(constraint)) return { kind: 'manual', reason: `the constraint "${constraint}" has alternatives: choose the one to raise by hand` };
  const list = clauses(constraint);
  if (!list.length) return { kind: 'manual', reason: `the constraint "${constraint}" is not understood` };
  const sepMatch = /\s*,\s*/.exec(constraint);
  const sep = sepMatch ? sepMatch[0] : d.sep;
  let out = '';
  let at = 0;
  let extra: string | undefined;
  for (const c of list) {
    const orig = constraint.slice(c.index, c.index + c.length);
    const spacing = /^(\S*?)(\s*)v?[\d*]/.exec(orig)?.[2] ?? '';
    let repl = orig;
    if (c.version.includes('*')) return { kind: 'manual', reason: `the wildcard "${orig}" excludes ${fixed}: rewrite it by hand` };
    const op = c.op;
    if (op === '' || op === '=' || op === '==' || op === '===') repl = `${op}${spacing}${fixed}`;
    else if (op === '^') repl = `^${spacing}${fixed}`;
    else if (op === '>=' || op === '>') repl = `>=${spacing}${fixed}`;
    else if (op === '~' && d.tilde === 'minor' && parts(c.version).length >= 2) repl = `~${spacing}${fixed}`;
    else if (op === '~' || op === '~>' || op === '~=') {
      const n = Math.max(op === '~=' ? 2 : 1, c.version.split('.').length);
      const fp = parts(fixed);
      const trunc = Array.from({ length: n }, (_, i) => fp[i] ?? 0).join('.');
      repl = `${op}${spacing}${trunc}`;
      if (cmp(vs, trunc, fixed) < 0) extra = `>=${spacing}${fixed}`;
    }
    out += constraint.slice(at, c.index) + repl;
    at = c.index + c.length;
  }
  out += constraint.slice(at);
  if (extra && !list.some((c) => c.op === '>=' || c.op === '>')) out = `${out}${sep}${extra}`;
  if (!admits(dialect, vs, out, fixed)) return { kind: 'manual', reason: `"${constraint}" caps below ${fixed}: widening it is a decision for a person (possibly breaking)` };
  return { kind: 'edit', text: out };
}
