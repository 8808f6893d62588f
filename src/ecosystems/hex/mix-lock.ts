/**
 * Elixir `mix.lock`: an Elixir map literal written by Mix, one entry per line:
 *
 * ```elixir
 * %{
 *   "plug": {:hex, :plug, "1.11.1", "<inner sha256>", [:mix], [{:mime, "~> 1.0", [hex: :mime, repo: "hexpm", optional: false]}], "hexpm", "<outer sha256>"},
 *   "foo": {:git, "https://github.com/org/foo.git", "<commit>", [branch: "main"]},
 * }
 * ```
 *
 * The file is data, but in Elixir syntax: we never evaluate it. A small reader for the term
 * syntax Mix writes (maps, tuples, lists, keyword lists, strings, atoms, numbers, `true`/`false`/
 * `nil`) turns it into a tree with line numbers; anything else is an INPUT_PARSE error naming the
 * line.
 *
 * What becomes what:
 * - `:hex` entries are components: the package is the tuple's second element (the map key is the
 *   application name, usually the same), the version its third. Older Mix wrote 6 or 7 elements
 *   (no outer checksum, no repository); all are read. The outer checksum (the SHA-256 of the
 *   package tarball, what `mix deps.get` verifies) becomes the `sha256` hash. A repository
 *   `hexpm:<org>` (a private organisation) is the purl namespace; another repository name is kept
 *   as the component, with a warning.
 * - `:git` entries record a commit, not a version: they go to `unresolved` with `<url>#<commit>`
 *   as the spec (osv-scanner reports them with an empty version and the commit; we never invent a
 *   version). Other SCMs (`:path`, custom) likewise.
 * - An entry whose tuple is too short or mistyped (a hand-edited or corrupted line) is skipped
 *   with a warning; the rest of the file is still read (osv-scalibr does the same).
 * - Each hex entry's dependency list gives edges to the entries keyed by the dependencies' names;
 *   optional dependencies that were not locked are left out.
 * - mix.lock does not say which dependencies the project (mix.exs) names. As for npm v1
 *   lockfiles, an entry no other entry depends on is taken as direct (a root edge); then, for
 *   cycles, any entry still unreachable from the root. Scope is not recorded (`only: :dev` lives
 *   in mix.exs): `unknown`.
 */
import type { Component, Hash } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';

const ID = 'hex/mix-lock';
const ECOSYSTEM = 'Hex';

export const mixLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['mix.lock'],

  wants(p: string): boolean {
    const slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return p.slice(slash + 1) === 'mix.lock';
  },

  sniff(head: string): boolean {
    return /^\s*%\{\s*"[^"]+"\s*(?::|=>)\s*\{\s*:(?:hex|git)\s*,/.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parseMixLock(decodeText(await input.read(), input.path), input.path);
  },
};

// ---------------------------------------------------------------------------------------------
// the term reader

export type Term =
  | { t: 'map'; entries: { key: Term; value: Term }[]; line: number }
  | { t: 'tuple'; items: Term[]; line: number }
  | { t: 'list'; items: Term[]; line: number }
  | { t: 'str'; v: string; line: number }
  | { t: 'atom'; v: string; line: number }
  | { t: 'num'; v: string; line: number };

type Tok =
  | { k: '%{' | '{' | '}' | '[' | ']' | ',' | '=>' | 'eof'; line: number }
  | { k: 'str' | 'atom' | 'num'; v: string; line: number }
  /** `name:` or `"name":` — a keyword key */
  | { k: 'key'; v: string; line: number };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', e: '\x1b', '0': '\0', s: ' ', '#': '#' };
const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_@]/;

class Lexer {
  private i = 0;
  line = 1;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  fail(message: string, line = this.line): never {
    throw new VouchError('INPUT_PARSE', `not a mix.lock term: ${message}`, { path: this.file, position: { line } });
  }

  next(): Tok {
    const s = this.text;
    const n = s.length;
    // whitespace and `#` comments
    for (;;) {
      if (this.i >= n) return { k: 'eof', line: this.line };
      const c = s[this.i]!;
      if (c === '\n') {
        this.line++;
        this.i++;
      } else if (c === ' ' || c === '\t' || c === '\r') {
        this.i++;
      } else if (c === '#') {
        while (this.i < n && s[this.i] !== '\n') this.i++;
      } else break;
    }
    const line = this.line;
    const c = s[this.i]!;
    if (c === '%') {
      if (s[this.i + 1] !== '{') this.fail(`unexpected "${s.slice(this.i, this.i + 2)}"`);
      this.i += 2;
      return { k: '%{', line };
    }
    if (c === '{' || c === '}' || c === '[' || c === ']' || c === ',') {
      this.i++;
      return { k: c, line };
    }
    if (c === '=' && s[this.i + 1] === '>') {
      this.i += 2;
      return { k: '=>', line };
    }
    if (c === '"') {
      const v = this.string();
      if (s[this.i] === ':' && /[\s\]}),]|$/.test(s[this.i + 1] ?? '')) {
        this.i++;
        return { k: 'key', v, line };
      }
      return { k: 'str', v, line };
    }
    if (c === ':') {
      const d = s[this.i + 1] ?? '';
      if (d === '"') {
        this.i++;
        return { k: 'atom', v: this.string(), line };
      }
      if (IDENT_START.test(d)) {
        this.i++;
        return { k: 'atom', v: this.ident(true), line };
      }
      this.fail(`unexpected "${c}${d}"`);
    }
    if (IDENT_START.test(c)) {
      const v = this.ident(false);
      if (s[this.i] === ':' && /[\s\]}),]|$/.test(s[this.i + 1] ?? '')) {
        this.i++;
        return { k: 'key', v, line };
      }
      if (v === 'true' || v === 'false' || v === 'nil') return { k: 'atom', v, line };
      this.fail(`unexpected identifier "${v}"`);
    }
    if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9][0-9_]*(?:\.[0-9_]+)?/.exec(s.slice(this.i, this.i + 64));
      if (m) {
        this.i += m[0].length;
        return { k: 'num', v: m[0], line };
      }
    }
    this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private ident(atom: boolean): string {
    const s = this.text;
    const start = this.i;
    while (this.i < s.length && (IDENT_CHAR.test(s[this.i]!) || (atom && s[this.i] === '.'))) this.i++;
    if (s[this.i] === '?' || s[this.i] === '!') this.i++;
    return s.slice(start, this.i);
  }

  /** A double-quoted string starting at the current `"`; no interpolation. */
  private string(): string {
    const s = this.text;
    const startLine = this.line;
    let out = '';
    this.i++;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string', startLine);
      const c = s[this.i]!;
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\n') this.line++;
      if (c === '\\') {
        const e = s[this.i + 1] ?? '';
        if (e === '\n') this.line++;
        out += ESCAPES[e] ?? e;
        this.i += 2;
        continue;
      }
      if (c === '#' && s[this.i + 1] === '{') this.fail('string interpolation is not data');
      out += c;
      this.i++;
    }
  }
}

/** How deep terms may nest in a mix.lock (its entries nest four levels). */
export const MAX_TERM_DEPTH = 1000;

/** Reads one Elixir term (the whole file) into a tree; INPUT_PARSE with a line on anything else. */
export function readTerm(text: string, file: string): Term {
  const lx = new Lexer(text, file);
  let tok = lx.next();
  const advance = (): Tok => (tok = lx.next());
  /** The current token, read through a call so TypeScript does not narrow it across advance(). */
  const cur = (): Tok => tok;

  const describe = (t: Tok): string => (t.k === 'eof' ? 'end of file' : 'v' in t ? `${t.k} ${JSON.stringify(t.v)}` : `"${t.k}"`);

  /** Items up to `close`, commas between, a trailing comma allowed; keyword pairs become 2-tuples. */
  const items = (close: '}' | ']', openLine: number): Term[] => {
    const out: Term[] = [];
    while (cur().k !== close) {
      if (cur().k === 'eof') lx.fail(`"${close}" missing for the one opened on line ${openLine}`);
      const k = cur();
      if (k.k === 'key') {
        const key: Term = { t: 'atom', v: k.v, line: k.line };
        advance();
        out.push({ t: 'tuple', items: [key, value()], line: key.line });
      } else {
        out.push(value());
      }
      if (cur().k === ',') advance();
      else if (cur().k !== close) lx.fail(`expected "," or "${close}", found ${describe(cur())}`, cur().line);
    }
    advance();
    return out;
  };

  /** Terms nest at most MAX_TERM_DEPTH deep: the reader recurses per level (a mix.lock nests four). */
  let depth = 0;
  const value = (): Term => {
    if (++depth > MAX_TERM_DEPTH) lx.fail(`terms nested more than ${MAX_TERM_DEPTH} deep`, tok.line);
    const v = valueAt();
    depth--;
    return v;
  };

  const valueAt = (): Term => {
    const t = tok;
    switch (t.k) {
      case 'str':
      case 'atom':
      case 'num':
        advance();
        return { t: t.k, v: t.v, line: t.line };
      case '{':
        advance();
        return { t: 'tuple', items: items('}', t.line), line: t.line };
      case '[':
        advance();
        return { t: 'list', items: items(']', t.line), line: t.line };
      case '%{': {
        advance();
        const entries: { key: Term; value: Term }[] = [];
        while (cur().k !== '}') {
          if (cur().k === 'eof') lx.fail(`"}" missing for the map opened on line ${t.line}`);
          let key: Term;
          const k = cur();
          if (k.k === 'key') {
            key = { t: 'str', v: k.v, line: k.line };
            advance();
          } else {
            key = value();
            if (cur().k !== '=>') lx.fail(`expected "=>" after a map key, found ${describe(cur())}`, cur().line);
            advance();
          }
          entries.push({ key, value: value() });
          if (cur().k === ',') advance();
          else if (cur().k !== '}') lx.fail(`expected "," or "}", found ${describe(cur())}`, cur().line);
        }
        advance();
        return { t: 'map', entries, line: t.line };
      }
      default:
        return lx.fail(`unexpected ${describe(t)}`, t.line);
    }
  };

  const root = value();
  if (cur().k !== 'eof') lx.fail(`unexpected ${describe(cur())} after the term`, cur().line);
  return root;
}

// ---------------------------------------------------------------------------------------------
// the lockfile

interface Entry {
  app: string;
  purl: string;
  line: number;
  deps: { app: string; optional: boolean }[];
}

/** Parse the text of a mix.lock (`file` is its display path). */
export function parseMixLock(text: string, file: string): Inventory {
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  graph.addRoot(rootId, file);
  const result = (): Inventory => ({ source: { path: file, extractor: ID }, graph, unresolved, warnings });

  if (text.trim() === '') {
    warnings.push('empty file: no packages');
    return result();
  }
  const term = readTerm(text, file);
  if (term.t !== 'map') {
    throw new VouchError('INPUT_UNSUPPORTED', `not a mix.lock: the file holds a ${term.t}, not a map (%{...})`, {
      path: file,
      position: { line: term.line },
    });
  }

  const entries = new Map<string, Entry>();
  for (const { key, value } of term.entries) {
    const line = key.line;
    if (key.t !== 'str' && key.t !== 'atom') {
      warnings.push(`line ${line}: map key is a ${key.t}, not a package name; skipped`);
      continue;
    }
    const app = key.v;
    const skip = (why: string): void => {
      warnings.push(`line ${line}: ${app}: ${why}; skipped`);
    };
    if (value.t !== 'tuple' || value.items.length === 0 || value.items[0]!.t !== 'atom') {
      skip('not a {:scm, ...} tuple');
      continue;
    }
    const items = value.items;
    const scm = (items[0] as { v: string }).v;
    if (scm === 'hex') {
      const [, pkg, version, , , deps, repo, outer] = items;
      if (pkg?.t !== 'atom' || version?.t !== 'str' || version.v === '') {
        skip('a :hex entry needs the package name and version (:name, "1.2.3")');
        continue;
      }
      let namespace: string | undefined;
      if (repo !== undefined) {
        if (repo.t !== 'str') {
          skip('the repository is not a string');
          continue;
        }
        if (repo.v.startsWith('hexpm:')) namespace = repo.v.slice('hexpm:'.length);
        else if (repo.v !== 'hexpm') warnings.push(`line ${line}: ${pkg.v}@${version.v} comes from the Hex repository "${repo.v}", not hex.pm`);
      }
      let purl: string;
      try {
        purl = buildPurl({ type: 'hex', namespace, name: pkg.v, version: version.v });
      } catch (e) {
        skip((e as Error).message);
        continue;
      }
      const hashes: Hash[] = outer?.t === 'str' && /^[0-9a-f]{64}$/i.test(outer.v) ? [{ alg: 'sha256', value: outer.v.toLowerCase() }] : [];
      const c: Component = {
        purl,
        ecosystem: ECOSYSTEM,
        name: pkg.v,
        version: version.v,
        scope: 'unknown',
        direct: false,
        ...(hashes.length ? { hashes } : {}),
        locations: [{ path: file, line }],
      };
      graph.add(c);
      entries.set(app, { app, purl, line, deps: depsOf(deps) });
    } else if (scm === 'git') {
      const [, url, ref] = items;
      const commit = ref?.t === 'str' ? ref.v : undefined;
      const where = url?.t === 'str' ? url.v : undefined;
      unresolved.push({
        name: app,
        ecosystem: ECOSYSTEM,
        ...(where !== undefined ? { spec: commit !== undefined ? `${redact(where)}#${commit}` : redact(where) } : {}),
        line,
        reason: `git dependency${commit !== undefined ? ` at commit ${commit}` : ''}: the lockfile records no version`,
      });
    } else {
      unresolved.push({ name: app, ecosystem: ECOSYSTEM, line, reason: `:${scm} dependency: the lockfile records no version` });
    }
  }

  // edges, then direct entries: those no other entry depends on, then any left unreachable (cycles)
  const required = new Set<string>();
  for (const e of entries.values()) {
    for (const d of e.deps) {
      const target = entries.get(d.app);
      if (target === undefined) continue; // optional and not locked, or a git/path dependency
      graph.addEdge(e.purl, target.purl);
      if (target.app !== e.app) required.add(target.app);
    }
  }
  const markDirect = (e: Entry): void => {
    graph.addEdge(rootId, e.purl);
    const c = graph.components.get(e.purl);
    if (c) c.direct = true;
  };
  for (const e of entries.values()) if (!required.has(e.app)) markDirect(e);
  const reached = new Set<string>();
  const walk = (purl: string): void => {
    const stack = [purl];
    while (stack.length) {
      const p = stack.pop()!;
      if (reached.has(p)) continue;
      reached.add(p);
      for (const q of graph.edges.get(p) ?? []) stack.push(q);
    }
  };
  walk(rootId);
  for (const e of entries.values()) {
    if (!reached.has(e.purl)) {
      markDirect(e);
      walk(e.purl);
    }
  }
  return result();
}

/** `[{:mime, "~> 1.0", [hex: :mime, repo: "hexpm", optional: false]}, ...]` → app names. */
function depsOf(deps: Term | undefined): Entry['deps'] {
  if (deps?.t !== 'list') return [];
  const out: Entry['deps'] = [];
  for (const d of deps.items) {
    if (d.t !== 'tuple' || d.items[0]?.t !== 'atom') continue;
    let optional = false;
    const opts = d.items[2];
    if (opts?.t === 'list') {
      for (const o of opts.items) {
        if (o.t === 'tuple' && o.items[0]?.t === 'atom' && o.items[0].v === 'optional' && o.items[1]?.t === 'atom') {
          optional = o.items[1].v === 'true';
        }
      }
    }
    out.push({ app: d.items[0].v, optional });
  }
  return out;
}

/** Drops credentials from URLs (`https://token@host/…` → `https://host/…`). */
function redact(s: string): string {
  return s.replace(/\/\/[^/@\s]+@/g, '//');
}
