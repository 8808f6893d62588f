/**
 * Shared plumbing for the npm-family lockfiles that are not package-lock.json (yarn, pnpm, bun):
 * one graph per file, components keyed by purl, edges with a kind, and scope/direct worked out
 * from the roots once every edge is known.
 *
 * Scope propagation: a root's edge says prod, dev, optional or unknown (the lockfile does not say
 * which section the dependency came from); a package's own edges say prod or optional. A package's
 * scope is the strongest over all paths from a root, where a path is as weak as its weakest edge,
 * in the order prod > unknown > optional > dev (unknown ranks above optional and dev: it may be
 * prod). Packages no root reaches keep the scope the lockfile gave them, else `unknown`.
 */
import { readBeside } from '../../io/input.js';
import path from 'node:path';
import type { Component, Hash, Scope } from '../../model/component.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { npmPurl } from './common.js';

export const ECOSYSTEM = 'npm';

const RANK: Record<Scope, number> = { dev: 1, optional: 2, unknown: 3, prod: 4 };
const BY_RANK: Scope[] = ['unknown', 'dev', 'optional', 'unknown', 'prod'];

export class LockGraph {
  readonly graph = new DependencyGraph();
  readonly unresolved: Inventory['unresolved'] = [];
  readonly warnings: string[] = [];
  readonly rootId: string;
  /** from → to → strongest edge kind rank */
  private readonly kinds = new Map<string, Map<string, number>>();
  private readonly purls = new Map<string, string>();

  constructor(
    readonly file: string,
    readonly extractor: string,
  ) {
    this.rootId = `root:${file}`;
  }

  /** Adds (or merges into) the component name@version declared at `line`; returns its purl. */
  component(name: string, version: string, line: number | undefined, scope: Scope = 'unknown', hashes?: Hash[]): string | undefined {
    const key = `${name}@${version}`;
    let purl = this.purls.get(key);
    if (purl === undefined) {
      try {
        purl = npmPurl(name, version);
      } catch (e) {
        this.warnings.push(`${this.at(line)}${key}: ${(e as Error).message}; skipped`);
        return undefined;
      }
      this.purls.set(key, purl);
    }
    const c: Component = {
      purl,
      ecosystem: ECOSYSTEM,
      name,
      version,
      scope,
      direct: false,
      ...(hashes?.length && !this.graph.components.has(purl) ? { hashes } : {}),
      locations: [line !== undefined ? { path: this.file, line } : { path: this.file }],
    };
    this.graph.add(c);
    return purl;
  }

  /** A package the lockfile names without a usable version: reported, never invented. */
  unresolvedEntry(name: string, spec: string | undefined, line: number | undefined, reason: string): void {
    this.warnings.push(`${this.at(line)}${name}: ${reason}; skipped`);
    this.unresolved.push({
      name,
      ecosystem: ECOSYSTEM,
      ...(spec !== undefined ? { spec } : {}),
      ...(line !== undefined ? { line } : {}),
      reason,
    });
  }

  edge(from: string, to: string, kind: Scope = 'prod'): void {
    if (from === to) return;
    this.graph.addEdge(from, to);
    let m = this.kinds.get(from);
    if (!m) this.kinds.set(from, (m = new Map()));
    const r = RANK[kind];
    if ((m.get(to) ?? 0) < r) m.set(to, r);
  }

  at(line: number | undefined): string {
    return line !== undefined ? `line ${line}: ` : '';
  }

  /** Marks direct dependencies and propagates scopes from the roots; returns the inventory. */
  finish(): Inventory {
    const { graph } = this;
    const level = new Map<string, number>();
    const queue: string[] = [];
    for (const root of graph.roots.keys()) {
      for (const [to, r] of this.kinds.get(root) ?? []) {
        const c = graph.components.get(to);
        if (!c) continue;
        c.direct = true;
        if ((level.get(to) ?? 0) < r) {
          level.set(to, r);
          queue.push(to);
        }
      }
    }
    // each node improves at most four times: linear in edges
    for (let i = 0; i < queue.length; i++) {
      const from = queue[i]!;
      const lf = level.get(from)!;
      for (const [to, r] of this.kinds.get(from) ?? []) {
        if (!graph.components.has(to)) continue;
        const l = Math.min(lf, r);
        if ((level.get(to) ?? 0) < l) {
          level.set(to, l);
          queue.push(to);
        }
      }
    }
    for (const [purl, l] of level) graph.components.get(purl)!.scope = BY_RANK[l]!;
    return { source: { path: this.file, extractor: this.extractor }, graph, unresolved: this.unresolved, warnings: this.warnings };
  }
}

/** The dependency sections of a package.json: name → range, per section. */
export interface Manifest {
  name: string | undefined;
  version?: string | undefined;
  prod: Map<string, string>;
  dev: Map<string, string>;
  optional: Map<string, string>;
  peer: Map<string, string>;
  /** yarn `resolutions` / overrides: package name (the last name of the key's path) → range */
  resolutions: Map<string, string>;
}

/**
 * Reads `<dir>/package.json` from disk for a lockfile on disk (not inside an archive). Absent or
 * unreadable → undefined (with a warning when it exists but is not valid JSON).
 */
export async function readManifest(lock: InputFile, sub: string, warnings: string[]): Promise<Manifest | undefined> {
  if (lock.path.includes('!')) return undefined;
  const file = path.join(path.dirname(lock.path), sub, 'package.json');
  // inside the lockfile's root; a FIFO, device, link out of the root or huge file fails the lockfile
  const buf = await readBeside(lock, file);
  if (buf === undefined) return undefined;
  const text = buf.toString('utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    warnings.push(`${file}: not valid JSON (${(e as Error).message}); direct dependencies unknown`);
    return undefined;
  }
  if (!isObject(data)) return undefined;
  const section = (k: string): Map<string, string> => {
    const v = data[k];
    const m = new Map<string, string>();
    if (isObject(v)) for (const [n, r] of Object.entries(v)) if (typeof r === 'string') m.set(n, r);
    return m;
  };
  return {
    name: typeof data['name'] === 'string' ? data['name'] : undefined,
    version: typeof data['version'] === 'string' ? data['version'] : undefined,
    prod: section('dependencies'),
    dev: section('devDependencies'),
    optional: section('optionalDependencies'),
    peer: section('peerDependencies'),
    resolutions: new Map([...section('resolutions')].map(([k, v]) => [resolutionName(k), v])),
  };
}

/** Which section of a manifest a dependency name belongs to (prod beats optional beats dev). */
export function manifestKind(m: Manifest | undefined, name: string): Scope {
  if (!m) return 'unknown';
  if (m.optional.has(name)) return 'optional';
  if (m.prod.has(name) || m.peer.has(name)) return 'prod';
  if (m.dev.has(name)) return 'dev';
  return 'unknown';
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `name@range` → [name, range]; the `@` of a scope is not a separator. No `@` → [d, '']. */
export function splitDescriptor(d: string): [string, string] {
  const at = d.indexOf('@', 1);
  return at < 0 ? [d, ''] : [d.slice(0, at), d.slice(at + 1)];
}

/** npm alias range `npm:real@range` → the real name, else undefined. */
export function aliasTarget(range: string): string | undefined {
  if (!range.startsWith('npm:')) return undefined;
  const rest = range.slice(4);
  const at = rest.indexOf('@', 1);
  return at > 0 ? rest.slice(0, at) : undefined;
}

/** The package a yarn `resolutions` key overrides: `a`, `@s/a`, `p/a`, `** /@s/a`, `a@^1` → `a` / `@s/a`. */
export function resolutionName(key: string): string {
  const parts = key.split('/');
  let last = parts[parts.length - 1]!;
  const prev = parts[parts.length - 2];
  if (prev?.startsWith('@')) last = `${prev}/${last}`;
  return splitDescriptor(last)[0];
}
