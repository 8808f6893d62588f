/**
 * JSON read as it streams in, for a document too large to hold as one string (V8 caps a string at
 * about 512 MiB; an SBOM of a monorepo or an image can be larger). @streamparser/json tokenizes
 * the bytes and hands over only the values the caller selects (`$.components.*`): each is built,
 * passed on and dropped, so neither the text nor the whole tree is ever in memory.
 *
 * The checks of `decodeText` + `parseJsonInput` hold here too: binary data and bytes that are not
 * UTF-8 are refused, a syntax error is one line naming the file and the line. A UTF-16 document
 * (the in-memory path decodes it) is refused: it would have to be converted first.
 */
import { VouchError } from '../model/errors.js';
import { firstInvalidUtf8 } from './json.js';
import { streamJsonLib } from './libs.js';

export type JsonTop = 'object' | 'array' | 'other';

/** The kind of a JSON value, from its first token. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface JsonStreamHandlers {
  /** Selectors of the values to hand over (`$.metadata`, `$.components.*`), in @streamparser/json's syntax. */
  readonly paths: readonly string[];
  /** A selected value, complete, with the keys that lead to it from the top (`['components', 3]`). */
  onValue(value: unknown, keys: readonly (string | number)[]): void;
  /** The kind of the top-level value, as soon as its first token is read (throw to stop there). */
  onTop?(top: JsonTop): void;
  /**
   * Each member of the top-level object as its value starts: its key and the kind of its value
   * (so a list whose items are selected one by one is known to be a list before they come).
   */
  onTopKey?(key: string, kind: JsonKind): void;
  /** Object keys whose string values are reported with the key's line, at any depth, in document order. */
  readonly keyLines?: readonly string[];
  onKeyLine?(key: string, value: string, line: number): void;
}

/**
 * Counts lines up to byte offsets that only grow, over the chunks read since the earliest offset
 * still to be asked (`release` says which: the start of the last token, or of a key whose colon
 * has not come yet — which may lie many chunks back when long whitespace or a long string follows).
 */
class LineCounter {
  private readonly chunks: { base: number; buf: Buffer }[] = [];
  private cursor = 0;
  private line = 1;

  push(buf: Buffer, base: number): void {
    this.chunks.push({ base, buf });
  }

  /** Chunks wholly before `offset` are counted and dropped: no line before it is asked for again. */
  release(offset: number): void {
    while (this.chunks.length > 1 && this.chunks[0]!.base + this.chunks[0]!.buf.length <= offset) {
      const c = this.chunks.shift()!;
      this.advance(c, c.base + c.buf.length);
    }
  }

  /** The 1-based line of byte `offset` (an offset already passed: the line reached). */
  lineOf(offset: number): number {
    for (const c of this.chunks) {
      if (this.cursor >= offset) break;
      if (this.cursor >= c.base + c.buf.length) continue;
      this.advance(c, Math.min(offset, c.base + c.buf.length));
    }
    return this.line;
  }

  private advance(c: { base: number; buf: Buffer }, end: number): void {
    const from = Math.max(0, this.cursor - c.base);
    const to = end - c.base;
    for (let k = c.buf.indexOf(10, from); k !== -1 && k < to; k = c.buf.indexOf(10, k + 1)) this.line++;
    if (end > this.cursor) this.cursor = end;
  }
}

function parseError(path: string, reason: string, line: number | undefined, cause?: unknown): VouchError {
  return new VouchError('INPUT_PARSE', reason, { path, ...(line !== undefined ? { position: { line } } : {}), ...(cause !== undefined ? { cause } : {}) });
}

/** The library's message without its internal parser state ("… in state VALUE"). */
function reasonOf(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/ in state \w+\.?$/, '').replace(/^Unexpected end of input/, 'Unexpected end of JSON input');
}

/**
 * Parses the JSON document in `chunks` (the bytes of the file named `path`), handing the values
 * `handlers.paths` select to `handlers.onValue`. Throws VouchError INPUT_PARSE for bytes that are
 * not UTF-8 JSON; an error thrown by a handler stops the parse and comes out as it was thrown.
 */
export async function parseJsonStream(chunks: AsyncIterable<Buffer>, path: string, handlers: JsonStreamHandlers): Promise<void> {
  const { Tokenizer, TokenParser, TokenType, TokenizerError, TokenParserError } = streamJsonLib();
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: [...handlers.paths], keepStack: false });
  const lines = new LineCounter();
  const wanted = new Set(handlers.keyLines ?? []);
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  let first = true;
  let lastOffset = 0;
  /** The last string token and where it started: a key when a colon follows. */
  let lastString: { value: string; offset: number } | undefined;
  /** A wanted key just read (its colon seen): the next token, when a string, is its value. */
  let pendingKey: { key: string; line: number } | undefined;
  /** Nesting depth before the current token; a key of the top-level object whose value comes next. */
  let depth = 0;
  let pendingTop: string | undefined;
  const kindOf = (token: number): JsonKind =>
    token === TokenType.LEFT_BRACE ? 'object' : token === TokenType.LEFT_BRACKET ? 'array' : token === TokenType.STRING ? 'string' : token === TokenType.NUMBER ? 'number' : token === TokenType.NULL ? 'null' : 'boolean';

  parser.onValue = ({ value, key, stack }) => {
    const keys: (string | number)[] = [];
    for (let i = 1; i < stack.length; i++) keys.push(stack[i]!.key as string | number);
    if (key !== undefined) keys.push(key);
    handlers.onValue(value, keys);
  };
  tokenizer.onToken = (t) => {
    lastOffset = t.offset;
    if (first) {
      first = false;
      handlers.onTop?.(t.token === TokenType.LEFT_BRACE ? 'object' : t.token === TokenType.LEFT_BRACKET ? 'array' : 'other');
    }
    if (pendingKey) {
      if (t.token === TokenType.STRING) handlers.onKeyLine?.(pendingKey.key, t.value as string, pendingKey.line);
      pendingKey = undefined;
    }
    if (pendingTop !== undefined) {
      handlers.onTopKey?.(pendingTop, kindOf(t.token));
      pendingTop = undefined;
    }
    if (t.token === TokenType.STRING) lastString = { value: t.value as string, offset: t.offset };
    else {
      if (t.token === TokenType.COLON && lastString) {
        if (wanted.has(lastString.value)) pendingKey = { key: lastString.value, line: lines.lineOf(lastString.offset) };
        if (depth === 1) pendingTop = lastString.value;
      }
      lastString = undefined;
      if (t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET) depth++;
      else if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) depth--;
    }
    parser.write(t);
  };

  /**
   * The library's errors (the bytes are not JSON) become one line with the line they were met on;
   * anything a handler threw comes out as it was (a VouchError, or a bug: never an input error).
   */
  const guarded = (run: () => void): void => {
    try {
      run();
    } catch (e) {
      if (!(e instanceof TokenizerError || e instanceof TokenParserError)) throw e;
      const at = /position "?(\d+)"?/.exec(e instanceof Error ? e.message : '');
      throw parseError(path, `not valid JSON: ${reasonOf(e)}`, lines.lineOf(at ? Number(at[1]) : lastOffset), e);
    }
  };

  let base = 0;
  for await (const chunk of chunks) {
    if (base === 0) {
      if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
        throw new VouchError('INPUT_UNSUPPORTED', 'a UTF-16 document this large is not read: convert it to UTF-8', { path });
      }
      if (chunk.subarray(0, 8192).includes(0)) throw new VouchError('INPUT_PARSE', 'binary data where text was expected', { path });
    }
    lines.push(chunk, base);
    try {
      utf8.decode(chunk, { stream: true });
    } catch (e) {
      const at = base + firstInvalidUtf8(chunk);
      throw parseError(path, `not valid UTF-8 (byte ${at})`, lines.lineOf(at), e);
    }
    guarded(() => tokenizer.write(chunk));
    base += chunk.length;
    // a token not finished yet starts after the last one handed over; a key is asked for at its colon
    lines.release(lastString ? Math.min(lastString.offset, lastOffset) : lastOffset);
  }
  try {
    utf8.decode();
  } catch (e) {
    throw parseError(path, `not valid UTF-8 (byte ${base})`, lines.lineOf(base), e);
  }
  if (first) throw parseError(path, 'not valid JSON: Unexpected end of JSON input', lines.lineOf(base));
  guarded(() => tokenizer.end());
  if (!parser.isEnded) throw parseError(path, 'not valid JSON: Unexpected end of JSON input', lines.lineOf(base));
}
