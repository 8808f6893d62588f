/**
 * RFC 9457 problem details: every error the API answers is `application/problem+json` with a
 * stable `type` (a `urn:vouch:problem:<slug>` URI, each listed in docs/server.md), a `title` that
 * depends only on the type, the HTTP `status`, and a `detail` for this occurrence. Bad input adds
 * `errors` (one per schema violation, each with the JSON path into the body, query or path) or,
 * for a document that could not be read, `pointer` / `line` as `vouch scan` reports them.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isVouchError } from '../model/errors.js';
import { isPortfolioError } from '../portfolio/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every problem type the API answers, by slug: its status and title never change. */
export const PROBLEMS = {
  'bad-request': { status: 400, title: 'The request is not valid' },
  unauthorized: { status: 401, title: 'A valid API token is needed' },
  forbidden: { status: 403, title: 'The token may not do this' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'invalid-document': { status: 422, title: 'The document could not be read' },
  'rate-limited': { status: 429, title: 'Too many requests for this token' },
  internal: { status: 500, title: 'Internal server error' },
  'not-ready': { status: 503, title: 'The server is not ready' },
} as const;

export type ProblemSlug = keyof typeof PROBLEMS;

export function problemType(slug: ProblemSlug): string {
  return `urn:vouch:problem:${slug}`;
}

export interface ProblemFieldError {
  /** Where: `body`, `querystring`, `params` or `headers`, then a JSON path such as `$.projects[0]`. */
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemFieldError[];
  /** For a document: the JSON path of the problem, as the CLI's one-line error gives it. */
  pointer?: string;
  /** For a document: the 1-based line of the problem. */
  line?: number;
  /** For a document: the file name it was uploaded as. */
  file?: string;
}

/** A problem an API handler throws; the error handler answers it as is. */
export class ProblemError extends Error {
  readonly slug: ProblemSlug;
  readonly extra: Partial<Pick<Problem, 'errors' | 'pointer' | 'line' | 'file'>>;
  readonly headers: Record<string, string>;
  constructor(slug: ProblemSlug, detail: string, extra: ProblemError['extra'] = {}, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.slug = slug;
    this.extra = extra;
    this.headers = headers;
  }
}

export function problem(slug: ProblemSlug, detail: string, extra: ProblemError['extra'] = {}): Problem {
  const { status, title } = PROBLEMS[slug];
  return { type: problemType(slug), title, status, detail, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem, headers: Record<string, string> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

/** `/a/0/b` (an Ajv instancePath) as `$.a[0].b`. */
export function jsonPathOf(instancePath: string): string {
  if (!instancePath) return '$';
  let out = '$';
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Fastify's schema validation errors as field errors: the part of the request, the JSON path, the message. */
export function validationErrors(context: string | undefined, errs: readonly AjvLikeError[]): ProblemFieldError[] {
  return errs.map((e) => {
    let p = jsonPathOf(e.instancePath ?? '');
    // a missing property is reported at its parent: name the property itself
    if (e.keyword === 'required' && typeof e.params?.['missingProperty'] === 'string') p = `${p}${jsonPathOf(`/${e.params['missingProperty']}`).slice(1)}`;
    if (e.keyword === 'additionalProperties' && typeof e.params?.['additionalProperty'] === 'string') {
      return { path: `${context ?? 'body'} ${p}${jsonPathOf(`/${e.params['additionalProperty']}`).slice(1)}`, message: 'is not a known property' };
    }
    return { path: `${context ?? 'body'} ${p}`, message: e.message ?? 'is not valid' };
  });
}

/** The problem for any error a handler, a hook or Fastify itself raised. Internal errors say nothing of their cause. */
export function problemOf(err: unknown): { problem: Problem; headers: Record<string, string>; internal: boolean } {
  if (err instanceof ProblemError) return { problem: problem(err.slug, err.message, err.extra), headers: err.headers, internal: false };
  if (isPortfolioError(err)) {
    const slug: ProblemSlug = err.kind === 'not_found' ? 'not-found' : err.kind === 'conflict' ? 'conflict' : err.kind === 'forbidden' ? 'forbidden' : 'bad-request';
    return { problem: problem(slug, err.message), headers: {}, internal: false };
  }
  if (isVouchError(err)) {
    // below the server, a VouchError is bad input (a document, a range, a purl): the CLI's one line, and its position
    const slug: ProblemSlug = err.code === 'INPUT_TOO_LARGE' ? 'payload-too-large' : err.code === 'USAGE' ? 'bad-request' : 'invalid-document';
    const extra: ProblemError['extra'] = {};
    if (err.position?.jsonPath !== undefined) extra.pointer = err.position.jsonPath;
    if (err.position?.line !== undefined) extra.line = err.position.line;
    if (err.path !== undefined) extra.file = err.path;
    return { problem: problem(slug, err.oneLine(), extra), headers: {}, internal: false };
  }
  const fe = err as Partial<FastifyError> & { validation?: AjvLikeError[]; validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const errors = validationErrors(fe.validationContext, fe.validation);
    return { problem: problem('bad-request', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }), headers: {}, internal: false };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { problem: problem('payload-too-large', 'the request body is larger than this server accepts'), headers: {}, internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { problem: problem('unsupported-media-type', fe.message ?? 'unsupported content type'), headers: {}, internal: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { problem: problem('bad-request', `the body is not valid JSON: ${fe.message ?? ''}`.trim()), headers: {}, internal: false };
    default:
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 429) return { problem: problem('rate-limited', fe.message ?? 'rate limit reached'), headers: {}, internal: false };
  if (status >= 400 && status < 500) {
    const slug = (Object.keys(PROBLEMS) as ProblemSlug[]).find((s) => PROBLEMS[s].status === status) ?? 'bad-request';
    return { problem: problem(slug, fe.message ?? PROBLEMS[slug].title), headers: {}, internal: false };
  }
  return { problem: problem('internal', 'the server failed to answer this request; the log has the details'), headers: {}, internal: true };
}

/** Fastify's error handler: every error becomes problem+json; internal errors are logged, never shown. */
export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { problem: p, headers, internal } = problemOf(err);
  if (internal) req.log.error({ err }, 'internal error');
  else req.log.info({ problem: p.type, status: p.status }, p.detail);
  return sendProblem(reply, { ...p, instance: req.url.split('?')[0] ?? req.url }, headers);
}

/** The JSON schema of a problem (each error response in OpenAPI). */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    pointer: { type: 'string' },
    line: { type: 'integer' },
    file: { type: 'string' },
  },
} as const;
