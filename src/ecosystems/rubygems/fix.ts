/** RubyGems fix support (docs/fix.md): Gemfile requirements planned from Gemfile.lock; `bundle update --conservative NAME`. */
import { VouchError } from '../../model/errors.js';
import { lockfileFixer } from '../shared/fix/common.js';
import type { Declaration, LockfileAdapter } from '../shared/fix/types.js';
import { gemfileLockExtractor } from './gemfile-lock.js';

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

/** Gemfile.lock specs: a six-space `name (reqs)` line under a four-space `parent (version)` line. */
function gemfileLockParents(lockText: string, name: string): { parent: string; constraint: string }[] {
  const out: { parent: string; constraint: string }[] = [];
  let parent: string | undefined;
  for (const l of lockText.split('\n')) {
    const p = /^ {4}([^ (]+) \(/.exec(l);
    if (p) parent = p[1];
    const d = /^ {6}([^ (]+) \(([^)]*)\)/.exec(l);
    if (d && parent && d[1] === name) out.push({ parent, constraint: d[2]! });
    if (!/^ {4}/.test(l)) parent = undefined;
  }
  return out;
}

export const bundlerAdapter: LockfileAdapter = {
  kind: 'bundler',
  manifest: 'Gemfile',
  lock: 'Gemfile.lock',
  extractor: gemfileLockExtractor,
  declarations: gemfileDeclarations,
  dialect: 'ruby',
  parents: gemfileLockParents,
  relock: (n) => `bundle update --conservative ${n}`,
  transitive: (n) => ({ command: `bundle update --conservative ${n}`, note: "moves this gem only, within its parents' requirements; if they exclude the fix, a parent must be upgraded" }),
  // Gemfile requirements are separate string arguments: `~> 1.4, >= 1.4.3` → `~> 1.4', '>= 1.4.3`
  requote: (text, quote) => text.split(/\s*,\s*/).join(`${quote}, ${quote}`),
};

export const fixer = lockfileFixer(bundlerAdapter);
