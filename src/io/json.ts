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


/** Decode bytes as UTF-8 text, refusing binary garbage with a clear error. */
export function decodeText(buf: Buffer, path: string): string {
  if (buf.subarray(0, 8192).includes(0)) {
    throw new VouchError('INPUT_PARSE', 'binary data where text was expected', { path });
  }
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
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

/** The INPUT_PARSE error for a field of the wrong type, naming the file, JSON path and line. */
export function wrongJsonType(file: string, jsonPath: string, expected: string, found: unknown, line?: number): VouchError {
  return new VouchError('INPUT_PARSE', `expected ${expected}, found ${jsonTypeName(found)}`, {
    path: file,
    position: line !== undefined ? { line, jsonPath } : { jsonPath },
  });
}
