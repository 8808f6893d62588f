/**
 * The CLI's side of the API (`vouch push`, `vouch query`, `vouch token --server`): one request
 * helper that sends the bearer token, never follows a redirect (a token must not travel to another
 * host), and turns a problem+json answer into a one-line VouchError naming the problem's detail and
 * position, as the CLI prints every error.
 */
import { VouchError } from '../model/errors.js';

export interface ClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080 */
  server: string;
  token?: string | undefined;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** The base URL checked: http(s) only, no credentials in it, no trailing slash. */
export function serverUrl(s: string): URL {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new VouchError('USAGE', `--server must be a URL such as http://127.0.0.1:8080 (got "${s}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new VouchError('USAGE', `--server must be an http:// or https:// URL (got "${s}")`);
  if (u.username || u.password) throw new VouchError('USAGE', '--server must not carry credentials: give the token with --token or VOUCH_TOKEN');
  u.pathname = u.pathname.replace(/\/+$/, '');
  return u;
}

/** What an answer that is not 2xx says, as one line: `403 forbidden: a viewer token may not …`. */
export function problemLine(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const p = body as { type?: unknown; detail?: unknown; title?: unknown; pointer?: unknown; line?: unknown; file?: unknown };
    const slug = typeof p.type === 'string' ? p.type.replace(/^urn:vouch:problem:/, '') : undefined;
    let where = typeof p.file === 'string' ? p.file : '';
    if (typeof p.line === 'number') where += `:${p.line}`;
    if (typeof p.pointer === 'string') where += ` (${p.pointer})`;
    const detail = typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : '';
    const shown = where && !detail.includes(where.trim()) ? `${where.trim()}: ${detail}` : detail;
    return `server answered ${status}${slug ? ` ${slug}` : ''}: ${shown}`.replace(/\s*\n\s*/g, ' ').trim();
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return `server answered ${status}${text ? `: ${text}` : ''}`.replace(/\s*\n\s*/g, ' ');
}

export async function apiRequest<T>(
  opts: ClientOptions,
  method: string,
  pathAndQuery: string,
  body?: { json: unknown } | { bytes: Uint8Array; contentType: string },
): Promise<ApiAnswer<T>> {
  const base = serverUrl(opts.server);
  const url = new URL(base.toString().replace(/\/$/, '') + pathAndQuery);
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json;q=0.9, */*;q=0.1' };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let payload: RequestInit['body'];
  if (body && 'json' in body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body) {
    headers['content-type'] = body.contentType;
    payload = body.bytes as unknown as RequestInit['body'];
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload, redirect: 'manual' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new VouchError('NETWORK', `cannot reach the server at ${base.origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, { cause: e });
  }
  if (res.status >= 300 && res.status < 400) {
    throw new VouchError('NETWORK', `the server at ${base.origin} answered ${res.status} with a redirect to ${res.headers.get('location') ?? '?'}: not followed (the token would go with it)`);
  }
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  let parsed: unknown = text;
  if (type.includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new VouchError('NETWORK', `the server at ${base.origin} answered ${res.status} with JSON that does not parse`);
    }
  }
  if (res.status >= 400) throw new ApiError(res.status, parsed);
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A problem answer: the one line, and the status the CLI maps to an exit code. */
export class ApiError extends VouchError {
  readonly status: number;
  readonly problem: unknown;
  constructor(status: number, body: unknown) {
    super(status === 422 ? 'INPUT_PARSE' : status === 413 ? 'INPUT_TOO_LARGE' : status >= 500 ? 'NETWORK' : 'USAGE', problemLine(status, body));
    this.status = status;
    this.problem = body;
  }
}
