/**
 * `Pipfile.lock` (pipenv): JSON with `default` (prod) and `develop` (dev) maps of name →
 * `{ version: "==1.2.3", hashes: ["sha256:…"], markers }`.
 *
 * - A package in both sections is one component, prod (the stronger scope).
 * - An entry without a `==` version (VCS, path or editable entries) goes to `unresolved`.
 * - The lock is flat: it records neither edges nor which packages the Pipfile asked for, so every
 *   package hangs off the root (so paths exist) and none is marked direct.
 * - Lines: the line of each entry's key, from one pass over the text.
 */
import type { Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText, parseJsonInput } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { baseName, isPlainObject, parseHash, PyContext, wrongType } from './common.js';
import type { Hash } from '../../model/component.js';

const ID = 'pypi/pipfile-lock';
const SECTIONS: readonly [string, Scope][] = [
  ['default', 'prod'],
  ['develop', 'dev'],
];

export const pipfileLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['Pipfile.lock'],
  wants: (p: string) => baseName(p) === 'Pipfile.lock',
  sniff: (head: string) => /^\s*\{\s*"_meta"\s*:/.test(head) && /"pipfile-spec"/.test(head),
  async extract(input: InputFile): Promise<Inventory> {
    return parsePipfileLock(decodeText(await input.read(), input.path), input.path);
  },
};

export function parsePipfileLock(text: string, file: string): Inventory {
  const ctx = new PyContext(file, ID);
  if (text.trim() === '') return ctx.inventory();
  const data = parseJsonInput(text, file);
  if (!isPlainObject(data)) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a Pipfile.lock (the top level is not an object)', { path: file });
  }
  const lines = sectionKeyLines(text, new Set(SECTIONS.map(([s]) => s)));
  for (const [section, scope] of SECTIONS) {
    const entries = data[section];
    if (entries === undefined) continue;
    if (!isPlainObject(entries)) throw wrongType(file, `$.${section}`, 'an object', entries);
    for (const [name, raw] of Object.entries(entries)) {
      const where = `$.${section}[${JSON.stringify(name)}]`;
      const line = lines.get(`${section}\u0000${name}`);
      if (!isPlainObject(raw)) throw wrongType(file, where, 'an object', raw, line);
      const v = raw['version'];
      if (v !== undefined && typeof v !== 'string') throw wrongType(file, `${where}.version`, 'a string', v, line);
      const m = v !== undefined ? /^\s*===?\s*(\S+)\s*$/.exec(v) : null;
      if (!m) {
        const src = ['git', 'path', 'file', 'editable'].find((k) => raw[k] !== undefined);
        const spec = v ?? (src && typeof raw[src] === 'string' ? `${src}: ${raw[src] as string}` : undefined);
        ctx.unresolvedEntry(name, v === undefined ? `no version recorded${src ? ` (${src} source)` : ''}` : `not pinned: ${v}`, spec, line);
        continue;
      }
      const hashes: Hash[] = [];
      const hs = raw['hashes'];
      if (Array.isArray(hs)) {
        for (const h of hs) {
          const parsed = typeof h === 'string' ? parseHash(h) : undefined;
          if (parsed) hashes.push(parsed);
        }
      }
      const purl = ctx.add({ name, version: m[1]!, scope, line, hashes });
      if (purl) ctx.graph.addEdge(ctx.rootId, purl);
    }
  }
  return ctx.inventory();
}

/**
 * Line of every key of the top-level objects named in `sections` (`section\0key` → line): a small
 * tokenizer over JSON text that JSON.parse has accepted (strings, braces, commas, colons).
 */
export function sectionKeyLines(text: string, sections: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  let depth = 0;
  let line = 1;
  let expectKey = false;
  let topKey: string | undefined;
  let inSection: string | undefined;
  const isObj: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34) {
      let end = i + 1;
      while (end < text.length) {
        const q = text.charCodeAt(end);
        if (q === 92) end += 2;
        else if (q === 34) break;
        else end++;
      }
      if (expectKey) {
        const raw = text.slice(i, end + 1);
        const k = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (depth === 1) topKey = k;
        else if (depth === 2 && inSection !== undefined) out.set(`${inSection}\u0000${k}`, line);
        expectKey = false;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      depth++;
      isObj[depth] = c === 123;
      if (depth === 2) inSection = c === 123 && topKey !== undefined && sections.has(topKey) ? topKey : undefined;
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      depth--;
      expectKey = false;
    } else if (c === 44) {
      expectKey = isObj[depth] === true;
    }
  }
  return out;
}
