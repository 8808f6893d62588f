/**
 * `bun.lock`: bun's text lockfile, JSON with trailing commas (JSONC).
 *
 * `packages` maps an install path (`chalk/supports-color` = the supports-color nested under chalk)
 * to a tuple: registry packages `["name@1.0.0", registry, {deps}, "sha512-…"]`, git/GitHub
 * `["name@github:user/repo#abc1234", {deps}, "checkout-id"]`, folders `["name@file:deps/x", {}]`,
 * workspaces `["name@workspace:packages/x"]`. The name is the tuple's (an alias key `old` with
 * `["supports-color@6.1.0", …]` is supports-color). git, file and tarball packages record no
 * version: they go to `unresolved`, never invented.
 *
 * `workspaces` maps folders (`""` = the project) to their dependency sections: each is a root
 * (`root:<file>`, or `root:<file>#<folder>`) whose dependencies are direct, with their section's
 * scope. Dependencies resolve like node_modules: from the package at path `a/b`, `d` is `a/b/d`,
 * then `a/d`, then `d` (a workspace's own nested packages sit under its name).
 */
import type { Hash, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText, parseJsonInput } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { closingQuote, hashesOf, rootIdentity } from './common.js';
import { LockGraph, isObject, splitDescriptor } from './lock-graph.js';

const ID = 'npm/bun-lock';

export const bunLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['bun.lock'],

  wants(p: string): boolean {
    const parts = p.split(/[/\\]/);
    return parts[parts.length - 1] === 'bun.lock' && !parts.includes('node_modules');
  },

  sniff(head: string): boolean {
    return /^\s*\{/.test(head) && /"lockfileVersion"\s*:\s*\d/.test(head) && /"workspaces"\s*:\s*\{\s*""\s*:/.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parseBunLock(decodeText(await input.read(), input.path), input.path);
  },
};

/**
 * One linear pass: JSONC → JSON (comments and trailing commas blanked, so offsets and lines stay)
 * and the 1-based line of every key of the top-level `packages` object.
 */
export function toJson(text: string): { json: string; lines: Map<string, number> } {
  const ranges: [number, number][] = [];
  const lines = new Map<string, number>();
  const keyAt: (string | undefined)[] = [];
  const isObj: boolean[] = [];
  let depth = -1;
  let expectKey = false;
  let line = 1;
  let pendingComma = -1; // offset of a comma that may turn out to be trailing
  const n = text.length;
  const blank = (from: number, to: number): void => {
    ranges.push([from, to]);
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    } else if (c === 32 || c === 9 || c === 13) continue;
    else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i);
      blank(i, end < 0 ? n : end);
      i = (end < 0 ? n : end) - 1;
      continue;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let j = i; j < stop; j++) if (text.charCodeAt(j) === 10) line++;
      blank(i, stop);
      i = stop - 1;
      continue;
    } else if (c === 34) {
      const end = closingQuote(text, i + 1);
      if (expectKey && depth >= 0) {
        let key = text.slice(i + 1, end);
        if (key.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, end + 1)) as string;
          } catch {
            /* the JSON parse reports it */
          }
        }
        keyAt[depth] = key;
        if (depth === 1 && keyAt[0] === 'packages') lines.set(key, line);
        expectKey = false;
      }
      pendingComma = -1;
      i = end;
      continue;
    } else if (c === 123 || c === 91) {
      depth++;
      isObj[depth] = c === 123;
      keyAt[depth] = undefined;
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      if (pendingComma >= 0) blank(pendingComma, pendingComma + 1);
      depth--;
      expectKey = false;
    } else if (c === 44) {
      expectKey = depth >= 0 && isObj[depth] === true;
      pendingComma = i;
      continue;
    }
    pendingComma = -1;
  }
  if (!ranges.length) return { json: text, lines };
  // a trailing comma is found after the comments that follow it: emit in text order
  ranges.sort((a, b) => a[0] - b[0]);
  const out: string[] = [];
  let last = 0;
  for (const [from, to] of ranges) {
    out.push(text.slice(last, from), text.slice(from, to).replace(/[^\n]/g, ' '));
    last = to;
  }
  out.push(text.slice(last));
  return { json: out.join(''), lines };
}

/** Install path → its package names (`@scope/a/b` → [`@scope/a`, `b`]). */
function segments(key: string): string[] {
  const parts = key.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith('@') && i + 1 < parts.length) out.push(`${p}/${parts[++i]}`);
    else out.push(p);
  }
  return out;
}

const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const SECTIONS: readonly [string, Scope][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'prod'],
  ['devDependencies', 'dev'],
];

export function parseBunLock(text: string, file: string): Inventory {
  const { json, lines } = toJson(text);
  const data = parseJsonInput(json, file);
  if (!isObject(data)) throw new VouchError('INPUT_UNSUPPORTED', 'not a bun lockfile (not a JSON object)', { path: file });
  const ctx = new LockGraph(file, ID);
  if (!Object.keys(data).length) {
    ctx.graph.addRoot(ctx.rootId, file);
    return ctx.finish();
  }
  if (typeof data['lockfileVersion'] !== 'number') {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a bun lockfile (no numeric lockfileVersion)', { path: file, position: { jsonPath: '$.lockfileVersion' } });
  }
  const packages = data['packages'] ?? {};
  const workspaces = data['workspaces'] ?? {};
  if (!isObject(packages)) throw new VouchError('INPUT_PARSE', 'packages is not an object', { path: file, position: { jsonPath: '$.packages' } });
  if (!isObject(workspaces)) throw new VouchError('INPUT_PARSE', 'workspaces is not an object', { path: file, position: { jsonPath: '$.workspaces' } });

  // workspaces → roots
  const rootOf = (folder: string): string => (folder === '' || folder === '.' ? ctx.rootId : `${ctx.rootId}#${folder}`);
  for (const [folder, ws] of Object.entries(workspaces)) {
    const name = isObject(ws) && typeof ws['name'] === 'string' ? ws['name'] : undefined;
    const version = isObject(ws) && typeof ws['version'] === 'string' ? ws['version'] : undefined;
    ctx.graph.addRoot(rootOf(folder), name ?? (folder || file), rootIdentity(name, version));
  }
  if (!ctx.graph.roots.has(ctx.rootId)) ctx.graph.addRoot(ctx.rootId, file);

  // packages → components (or roots, for workspace entries)
  const bad: string[] = [];
  const node = new Map<string, string>(); // install path → purl or root id
  const deps = new Map<string, Record<string, unknown>>(); // install path → its info object
  const wsPrefix = new Map<string, string>(); // root id → the install path prefix of its nested packages
  for (const [key, tuple] of Object.entries(packages)) {
    const line = lines.get(key);
    const spec = Array.isArray(tuple) ? tuple[0] : undefined;
    if (typeof spec !== 'string') {
      bad.push(`could not extract '${key}': expected ["name@version", …]${line ? ` (line ${line})` : ''}`);
      continue;
    }
    const t = tuple as unknown[];
    const info = t.find((x) => isObject(x));
    if (isObject(info)) deps.set(key, info);
    const [name, ref] = splitDescriptor(spec);
    if (ref.startsWith('workspace:')) {
      const id = rootOf(ref.slice('workspace:'.length));
      if (!ctx.graph.roots.has(id)) ctx.graph.addRoot(id, name);
      node.set(key, id);
      wsPrefix.set(id, key);
      continue;
    }
    if (!VERSION.test(ref)) {
      const kind = /^(file|link):/.test(ref) ? 'a local folder' : /^https?:.*\.tgz/.test(ref) ? 'a tarball URL' : 'a git repository';
      // the requirement as written after the name (`github:u/repo#commit`, `git+https://…`, `file:…`)
      ctx.unresolvedEntry(name, ref, line, `comes from ${kind}; no version recorded`);
      continue;
    }
    const integrity = [...t].reverse().find((x): x is string => typeof x === 'string' && /^sha(1|256|384|512)-/.test(x));
    const hashes: Hash[] = integrity ? hashesOf(integrity) : [];
    const purl = ctx.component(name, ref, line, 'unknown', hashes);
    if (purl !== undefined) node.set(key, purl);
  }
  if (bad.length) {
    const firstKey = /'(.*)'/.exec(bad[0]!)?.[1];
    const line = firstKey !== undefined ? lines.get(firstKey) : undefined;
    throw new VouchError('INPUT_PARSE', bad.slice(0, 5).join('; ') + (bad.length > 5 ? `; and ${bad.length - 5} more` : ''), {
      path: file,
      ...(line ? { position: { line } } : {}),
    });
  }

  /** node_modules-style lookup from the install path `from` (segments). */
  const resolve = (from: string[], dep: string): string | undefined => {
    for (let k = from.length; k >= 0; k--) {
      const key = k ? `${from.slice(0, k).join('/')}/${dep}` : dep;
      if (packages[key] !== undefined) return key;
    }
    return undefined;
  };
  let missing = 0;
  let firstMissing = '';
  const link = (fromId: string, fromPath: string[], info: Record<string, unknown>, isRoot: boolean): void => {
    for (const [field, kind] of SECTIONS) {
      if (field === 'devDependencies' && !isRoot) continue;
      const m = info[field];
      if (!isObject(m)) continue;
      for (const dep of Object.keys(m)) {
        const key = resolve(fromPath, dep);
        const to = key !== undefined ? node.get(key) : undefined;
        if (to === undefined) {
          if (key === undefined && kind === 'prod' && field !== 'peerDependencies') {
            missing++;
            firstMissing ||= `${fromPath.join('/') || '(project)'} → ${dep}`;
          }
          continue;
        }
        if (ctx.graph.roots.has(to)) ctx.graph.addEdge(fromId, to);
        else ctx.edge(fromId, to, kind);
      }
    }
  };
  for (const [folder, ws] of Object.entries(workspaces)) {
    if (!isObject(ws)) continue;
    const id = rootOf(folder);
    const prefix = wsPrefix.get(id);
    link(id, prefix !== undefined ? segments(prefix) : [], ws, true);
  }
  for (const [key, info] of deps) {
    const from = node.get(key);
    if (from === undefined || ctx.graph.roots.has(from)) continue;
    link(from, segments(key), info, false);
  }
  if (missing) ctx.warnings.push(`${missing} dependenc(ies) not found in packages (first: ${firstMissing})`);
  return ctx.finish();
}
