/**
 * Minimal edits of a JSON document as text (a manifest such as package.json): change one string
 * value or add one member, leaving every other byte — indentation, key order, line endings,
 * trailing newline — as it was.
 */
import { VouchError } from '../model/errors.js';
import { lineAt } from './lines.js';

interface Span {
  start: number;
  end: number; // exclusive
}

/** Skips whitespace from `i`. */
function ws(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function stringEnd(text: string, i: number): number {
  // text[i] === '"'
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  throw new Error('unterminated string');
}

function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = stringEnd(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new Error('unbalanced brackets');
  }
  const m = /^[^\s,}\]]+/.exec(text.slice(i));
  return i + (m ? m[0].length : 0);
}

/** Members of the object starting at `open` (the `{`): key → value span. */
function members(text: string, open: number): { key: string; keySpan: Span; value: Span }[] {
  const out: { key: string; keySpan: Span; value: Span }[] = [];
  let i = ws(text, open + 1);
  while (i < text.length && text[i] !== '}') {
    const kEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, kEnd)) as string;
    let j = ws(text, kEnd);
    j = ws(text, j + 1); // past ':'
    const vEnd = valueEnd(text, j);
    out.push({ key, keySpan: { start: i, end: kEnd }, value: { start: j, end: vEnd } });
    i = ws(text, vEnd);
    if (text[i] === ',') i = ws(text, i + 1);
  }
  return out;
}

function objectAt(text: string, pathKeys: readonly string[]): { open: number; close: number } | undefined {
  let open = ws(text, 0);
  if (text[open] !== '{') return undefined;
  for (const k of pathKeys) {
    const m = members(text, open).find((x) => x.key === k);
    if (!m || text[m.value.start] !== '{') return undefined;
    open = m.value.start;
  }
  return { open, close: valueEnd(text, open) - 1 };
}

/** The string value at `pathKeys` (e.g. ['dependencies', 'mkdirp']) with its 1-based line, or undefined. */
export function findString(text: string, pathKeys: readonly string[]): { value: string; line: number } | undefined {
  const obj = objectAt(text, pathKeys.slice(0, -1));
  if (!obj) return undefined;
  const m = members(text, obj.open).find((x) => x.key === pathKeys[pathKeys.length - 1]);
  if (!m || text[m.value.start] !== '"') return undefined;
  return { value: JSON.parse(text.slice(m.value.start, m.value.end)) as string, line: lineAt(text, m.value.start) };
}

/** Replaces the string value at `pathKeys`; throws when it is not there. */
export function setString(text: string, pathKeys: readonly string[], value: string, file: string): string {
  const obj = objectAt(text, pathKeys.slice(0, -1));
  const m = obj && members(text, obj.open).find((x) => x.key === pathKeys[pathKeys.length - 1]);
  if (!m || text[m.value.start] !== '"') {
    throw new VouchError('INPUT_PARSE', `no string value to change`, { path: file, position: { jsonPath: `$${pathKeys.map((k) => `[${JSON.stringify(k)}]`).join('')}` } });
  }
  return text.slice(0, m.value.start) + JSON.stringify(value) + text.slice(m.value.end);
}

function indentUnit(text: string): string {
  const m = /\n([ \t]+)"/.exec(text);
  return m ? m[1]! : '  ';
}

/**
 * Sets `pathKeys` (object keys, last one the member) to the string `value`: replaced when present,
 * else added as the last member of its object, creating the missing objects on the way, indented
 * like the rest of the file.
 */
export function upsertString(text: string, pathKeys: readonly string[], value: string, file: string): string {
  if (findString(text, pathKeys)) return setString(text, pathKeys, value, file);
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const unit = indentUnit(text);
  // the deepest existing object on the path; a member on the path that is not an object cannot be extended
  let depth = pathKeys.length - 1;
  while (depth > 0 && !objectAt(text, pathKeys.slice(0, depth))) depth--;
  const blocking = depth < pathKeys.length - 1 ? objectAt(text, pathKeys.slice(0, depth)) : undefined;
  if (blocking && members(text, blocking.open).some((m) => m.key === pathKeys[depth])) {
    throw new VouchError('INPUT_UNSUPPORTED', `${pathKeys.slice(0, depth + 1).join('.')} is already set to a value that is not an object; edit it by hand`, {
      path: file,
      position: { jsonPath: `$${pathKeys.slice(0, depth + 1).map((k) => `[${JSON.stringify(k)}]`).join('')}` },
    });
  }
  const obj = objectAt(text, pathKeys.slice(0, depth));
  if (!obj) throw new VouchError('INPUT_PARSE', 'not a JSON object', { path: file, position: { jsonPath: '$' } });
  const rest = pathKeys.slice(depth);
  const level = depth + 1;
  const pad = (n: number): string => unit.repeat(n);
  let member = `${JSON.stringify(rest[rest.length - 1])}: ${JSON.stringify(value)}`;
  for (let i = rest.length - 2; i >= 0; i--) {
    member = `${JSON.stringify(rest[i])}: {${nl}${pad(level + i + 1)}${member}${nl}${pad(level + i)}}`;
  }
  const existing = members(text, obj.open);
  if (existing.length === 0) {
    return `${text.slice(0, obj.open + 1)}${nl}${pad(level)}${member}${nl}${pad(level - 1)}${text.slice(obj.close)}`;
  }
  const last = existing[existing.length - 1]!;
  return `${text.slice(0, last.value.end)},${nl}${pad(level)}${member}${text.slice(last.value.end)}`;
}
