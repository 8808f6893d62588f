/**
 * The JSON schemas of the API's bodies, shared between routes (each is a component in the OpenAPI
 * document, referenced as `{ $ref: 'Name#' }`). Every route validates its input against them and
 * its 2xx JSON output too (app.ts).
 */

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;
const count = { type: 'integer', minimum: 0 } as const;

export const projectSchema = {
  $id: 'Project',
  type: 'object',
  required: ['name', 'tags', 'owners'],
  properties: {
    name: str,
    parent: str,
    /** direct children the token may see */
    children: strings,
    tags: strings,
    owners: strings,
    currentVersion: str,
    createdAt: str,
    /** open findings of the current version by severity, and how many KEV lists */
    open: {
      type: 'object',
      required: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNKNOWN', 'kev'],
      properties: { CRITICAL: count, HIGH: count, MEDIUM: count, LOW: count, NONE: count, UNKNOWN: count, kev: count },
    },
    /** when the project's last document was uploaded */
    lastUpload: str,
  },
} as const;

export const projectComponentsSchema = {
  $id: 'ProjectComponents',
  type: 'object',
  required: ['version', 'items'],
  properties: {
    version: str,
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['purl', 'name', 'version', 'scope', 'direct', 'licenses'],
        properties: { purl: str, name: str, version: str, ecosystem: str, scope: str, direct: { type: 'boolean' }, licenses: strings },
      },
    },
  },
} as const;

export const versionSchema = {
  $id: 'ProjectVersion',
  type: 'object',
  required: ['version', 'current'],
  properties: {
    version: str,
    current: { type: 'boolean' },
    uploadId: str,
    components: count,
    findings: count,
    createdAt: str,
    updatedAt: str,
  },
} as const;

export const uploadSchema = {
  $id: 'Upload',
  type: 'object',
  required: ['id', 'project', 'version', 'state'],
  properties: {
    id: str,
    project: str,
    version: str,
    fileName: str,
    sha256: str,
    state: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
    /** Set on the answer to a POST: the same bytes were uploaded before for this version. */
    duplicate: { type: 'boolean' },
    error: {
      type: 'object',
      required: ['title', 'detail'],
      properties: { title: str, detail: str, pointer: str, line: { type: 'integer' } },
    },
    components: count,
    findings: count,
    createdAt: str,
    finishedAt: str,
  },
} as const;

export const affectedItemSchema = {
  $id: 'AffectedItem',
  type: 'object',
  required: ['project', 'version', 'current', 'purl', 'vuln', 'path', 'firstSeen'],
  properties: {
    project: str,
    version: str,
    current: { type: 'boolean' },
    purl: str,
    /** the finding's OSV id (the alias asked for may be another of its ids) */
    vuln: str,
    /** The shortest dependency path from a root to the component (root label first). */
    path: strings,
    firstSeen: str,
    severity: str,
    kev: { type: 'boolean' },
    /** issue 14: the current analysis of this finding in this project (docs/respond.md) */
    analysis: { type: 'object', required: ['state', 'author', 'at'], properties: { state: str, justification: str, author: str, at: str } },
  },
} as const;

export const componentUseSchema = {
  $id: 'ComponentUse',
  type: 'object',
  required: ['project', 'version', 'current', 'purl', 'componentVersion'],
  properties: { project: str, version: str, current: { type: 'boolean' }, purl: str, componentVersion: str, scope: str, direct: { type: 'boolean' } },
} as const;

export const portfolioSchema = {
  $id: 'Portfolio',
  type: 'object',
  required: ['projects', 'bySeverity', 'kev', 'mostAffected', 'oldestCritical', 'freshness'],
  properties: {
    projects: count,
    bySeverity: { type: 'object', additionalProperties: count },
    kev: { type: 'object', required: ['findings', 'projects'], properties: { findings: count, projects: count } },
    mostAffected: { type: 'array', items: { type: 'object', required: ['purl', 'projects'], properties: { purl: str, projects: count, findings: count } } },
    oldestCritical: {
      type: 'array',
      items: { type: 'object', required: ['project', 'version', 'vuln', 'purl', 'firstSeen'], properties: { project: str, version: str, vuln: str, purl: str, firstSeen: str } },
    },
    freshness: {
      type: 'object',
      description: 'projects with no upload for staleDays days (never uploaded: counted from creation); the stalest first',
      required: ['staleDays', 'stale', 'projects'],
      properties: {
        staleDays: count,
        stale: count,
        projects: { type: 'array', items: { type: 'object', required: ['project', 'lastUpload', 'createdAt'], properties: { project: str, lastUpload: { type: ['string', 'null'] }, createdAt: str } } },
      },
    },
  },
} as const;

/** Issue 15: the portfolio over time (GET /api/v1/portfolio/trend). */
export const trendSchema = {
  $id: 'Trend',
  type: 'object',
  required: ['from', 'to', 'days'],
  properties: {
    from: str,
    to: str,
    days: {
      type: 'array',
      description: 'one entry per day a snapshot was taken, oldest first (a day without one is absent)',
      items: {
        type: 'object',
        required: ['day', 'critical', 'high', 'medium', 'low', 'other', 'open', 'kev', 'epss10'],
        properties: { day: str, critical: count, high: count, medium: count, low: count, other: count, open: count, kev: count, epss10: { ...count, description: 'open findings with an EPSS score of at least 0.1' } },
      },
    },
  },
} as const;

export const tokenSchema = {
  $id: 'Token',
  type: 'object',
  required: ['id', 'name', 'role'],
  properties: {
    id: str,
    name: str,
    role: { type: 'string', enum: ['admin', 'maintainer', 'viewer', 'uploader', 'subscriber'] },
    projects: strings,
    tag: str,
    tlp: { type: 'string', enum: ['CLEAR', 'GREEN', 'AMBER'] },
    createdAt: str,
    revokedAt: { type: ['string', 'null'] },
  },
} as const;

export const eventSchema = {
  $id: 'Event',
  type: 'object',
  required: ['id', 'type', 'at', 'project', 'version', 'vuln', 'purl'],
  properties: { id: { type: 'integer' }, type: { type: 'string', description: 'finding.new or finding.resolved' }, at: str, project: str, version: str, vuln: str, purl: str },
} as const;

/** Issue 15: who a caller is (GET /api/v1/session), and how it signed in. */
export const sessionSchema = {
  $id: 'Session',
  type: 'object',
  required: ['name', 'role', 'via'],
  properties: {
    name: str,
    role: { type: 'string', enum: ['admin', 'maintainer', 'viewer', 'uploader'] },
    projects: strings,
    tag: str,
    via: { type: 'string', enum: ['bearer', 'token', 'oidc'], description: 'bearer: an Authorization header; token or oidc: a session cookie made by signing in that way' },
    expiresAt: str,
  },
} as const;

export const SHARED_SCHEMAS = [projectSchema, projectComponentsSchema, versionSchema, uploadSchema, affectedItemSchema, componentUseSchema, portfolioSchema, tokenSchema, eventSchema, sessionSchema, trendSchema] as const;

export const ref = (id: (typeof SHARED_SCHEMAS)[number]['$id'] | 'Problem'): { $ref: string } => ({ $ref: `${id}#` });

/** A page of a list: the items and, when there are more, the cursor of the next page. */
export function pageOf(items: object): object {
  return { type: 'object', required: ['items'], properties: { items: { type: 'array', items }, next: str } };
}

export const pageQuery = {
  cursor: { type: 'string', maxLength: 512, description: 'the `next` of the previous page' },
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
} as const;

/** The error answers every authenticated route can give (all problem+json). */
export function problems(...statuses: number[]): Record<string, object> {
  const out: Record<string, object> = {};
  for (const s of [401, 403, 429, ...statuses]) out[String(s)] = { description: 'problem details (RFC 9457)', content: { 'application/problem+json': { schema: ref('Problem') } } };
  return out;
}

/** A project or token name: printable, no slashes or control characters. */
export const nameSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\u0000-\\u001f\\u007f]+$' } as const;
export const versionNameSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;

/** One advisory refresh job's run (GET /api/v1/advisories/status `refreshes`, src/portfolio/refreshes.ts). */
export const refreshRunSchema = {
  type: 'object',
  required: ['source', 'startedAt', 'finishedAt', 'ok'],
  properties: {
    source: { type: 'string', description: 'the OSV source loaded (a URL without its credentials or query)' },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    ok: { type: 'boolean', description: 'true: the store was updated and its re-match queued; false: the refresh failed (error)' },
    generation: { type: 'string', description: 'the store generation loaded (ok)' },
    error: { type: 'string', description: 'why it failed: the error\'s first line, without stack, URLs without credentials or query' },
  },
} as const;
