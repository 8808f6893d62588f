/** JSON parsing for inputs: a parse error becomes one line naming the file and the line. */
import { VouchError } from '../model/errors.js';
import { lineAt } from './lines.js';

export function parseJsonInput(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    // V8: "... in JSON at position 123 (line 4 column 5)" or "... at position 123"
    const lc = /line (\d+) column (\d+)/.exec(msg);
    let line: number | undefined = lc ? Number(lc[1]) : undefined;
    const pos = /position (\d+)/.exec(msg);
    if (line === undefined && pos) line = lineAt(text, Number(pos[1]));
    if (line === undefined && /Unexpected end of JSON input/.test(msg)) line = lineAt(text, text.length);
    const reason = msg.replace(/^.*?(Unexpected|Expected|Bad)/, '$1').replace(/ in JSON at position.*$/, '');
    throw new VouchError('INPUT_PARSE', `not valid JSON: ${reason}`, {
      path,
      ...(line !== undefined ? { position: { line } } : {}),
      cause: e,
    });
  }
}


/**
 * Decode the bytes of a text input. UTF-8 (a BOM is dropped) and UTF-16 with its BOM (as Windows
 * editors and PowerShell's `>` write) are read; binary data (a NUL in the first 8 KiB of a file
 * without a UTF-16 BOM) and bytes that are not UTF-8 are refused with one line naming the file and
 * the line of the first bad byte — a package name read with a replacement character would be a
 * different package, silently. `invalid: 'replace'` is for the free-text package databases of an
 * installed system (dpkg status, apk, Python METADATA), whose descriptions may be in any encoding:
 * there a bad byte becomes U+FFFD.
 */
export function decodeText(buf: Buffer, path: string, opts: { invalid?: 'error' | 'replace' } = {}): string {
  const utf16 = buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe ? 'utf-16le' : buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff ? 'utf-16be' : undefined;
  if (utf16) {
    if (buf.length % 2 !== 0) throw new VouchError('INPUT_PARSE', `not valid ${utf16.toUpperCase()}: an odd number of bytes`, { path });
    let text: string;
    try {
      text = new TextDecoder(utf16, { fatal: opts.invalid !== 'replace', ignoreBOM: true }).decode(buf.subarray(2));
    } catch (e) {
      throw new VouchError('INPUT_PARSE', `not valid ${utf16.toUpperCase()}: an unpaired surrogate`, { path, cause: e });
    }
    if (text.includes('\0')) throw new VouchError('INPUT_PARSE', 'binary data where text was expected', { path });
    return text;
  }
  if (buf.subarray(0, 8192).includes(0)) {
    throw new VouchError('INPUT_PARSE', 'binary data where text was expected', { path });
  }
  let text: string;
  if (opts.invalid === 'replace') text = buf.toString('utf8');
  else {
    try {
      text = utf8Strict.decode(buf);
    } catch (e) {
      const at = firstInvalidUtf8(buf);
      const line = lineAt(buf.subarray(0, at).toString('latin1'), at);
      throw new VouchError('INPUT_PARSE', `not valid UTF-8 (byte ${at})`, { path, position: { line }, cause: e });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    // the second byte's range is narrower after E0, ED, F0, F4 (overlongs, surrogates, > U+10FFFF)
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return buf.length;
}

/** A JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How an unexpected JSON value reads in an error: `null`, `an array`, `an object`, `a number`. */
export function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A value from an input as a message shows it: strings, numbers and booleans as written, anything else by its type. */
export function shownValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return jsonTypeName(v);
}

/** The INPUT_PARSE error for a field of the wrong type, naming the file, JSON path and line. */
export function wrongJsonType(file: string, jsonPath: string, expected: string, found: unknown, line?: number): VouchError {
  return new VouchError('INPUT_PARSE', `expected ${expected}, found ${jsonTypeName(found)}`, {
    path: file,
    position: line !== undefined ? { line, jsonPath } : { jsonPath },
  });
}
