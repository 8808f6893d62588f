/**
 * Machine-written YAML lockfiles (pnpm-lock.yaml, yarn berry's yarn.lock) read fast, with the full
 * reader (`yaml.ts`) as the judge of everything unusual (issue 17).
 *
 * Both writers emit a small, regular subset of YAML: block maps indented by spaces, one `key: value`
 * per line, keys and values as plain, single- or double-quoted scalars on one line, and short flow
 * collections of scalars (`{integrity: sha512-…}`, `[x64]`). `fastLockYaml` reads exactly that
 * subset in one pass over the lines and returns `undefined` — never a guess — on anything else:
 * anchors, aliases, tags, directives, document markers, block scalars, multi-line scalars or flow
 * collections, nested flow collections, explicit keys, tabs or control characters, indentation that
 * is not a plain block structure, a key the core schema reads as something other than a string,
 * duplicate keys, nesting deeper than MAX_DEPTH, an empty document or one whose top level is not a
 * map. `readLockYaml` then runs the full parser with its checks (syntax, tags, aliases refused,
 * duplicate keys, depth), so a file outside the subset gets exactly the answer it got before, and
 * the fast path never accepts what the full parser refuses. Scalars resolve as the YAML 1.2 core
 * schema does (null, booleans, decimal integers and floats; any other form of number makes the
 * fast path give up).
 *
 * Both paths return the same structure: the top-level pairs with the line of each key, the value
 * as plain data (`toJSON`), and, for the top-level keys a reader asks for (`childrenOf`), the pairs
 * of that map with their own key lines instead. test/acceptance/yaml-lock.test.ts checks the two
 * paths agree on every real and conformance pnpm and yarn berry lockfile.
 */
import type { Pair } from 'yaml';
import { yamlLib } from './libs.js';
import { parseYamlInput } from './yaml.js';

/** One `key: value` with the 1-based line of its key. */
export interface YamlEntry {
  key: string;
  line: number | undefined;
  value: unknown;
}

/** A top-level pair: its value as plain data, or — for the keys in `childrenOf` whose value is a map — that map's pairs. */
export type YamlTopEntry = YamlEntry | { key: string; line: number | undefined; entries: YamlEntry[] };

export interface LockYaml {
  /** `empty`: no content (or a null / empty scalar); `other`: the top level is a scalar or a sequence. */
  root: 'map' | 'empty' | 'other';
  top: YamlTopEntry[];
  /** Repeated keys (`duplicateKeys: 'report'`), in document order. */
  duplicates: { key: string; line: number }[];
  /** Which reader produced it (tests and profiling). */
  via: 'fast' | 'full';
}

export interface LockYamlOptions {
  duplicateKeys: 'error' | 'report';
  /** Top-level keys whose map value is returned as its pairs with their lines. */
  childrenOf?: ReadonlySet<string>;
}

/** Reads a lockfile's YAML: the fast reader when the file is in its subset, else the full one. Errors are the full reader's. */
export function readLockYaml(text: string, path: string, opts: LockYamlOptions): LockYaml {
  return fastLockYaml(text, opts) ?? fullLockYaml(text, path, opts);
}

// ---------------------------------------------------------------------------------------------
// The full reader, shaped as the fast one's result.

export function fullLockYaml(text: string, path: string, opts: LockYamlOptions): LockYaml {
  const Y = yamlLib();
  // syntax, custom tags and any alias are one-line errors there; duplicate keys as asked
  const { doc, lines: lc, duplicates } = parseYamlInput(text, path, { aliases: 'refuse', duplicateKeys: opts.duplicateKeys });
  const root = doc.contents;
  if (root === null || (Y.isScalar(root) && (root.value === null || root.value === ''))) return { root: 'empty', top: [], duplicates, via: 'full' };
  if (!Y.isMap(root)) return { root: 'other', top: [], duplicates, via: 'full' };
  const keyOf = (k: unknown): string => (Y.isScalar(k) ? String(k.value) : String(k));
  const lineOf = (k: unknown): number | undefined => (Y.isScalar(k) && k.range ? lc.linePos(k.range[0]).line : undefined);
  // a node's plain data; an empty value (`key:`) is null
  const jsOf = (v: unknown): unknown => (v && typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON: () => unknown }).toJSON() : v) ?? null;
  const top: YamlTopEntry[] = [];
  for (const pair of root.items as Pair[]) {
    const key = keyOf(pair.key);
    const line = lineOf(pair.key);
    if (opts.childrenOf?.has(key) && Y.isMap(pair.value)) {
      const entries = (pair.value.items as Pair[]).map((p) => ({ key: keyOf(p.key), line: lineOf(p.key), value: jsOf(p.value) }));
      top.push({ key, line, entries });
    } else {
      top.push({ key, line, value: jsOf(pair.value) });
    }
  }
  return { root: 'map', top, duplicates, via: 'full' };
}

// ---------------------------------------------------------------------------------------------
// The fast reader.

/** Deeper than any lockfile nests (pnpm: importers → folder → section → name → field). */
const MAX_DEPTH = 12;
/** YAML limits an implicit key to 1024 characters; the full parser errs past that, so the fast path gives up well before. */
const MAX_KEY = 1000;

/** Characters the fast path never reads: controls (tab included), DEL, C1 next-line, BOM, the Unicode line separators, a CR not before LF. */
// eslint-disable-next-line no-control-regex -- these are the characters looked for
const UNUSUAL = /[\x00-\x09\x0B\x0C\x0E-\x1F\x7F\x85\uFEFF\u2028\u2029]|\r(?!\n)/;

class GiveUp {}
const GIVE_UP = new GiveUp();

interface Frame {
  indent: number;
  depth: number;
  /** the map (object) or sequence (array) being filled */
  obj: Record<string, unknown> | unknown[];
  seq: boolean;
  /** the pairs with lines, for the top level and for the maps in `childrenOf` */
  pairs?: YamlEntry[];
}

/** The subset above, or undefined when the text is outside it (the full reader decides). */
export function fastLockYaml(text: string, opts: LockYamlOptions): LockYaml | undefined {
  if (UNUSUAL.test(text)) return undefined;
  try {
    return fast(text, opts);
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

function fast(text: string, opts: LockYamlOptions): LockYaml {
  const lines = text.split('\n');
  const rootPairs: YamlEntry[] = [];
  const rootObj: Record<string, unknown> = {};
  const stack: Frame[] = [{ indent: 0, depth: 0, obj: rootObj, seq: false, pairs: rootPairs }];
  const childEntries = new Map<YamlEntry, YamlEntry[]>();
  // a `key:` with nothing after it: its value is the block below it, or null
  let pending: { frame: Frame; key: string; indent: number; entry: YamlEntry | undefined; wantsPairs: boolean } | undefined;
  let any = false;

  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    let ind = 0;
    while (line.charCodeAt(ind) === 32) ind++;
    if (ind === line.length || line.charCodeAt(ind) === 35 /* # */) continue;
    const c = ind ? line.slice(ind) : line;
    if (ind === 0 && (c.startsWith('---') || c.startsWith('...') || c.startsWith('%'))) throw GIVE_UP;
    any = true;

    if (pending) {
      const p = pending;
      pending = undefined;
      if (ind > p.indent) {
        if (p.frame.depth + 1 > MAX_DEPTH) throw GIVE_UP;
        const seq = isSeqItem(c);
        const obj: Record<string, unknown> | unknown[] = seq ? [] : {};
        const frame: Frame = { indent: ind, depth: p.frame.depth + 1, obj, seq };
        if (p.wantsPairs && p.entry && !seq) {
          frame.pairs = [];
          childEntries.set(p.entry, frame.pairs);
        }
        (p.frame.obj as Record<string, unknown>)[p.key] = obj;
        if (p.entry) p.entry.value = obj;
        stack.push(frame);
      } else if (ind === p.indent && isSeqItem(c)) {
        throw GIVE_UP; // a sequence at its key's own indent: left to the full parser
      } // else the key's value stays null
    }

    let frame = stack[stack.length - 1]!;
    while (ind < frame.indent) {
      stack.pop();
      frame = stack[stack.length - 1]!;
    }
    if (ind !== frame.indent) throw GIVE_UP; // deeper than its block (a continuation line) or between two levels

    if (frame.seq) {
      if (!isSeqItem(c)) throw GIVE_UP;
      (frame.obj as unknown[]).push(inlineValue(c, 2));
      continue;
    }

    // a `key: value` line
    let key: string;
    let after: number; // offset in c just after the ':'
    const q = c.charCodeAt(0);
    if (q === 34 /* " */ || q === 39 /* ' */) {
      const [k, end] = quoted(c, 0);
      let j = end;
      while (c.charCodeAt(j) === 32) j++;
      if (c.charCodeAt(j) !== 58 /* : */) throw GIVE_UP;
      key = k;
      after = j + 1;
    } else {
      if (!plainStart(c, 0)) throw GIVE_UP;
      let j = c.indexOf(':');
      while (j >= 0 && j + 1 < c.length && c.charCodeAt(j + 1) !== 32) j = c.indexOf(':', j + 1);
      if (j <= 0) throw GIVE_UP;
      const raw = c.slice(0, j).trimEnd();
      if (raw.includes(' #')) throw GIVE_UP;
      if (typeof plainScalar(raw) !== 'string') throw GIVE_UP; // null, true, 1.0 … as keys: the full parser's business
      key = raw;
      after = j + 1;
    }
    if (after > MAX_KEY || key === '__proto__' || key === '<<') throw GIVE_UP;
    const obj = frame.obj as Record<string, unknown>;
    if (Object.hasOwn(obj, key)) throw GIVE_UP; // a duplicate key: an error or a `lost` entry, the full parser's call

    let v = after;
    while (c.charCodeAt(v) === 32) v++;
    const entry: YamlEntry | undefined = frame.pairs ? { key, line: i + 1, value: null } : undefined;
    if (entry) frame.pairs!.push(entry);
    if (v === c.length) {
      // the children of a top-level key in childrenOf come back as pairs with lines
      pending = { frame, key, indent: ind, entry, wantsPairs: frame === stack[0] && opts.childrenOf?.has(key) === true };
      obj[key] = null; // counts for duplicates and keeps the key's place in the order
      continue;
    }
    if (v === after) throw GIVE_UP; // `key:value` is one plain scalar, not a pair
    const value = inlineValue(c, v);
    if (frame === stack[0] && opts.childrenOf?.has(key) === true && isPlainObject(value)) {
      // `packages: {}`: the full reader lists a flow map's pairs too; only the empty one is read here
      if (Object.keys(value).length) throw GIVE_UP;
      childEntries.set(entry!, []);
    }
    obj[key] = value;
    if (entry) entry.value = value;
  }
  if (!any) throw GIVE_UP;

  const top: YamlTopEntry[] = rootPairs.map((e) => {
    const entries = childEntries.get(e);
    return entries ? { key: e.key, line: e.line, entries } : { key: e.key, line: e.line, value: rootObj[e.key] };
  });
  return { root: 'map', top, duplicates: [], via: 'fast' };
}

const isSeqItem = (c: string): boolean => c.charCodeAt(0) === 45 /* - */ && (c.length === 1 || c.charCodeAt(1) === 32);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Characters that may not start a plain scalar (YAML's indicators). */
const INDICATORS = new Set([...',[]{}#&*!|>\'"%@`']);
/** `-`, `?` and `:` may start one before a character that is neither a blank nor (in a flow collection, so never here) a flow indicator. */
const LEADING = new Set([...'-?:']);
const FLOW_OR_BLANK = new Set([...' ,[]{}']);
const plainStart = (s: string, at: number): boolean => {
  const ch = s[at];
  if (ch === undefined || INDICATORS.has(ch)) return false;
  return !LEADING.has(ch) || (at + 1 < s.length && !FLOW_OR_BLANK.has(s[at + 1]!));
};

/** A value after `key: ` or `- `, from `at` to the end of the line: a quoted or plain scalar or a flow collection, then at most a comment. */
function inlineValue(c: string, at: number): unknown {
  if (at >= c.length) throw GIVE_UP;
  const ch = c.charCodeAt(at);
  let value: unknown;
  let end: number;
  if (ch === 34 || ch === 39) [value, end] = quoted(c, at);
  else if (ch === 123 /* { */ || ch === 91 /* [ */) [value, end] = flow(c, at);
  else {
    if (!plainStart(c, at)) throw GIVE_UP;
    const hash = c.indexOf(' #', at);
    const raw = (hash < 0 ? c.slice(at) : c.slice(at, hash)).trimEnd();
    if (raw.endsWith(':') || raw.includes(': ')) throw GIVE_UP; // a mapping where a scalar belongs: a syntax error
    return plainScalar(raw);
  }
  endOfLine(c, end);
  return value;
}

/** After a value: only spaces, then the end or a comment. */
function endOfLine(c: string, at: number): void {
  let j = at;
  while (c.charCodeAt(j) === 32) j++;
  if (j === c.length) return;
  if (j > at && c.charCodeAt(j) === 35) return;
  throw GIVE_UP;
}

const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/g;

/** A quoted scalar starting at `at`, closed on the same line: [value, offset after the closing quote]. */
function quoted(c: string, at: number): [string, number] {
  const q = c.charCodeAt(at);
  let j = at + 1;
  if (q === 39) {
    let doubled = false;
    for (;;) {
      j = c.indexOf("'", j);
      if (j < 0) throw GIVE_UP;
      if (c.charCodeAt(j + 1) === 39) {
        doubled = true;
        j += 2;
        continue;
      }
      const body = c.slice(at + 1, j);
      return [doubled ? body.replaceAll("''", "'") : body, j + 1];
    }
  }
  let escaped = false;
  for (; j < c.length; j++) {
    const ch = c.charCodeAt(j);
    if (ch === 92 /* \\ */) {
      escaped = true;
      j++;
    } else if (ch === 34) break;
  }
  if (j >= c.length) throw GIVE_UP;
  const body = c.slice(at + 1, j);
  if (!escaped) return [body, j + 1];
  // only the escapes YAML and JSON share; YAML's others (\\x, \\U, \\N, \\ , \\e …) are the full parser's
  if (body.replace(ESCAPE, '').includes('\\')) throw GIVE_UP;
  return [JSON.parse(`"${body}"`) as string, j + 1];
}

/** A one-line flow map or sequence of scalars starting at `at`: [value, offset after the closing bracket]. */
function flow(c: string, at: number): [unknown, number] {
  const isMap = c.charCodeAt(at) === 123;
  const close = isMap ? 125 : 93;
  const map: Record<string, unknown> = {};
  const seq: unknown[] = [];
  let j = at + 1;
  const skip = (): void => {
    while (c.charCodeAt(j) === 32) j++;
  };
  skip();
  if (c.charCodeAt(j) === close) return [isMap ? map : seq, j + 1];
  for (;;) {
    if (isMap) {
      const [k, kEnd, kQuoted] = flowScalar(c, j);
      if (!kQuoted && typeof k !== 'string') throw GIVE_UP;
      const key = String(k);
      j = kEnd;
      skip();
      if (c.charCodeAt(j) !== 58 || c.charCodeAt(j + 1) !== 32) throw GIVE_UP;
      j += 2;
      skip();
      if (key === '__proto__' || key === '<<' || Object.hasOwn(map, key)) throw GIVE_UP;
      const [v, vEnd] = flowScalar(c, j);
      map[key] = v;
      j = vEnd;
    } else {
      const [v, vEnd] = flowScalar(c, j);
      seq.push(v);
      j = vEnd;
    }
    skip();
    const ch = c.charCodeAt(j);
    if (ch === close) return [isMap ? map : seq, j + 1];
    if (ch !== 44 /* , */) throw GIVE_UP;
    j++;
    skip();
    if (c.charCodeAt(j) === close) throw GIVE_UP; // a trailing comma
  }
}

/** A scalar inside a flow collection: [value, end offset, quoted]. */
function flowScalar(c: string, at: number): [unknown, number, boolean] {
  const ch = c.charCodeAt(at);
  if (ch === 34 || ch === 39) {
    const [v, end] = quoted(c, at);
    return [v, end, true];
  }
  if (!plainStart(c, at)) throw GIVE_UP;
  let k = at;
  for (; k < c.length; k++) {
    const x = c.charCodeAt(k);
    if (x === 44 || x === 91 || x === 93 || x === 123 || x === 125) break; // , [ ] { }
    if (x === 58 /* : */) {
      const n = c.charCodeAt(k + 1);
      if (k + 1 === c.length || n === 32 || n === 44 || n === 91 || n === 93 || n === 123 || n === 125) break;
    }
    if (x === 35 /* # */ && c.charCodeAt(k - 1) === 32) throw GIVE_UP; // a comment inside a flow collection
  }
  const raw = c.slice(at, k).trimEnd();
  if (!raw) throw GIVE_UP;
  return [plainScalar(raw), k, false];
}

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
/** Forms of the core schema the fast path does not resolve itself: octal, hex, infinities, NaN. */
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** A plain scalar as the YAML 1.2 core schema resolves it (the yaml library's tests, in its order). */
function plainScalar(s: string): unknown {
  const c = s.charCodeAt(0);
  // the fast case: nothing that can be null, a boolean or a number
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)) return s;
  if (s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (INT.test(s)) return parseInt(s, 10);
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  if (OTHER_NUMBER.test(s)) throw GIVE_UP;
  return s;
}
