/**
 * Hostile inputs for the readers (issue 12, docs/reliability.md "Parsers, sizes and output"): the
 * variants of a valid sample that every reader must survive, generated in the test (never stored),
 * and the one contract they are held to — a clean result or a VouchError whose one line names the
 * file; never a TypeError, RangeError or any other exception (those are exit-70 bugs).
 */
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Extractor } from '../ecosystems/types.js';
import { memoryInput } from '../io/input.js';
import { VouchError } from '../model/errors.js';
import type { Inventory } from '../model/inventory.js';

export interface HostileVariant {
  /** What the variant is, for the failure list. */
  label: string;
  bytes: Buffer;
}

/** A deterministic byte stream (xorshift32), so a failure reproduces. */
export function pseudoRandomBytes(n: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const utf16be = (s: string): Buffer => {
  const le = Buffer.from(s, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
};

/**
 * The encoding and shape variants of one sample: empty, whitespace only, truncated at 15 points
 * (inside tokens, strings and multi-byte characters alike), binary (with and without NULs), bytes
 * that are not UTF-8 (a lone continuation byte, a truncated sequence, an overlong `/`, a surrogate)
 * put into the middle, UTF-8 with a BOM, UTF-16 LE and BE with their BOMs, and the sample's lines
 * cut off at CR only.
 */
export function encodingVariants(sample: Buffer): HostileVariant[] {
  const v: HostileVariant[] = [
    { label: 'empty', bytes: Buffer.alloc(0) },
    { label: 'whitespace only', bytes: Buffer.from(' \n\t\r\n  \n') },
    { label: 'binary with NULs', bytes: pseudoRandomBytes(4096) },
    { label: 'binary without NULs', bytes: Buffer.from(pseudoRandomBytes(4096, 7).map((b) => b | 0x80)) },
    { label: 'one NUL', bytes: Buffer.from([0]) },
    { label: 'UTF-8 BOM only', bytes: Buffer.from([0xef, 0xbb, 0xbf]) },
    { label: 'UTF-16LE BOM only', bytes: Buffer.from([0xff, 0xfe]) },
    { label: 'UTF-16LE odd length', bytes: Buffer.from([0xff, 0xfe, 0x41]) },
    { label: 'UTF-16BE odd length', bytes: Buffer.from([0xfe, 0xff, 0x00, 0x3c, 0x41]) },
  ];
  for (let k = 1; k < 16; k++) {
    const at = Math.floor((sample.length * k) / 16);
    v.push({ label: `truncated at byte ${at}`, bytes: sample.subarray(0, at) });
  }
  v.push({ label: 'last byte cut', bytes: sample.subarray(0, Math.max(0, sample.length - 1)) });
  const mid = Math.floor(sample.length / 2);
  for (const [name, bad] of [
    ['lone continuation byte', [0x80]],
    ['truncated 3-byte sequence', [0xe2, 0x82]],
    ['overlong slash', [0xc0, 0xaf]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['0xFF', [0xff]],
  ] as const) {
    v.push({ label: `invalid UTF-8 (${name}) mid-file`, bytes: Buffer.concat([sample.subarray(0, mid), Buffer.from(bad), sample.subarray(mid)]) });
  }
  const text = sample.toString('utf8');
  v.push({ label: 'CR line ends', bytes: Buffer.from(text.replace(/\r?\n/g, '\r')) });
  v.push({ label: 'CRLF line ends', bytes: Buffer.from(text.replace(/\r?\n/g, '\r\n')) });
  v.push({ label: 'NUL at the end', bytes: Buffer.concat([sample, Buffer.from([0])]) });
  return v;
}

/** The variants that must read exactly as the sample does (same components), or be refused with a VouchError. */
export function sameTextVariants(sample: Buffer): HostileVariant[] {
  const text = sample.toString('utf8');
  return [
    { label: 'UTF-8 BOM', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), sample]) },
    { label: 'UTF-16LE with BOM', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) },
    { label: 'UTF-16BE with BOM', bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)]) },
  ];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values of the wrong type put in place of each node: what a hostile or broken generator writes. */
export const WRONG_VALUES: readonly { label: string; value: Json }[] = [
  { label: 'null', value: null },
  { label: 'an array', value: [] },
  { label: 'an array of null', value: [null] },
  { label: 'an object', value: {} },
  { label: 'a number', value: 1 },
  { label: 'a negative float', value: -1.5 },
  { label: 'a boolean', value: true },
  { label: 'an empty string', value: '' },
  { label: 'a string', value: 'x' },
  { label: '__proto__ object', value: JSON.parse('{"__proto__":{"polluted":1}}') as Json },
];

function pathLabel(path: readonly (string | number)[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `[${JSON.stringify(p)}]`)).join('');
}

/**
 * Every way of replacing one node of `doc` (object, array or leaf, at any depth; the first `limit`
 * nodes in document order) by a value of the wrong type, plus three whole-document rewrites:
 * every leaf null, every object an array, every string a number.
 */
export function typeMutations(doc: unknown, { limit = 400, values = WRONG_VALUES }: { limit?: number; values?: readonly { label: string; value: Json }[] } = {}): { label: string; doc: unknown }[] {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, at: (string | number)[]): void => {
    if (paths.length >= limit) return;
    paths.push(at);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
  };
  walk(doc, []);
  const out: { label: string; doc: unknown }[] = [];
  for (const p of paths) {
    for (const w of values) out.push({ label: `${pathLabel(p)} = ${w.label}`, doc: replaceAt(doc, p, w.value) });
  }
  const deep = (v: unknown, leaf: (x: unknown) => unknown, obj: (x: Record<string, unknown>) => unknown = (x) => x): unknown => {
    if (Array.isArray(v)) return v.map((x) => deep(x, leaf, obj));
    if (v && typeof v === 'object') return obj(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, leaf, obj)])));
    return leaf(v);
  };
  out.push({ label: 'every leaf null', doc: deep(doc, () => null) });
  out.push({ label: 'every object an array of its values', doc: deep(doc, (x) => x, (o) => Object.values(o)) });
  out.push({ label: 'every string a number', doc: deep(doc, (x) => (typeof x === 'string' ? 42 : x)) });
  return out;
}

function replaceAt(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(doc)) return doc.map((x, i) => (i === head ? replaceAt(x, rest, value) : x));
  const o = doc as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) Object.defineProperty(copy, k, { value: k === head ? replaceAt(x, rest, value) : x, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * XML shape mutations of a sample: each leaf element (the first `limit`) emptied, given a child
 * element where text was expected, and doubled (one element becomes a list in the parsed tree);
 * each attribute value emptied.
 */
export function xmlMutations(xml: string, limit = 120): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  const leaf = /<([A-Za-z_][\w.:-]*)(\s[^<>]*)?>([^<]*)<\/\1>/g;
  let n = 0;
  for (let m = leaf.exec(xml); m && n < limit; m = leaf.exec(xml), n++) {
    const [whole, tag, attrs = ''] = m;
    const at = m.index;
    const put = (label: string, repl: string): void => {
      out.push({ label: `<${tag}> #${n}: ${label}`, text: xml.slice(0, at) + repl + xml.slice(at + whole.length) });
    };
    put('empty', `<${tag}${attrs}></${tag}>`);
    put('self-closed', `<${tag}${attrs}/>`);
    put('a child element instead of text', `<${tag}${attrs}><x>1</x></${tag}>`);
    put('doubled', whole + whole);
  }
  const attr = /\s([\w:.-]+)="[^"]*"/g;
  n = 0;
  for (let m = attr.exec(xml); m && n < limit; m = attr.exec(xml), n++) {
    out.push({ label: `attribute ${m[1]} #${n} empty`, text: xml.slice(0, m.index) + ` ${m[1]}=""` + xml.slice(m.index + m[0].length) });
  }
  return out;
}

/** The outcome of one read under the contract: `ok`, `error` (a VouchError), or a `bug` saying why. */
export type Outcome<T> = { kind: 'ok'; value: T } | { kind: 'error'; error: VouchError } | { kind: 'bug'; why: string };

/**
 * Runs `read` and classifies it. A VouchError must give one line that names `file`; anything else
 * thrown is a bug.
 */
export async function underContract<T>(read: () => Promise<T> | T, file: string): Promise<Outcome<T>> {
  try {
    return { kind: 'ok', value: await read() };
  } catch (e) {
    if (!(e instanceof VouchError)) {
      const err = e as Error;
      return { kind: 'bug', why: `${err?.name ?? typeof e}: ${String(err?.message ?? e).slice(0, 300)}${err?.stack ? ' @ ' + (err.stack.split('\n')[1]?.trim() ?? '') : ''}` };
    }
    const line = e.oneLine();
    if (line.includes('\n')) return { kind: 'bug', why: `VouchError of more than one line: ${JSON.stringify(line.slice(0, 300))}` };
    if (!line.includes(file)) return { kind: 'bug', why: `VouchError does not name ${file}: ${line.slice(0, 300)}` };
    if (line.length > 1000) return { kind: 'bug', why: `VouchError line is ${line.length} characters long` };
    return { kind: 'error', error: e };
  }
}

/** Where each sample is said to live: a folder that does not exist, so no sibling file is found. */
export const HOSTILE_DIR = '/nonexistent-hostile';
const DIR = HOSTILE_DIR;

export type Syntax = 'json' | 'yaml' | 'toml' | 'xml' | 'text' | 'binary';

export interface Sample {
  /** The path the reader is told it reads (its file name selects nothing: the extractor is called directly). */
  file: string;
  bytes: Buffer;
  syntax: Syntax;
}

/** The variants of one sample with the syntax-aware ones (wrong types, XML shapes) added. */
export function variantsOf(s: Sample): { label: string; bytes: Buffer }[] {
  const out = encodingVariants(s.bytes);
  const text = s.bytes.toString('utf8');
  const add = (label: string, t: string): void => void out.push({ label, bytes: Buffer.from(t) });
  if (s.syntax === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined; // bun.lock is JSONC: its trailing commas are not JSON
    }
    if (doc === undefined) doc = JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
    for (const m of typeMutations(doc)) add(m.label, JSON.stringify(m.doc));
  } else if (s.syntax === 'yaml') {
    const doc = parseYaml(text) as unknown;
    for (const m of typeMutations(doc)) add(m.label, stringifyYaml(m.doc));
  } else if (s.syntax === 'toml') {
    const doc = parseToml(text) as unknown;
    for (const m of typeMutations(doc)) {
      try {
        add(m.label, stringifyToml(m.doc as Record<string, unknown>));
      } catch {
        // TOML has no null, and its root must be a table: those mutations cannot be written
      }
    }
  } else if (s.syntax === 'xml') {
    for (const m of xmlMutations(text)) add(m.label, m.text);
  }
  return out;
}

const keys = (inv: Inventory): string[] => [...inv.graph.components.keys()].sort();

/** A clean result: what it holds is well-typed (no number or null slipped through as a name or version). */
function malformed(inv: Inventory): string | undefined {
  for (const c of inv.graph.components.values()) {
    if (typeof c.purl !== 'string' || !c.purl.startsWith('pkg:')) return `component purl ${String(c.purl)}`;
    if (typeof c.name !== 'string' || c.name === '') return `component ${c.purl}: name ${JSON.stringify(c.name)}`;
    if (typeof c.version !== 'string') return `component ${c.purl}: version ${JSON.stringify(c.version)}`;
    if (!Array.isArray(c.locations)) return `component ${c.purl}: locations`;
  }
  if (!inv.warnings.every((w) => typeof w === 'string')) return 'a warning that is not a string';
  if (!(inv.lost ?? []).every((w) => typeof w === 'string')) return 'a lost entry that is not a string';
  if (!inv.unresolved.every((u) => typeof u.name === 'string' && typeof u.reason === 'string')) return 'an unresolved entry without name or reason';
  return undefined;
}

/** Reads one file's bytes as the reader under test does (an extractor, a VEX, policy or playbook loader). */
export type Reader<T> = (file: string, bytes: Buffer) => Promise<T> | T;

/** Runs every variant of `s` through `read`; the list of contract breaches (empty when it holds). */
export async function readerBreaches<T>(read: Reader<T>, s: Sample, check: (v: T) => string | undefined = () => undefined): Promise<string[]> {
  const file = `${DIR}/${s.file}`;
  const bad: string[] = [];
  for (const v of variantsOf(s)) {
    const r = await underContract(() => read(file, v.bytes), file);
    if (r.kind === 'bug') bad.push(`${v.label}: ${r.why}`);
    else if (r.kind === 'ok') {
      const m = check(r.value);
      if (m) bad.push(`${v.label}: ${m}`);
    }
  }
  return bad;
}

/** Runs every variant through `extractor`; the list of contract breaches (empty when it holds). */
export function breaches(extractor: Extractor, s: Sample): Promise<string[]> {
  return readerBreaches((file, bytes) => extractor.extract(memoryInput(file, bytes)), s, malformed);
}

/** The BOM and UTF-16 forms of the sample read as the sample does (same `key`), or are refused with a VouchError. */
export async function readerEncodingBreaches<T>(read: Reader<T>, s: Sample, key: (v: T) => string): Promise<string[]> {
  const file = `${DIR}/${s.file}`;
  const plain = key(await read(file, s.bytes));
  const bad: string[] = [];
  for (const v of sameTextVariants(s.bytes)) {
    const r = await underContract(() => read(file, v.bytes), file);
    if (r.kind === 'bug') bad.push(`${v.label}: ${r.why}`);
    else if (r.kind === 'ok' && key(r.value) !== plain) bad.push(`${v.label}: read as ${key(r.value).slice(0, 200)}, the sample as ${plain.slice(0, 200)}`);
  }
  return bad;
}

/** The BOM and UTF-16 forms of an extractor's sample read as the sample does, or are refused with a VouchError. */
export function encodingBreaches(extractor: Extractor, s: Sample): Promise<string[]> {
  return readerEncodingBreaches((file, bytes) => extractor.extract(memoryInput(file, bytes)), s, (inv) => JSON.stringify(keys(inv)));
}

/** A DOCTYPE for `root` declaring entities, and a reference to put in a value: the XML attacks, each refused. */
export const XML_ENTITY_ATTACKS: readonly { label: string; doctype: (root: string) => string; ref: string }[] = [
  { label: 'external entity (XXE, a host file)', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`, ref: '&xxe;' },
  { label: 'external entity (a URL)', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/x">]>`, ref: '&xxe;' },
  { label: 'parameter entity', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>`, ref: 'x' },
  { label: 'internal entity', doctype: (r) => `<!DOCTYPE ${r} [<!ENTITY e "EXPANDED">]>`, ref: '&e;' },
  {
    label: 'billion laughs',
    doctype: (r) => {
      const ents = ['<!ENTITY l0 "lol">'];
      for (let i = 1; i < 10; i++) ents.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
      return `<!DOCTYPE ${r} [${ents.join('')}]>`;
    },
    ref: '&l9;',
  },
];

/** `xml` with the attack's DOCTYPE after the XML declaration (or first) and its reference in place of `target`. */
export function withEntityAttack(xml: string, attack: (typeof XML_ENTITY_ATTACKS)[number], root: string, target: string): string {
  const decl = /^<\?xml[^>]*\?>\s*/.exec(xml)?.[0] ?? '';
  const body = xml.slice(decl.length);
  if (!body.includes(target)) throw new Error(`sample has no ${target}`);
  return `${decl}${attack.doctype(root)}\n${body.replace(target, attack.ref)}`;
}

/** YAML documents every YAML reader refuses with one line: alias bombs, custom tags. `top` is a valid start. */
export function yamlAttacks(top: string): { label: string; text: string }[] {
  const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++) bomb.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return [
    { label: 'alias bomb', text: `${top}${bomb.join('\n')}\n` },
    { label: 'custom tag !foo', text: `${top}x: !foo bar\n` },
    { label: 'js/function tag', text: `${top}x: !!js/function "function () { return 1 }"\n` },
    { label: 'binary tag (YAML 1.1 only)', text: `${top}x: !!binary aGVsbG8=\n` },
  ];
}
