/**
 * The routes of issue 14 (docs/respond.md): analyses (triage that sticks), VEX in and out per
 * project, incidents, notification rules, the server's policy and containment playbook. Thin like routes.ts: validate, authorise (config.access), call one function
 * of src/response with the token's scope. There is no route that updates or deletes an analysis:
 * the history is append-only.
 */
import type { FastifyInstance } from 'fastify';
import type { Role } from '../portfolio/access.js';
import { ANALYSIS_JUSTIFICATIONS, ANALYSIS_RESPONSES, ANALYSIS_STATES, type AnalysisInput, type BulkInput, applyBulk, listAnalyses, recordAnalysis } from '../response/analyses.js';
import { type VexOutFormat, exportVex, importVex } from '../response/vex.js';
import { decodeText } from '../io/json.js';
import { type IncidentInput, TASK_STATES, type TaskState, getIncident, incidentHtml, incidentMarkdown, listIncidents, openIncident, updateTask } from '../response/incidents.js';
import { OPENVEX_JUSTIFICATIONS } from '../triage/vex/index.js';
import { NOTIFICATION_EVENTS, type RuleInput, createRule, listDeliveries, listRules } from '../response/notifications.js';
import { DESTINATIONS } from '../response/destinations.js';
import { SERVER_DOCUMENTS, type ServerDocumentName, getDocument, putDocument } from '../response/documents.js';
import { READERS, who } from './auth.js';
import { ProblemError } from './problem.js';
import { nameSchema, problems } from './schemas.js';

const WRITERS: readonly Role[] = ['admin', 'maintainer'];

const str = { type: 'string' } as const;
const vulnSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s/]+$' } as const;
const fields = {
  vuln: vulnSchema,
  state: { type: 'string', enum: ANALYSIS_STATES },
  justification: { type: 'string', enum: ANALYSIS_JUSTIFICATIONS },
  response: { type: 'array', items: { type: 'string', enum: ANALYSIS_RESPONSES }, maxItems: ANALYSIS_RESPONSES.length },
  detail: { type: 'string', maxLength: 10_000 },
} as const;

export const analysisSchema = {
  type: 'object',
  required: ['id', 'project', 'purl', 'vuln', 'state', 'response', 'author', 'source', 'at'],
  properties: {
    id: { type: 'integer' },
    project: str,
    purl: str,
    vuln: str,
    state: str,
    justification: str,
    response: { type: 'array', items: str },
    detail: str,
    author: str,
    source: str,
    at: str,
  },
} as const;

const projectParams = { type: 'object', properties: { name: nameSchema } } as const;
const notFound = (what: string): ProblemError => new ProblemError('not-found', `${what} not found`);

export async function registerResponseRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.vouch.opened;

  app.post<{ Params: { name: string }; Body: AnalysisInput }>(
    '/api/v1/projects/:name/analyses',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['response'],
        summary: 'Record an analysis of a vulnerability on a component of the project (appended to its history)',
        params: projectParams,
        body: { type: 'object', required: ['purl', 'vuln', 'state'], additionalProperties: false, properties: { purl: { type: 'string', minLength: 5, maxLength: 1000 }, ...fields } },
        response: { 201: analysisSchema, ...problems(400, 404) },
      },
    },
    async (req, reply) => {
      const { principal, scope } = who(req);
      const a = await recordAnalysis(db, req.params.name, scope, req.body, { author: principal.name });
      return reply.code(201).send(a);
    },
  );

  app.get<{ Params: { name: string }; Querystring: { history?: boolean; purl?: string; vuln?: string } }>(
    '/api/v1/projects/:name/analyses',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['response'],
        summary: 'The project\'s current analyses (or, with history=true, every analysis ever recorded, oldest first)',
        params: projectParams,
        querystring: { type: 'object', additionalProperties: false, properties: { history: { type: 'boolean' }, purl: { type: 'string', maxLength: 1000 }, vuln: vulnSchema } },
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: analysisSchema } } }, ...problems(400, 404) },
      },
    },
    async (req) => {
      const q = req.query;
      const items = await listAnalyses(db, req.params.name, who(req).scope, { ...(q.history ? { history: true } : {}), ...(q.purl !== undefined ? { purl: q.purl } : {}), ...(q.vuln !== undefined ? { vuln: q.vuln } : {}) });
      if (!items) throw notFound(`project ${req.params.name}`);
      return { items };
    },
  );

  app.post<{ Body: BulkInput }>(
    '/api/v1/analyses/bulk',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['response'],
        summary: 'One analysis for every project (in the token\'s scope) using a package, optionally within a vers range — one transaction',
        body: {
          type: 'object',
          required: ['purl', 'vuln', 'state'],
          additionalProperties: false,
          properties: { purl: { type: 'string', minLength: 5, maxLength: 1000, description: 'a purl without version' }, range: { type: 'string', minLength: 5, maxLength: 2000, description: 'vers:maven/<2.17.1' }, ...fields },
        },
        response: {
          200: { type: 'object', required: ['applied'], properties: { applied: { type: 'array', items: { type: 'object', required: ['project', 'purl'], properties: { project: str, purl: str } } } } },
          ...problems(400),
        },
      },
    },
    async (req) => {
      const { principal, scope } = who(req);
      return applyBulk(db, scope, req.body, { author: principal.name });
    },
  );

  // ---- VEX in and out ----
  await app.register(async (vex) => {
    // the body is the VEX document as is (JSON or XML), whatever its content type
    vex.removeAllContentTypeParsers();
    vex.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: app.vouch.bodyLimit }, (_req, body, done) => done(null, body));
    vex.post<{ Params: { name: string }; Querystring: { file?: string } }>(
      '/api/v1/projects/:name/vex',
      {
        bodyLimit: app.vouch.bodyLimit,
        config: { access: { roles: WRITERS } },
        schema: {
          tags: ['response'],
          summary: 'Apply an OpenVEX or CycloneDX VEX document (JSON or XML) to the project as analyses, in one transaction',
          description: 'Statements are applied as far as they are valid; the answer lists every statement (or product of one) not applied and why: not a purl, not a component of the project, an unknown vulnerability, a conflict with another statement.',
          params: projectParams,
          querystring: { type: 'object', additionalProperties: false, properties: { file: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\u0000-\\u001f]+$' } } },
          response: {
            200: {
              type: 'object',
              required: ['format', 'statements', 'applied', 'notApplied', 'warnings'],
              properties: {
                format: str,
                statements: { type: 'integer' },
                applied: { type: 'integer' },
                notApplied: { type: 'array', items: { type: 'object', required: ['statement', 'reason'], properties: { statement: str, product: str, reason: str } } },
                warnings: { type: 'array', items: str },
              },
            },
            ...problems(400, 404, 413, 422),
          },
        },
      },
      async (req) => {
        const { principal, scope } = who(req);
        const bytes = req.body as Buffer | undefined;
        if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new ProblemError('bad-request', 'the body is empty: send the VEX document as the request body');
        const file = req.query.file ?? 'vex.json';
        return importVex(db, req.params.name, scope, decodeText(bytes, file), file, { author: principal.name });
      },
    );
  });

  app.get<{ Params: { name: string }; Querystring: { format: VexOutFormat } }>(
    '/api/v1/projects/:name/vex',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['response'],
        summary: 'The project\'s current analyses as a VEX document (OpenVEX 0.2.0 or CycloneDX 1.6)',
        params: projectParams,
        querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['openvex', 'cyclonedx'], default: 'openvex' } } },
        response: { 200: { description: 'the VEX document', content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } } }, ...problems(400, 404) },
      },
    },
    async (req, reply) => {
      const text = await exportVex(db, req.params.name, who(req).scope, req.query.format, { author: `vouch server (project ${req.params.name})` });
      if (text === undefined) throw notFound(`project ${req.params.name}`);
      return reply.type(req.query.format === 'cyclonedx' ? 'application/vnd.cyclonedx+json' : 'application/json').send(text);
    },
  );

  // ---- incidents ----
  const incidentParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } } as const;
  app.post<{ Body: IncidentInput }>(
    '/api/v1/incidents',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['response'],
        summary: 'Open an incident for a vulnerability (OSV id or alias) or a package and vers range (a zero-day): one task per affected project',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { title: { type: 'string', minLength: 1, maxLength: 500 }, vuln: vulnSchema, purl: { type: 'string', minLength: 5, maxLength: 1000 }, range: { type: 'string', minLength: 5, maxLength: 2000 } },
        },
        response: { 201: incidentSchema, ...problems(400) },
      },
    },
    async (req, reply) => {
      const { principal, scope } = who(req);
      const v = await openIncident(db, scope, req.body, { actor: principal.name });
      return reply.code(201).header('location', `/api/v1/incidents/${v.id}`).send(v);
    },
  );

  app.get(
    '/api/v1/incidents',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['response'],
        summary: 'The incidents the token sees, newest first',
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: { type: 'object', required: ['id', 'title', 'createdAt', 'tasks', 'open'], properties: { id: { type: 'integer' }, title: str, vuln: str, purl: str, createdAt: str, tasks: { type: 'integer' }, open: { type: 'integer' } } } } },
          },
          ...problems(),
        },
      },
    },
    async (req) => ({ items: await listIncidents(db, who(req).scope) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/incidents/:id',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['response'], summary: 'An incident: its tasks (in the token\'s scope), timeline, burndown and times', params: incidentParams, response: { 200: incidentSchema, ...problems(404) } },
    },
    async (req) => {
      const v = await getIncident(db, who(req).scope, req.params.id);
      if (!v) throw notFound(`incident ${req.params.id}`);
      return v;
    },
  );

  app.patch<{ Params: { id: number; task: number }; Body: { state: TaskState; note?: string; justification?: string } }>(
    '/api/v1/incidents/:id/tasks/:task',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['response'],
        summary: 'Move a task: open → mitigated → patched | not_affected (not_affected records a VEX statement: a not_affected analysis)',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, task: { type: 'integer', minimum: 1 } } },
        body: {
          type: 'object',
          required: ['state'],
          additionalProperties: false,
          properties: { state: { type: 'string', enum: TASK_STATES.filter((s) => s !== 'open') }, note: { type: 'string', maxLength: 10_000 }, justification: { type: 'string', enum: OPENVEX_JUSTIFICATIONS } },
        },
        response: { 200: incidentSchema, ...problems(400, 404, 409) },
      },
    },
    async (req) => {
      const { principal, scope } = who(req);
      return updateTask(db, scope, req.params.id, req.params.task, req.body, { actor: principal.name });
    },
  );

  app.post<{ Params: { id: number; task: number }; Body: { note?: string } | undefined }>(
    '/api/v1/incidents/:id/tasks/:task/containment',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['response'],
        summary: 'Record that the containment playbook\'s steps for the incident were applied: the task moves open → mitigated, the steps go into the timeline',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, task: { type: 'integer', minimum: 1 } } },
        body: { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 10_000 } } },
        response: { 200: incidentSchema, ...problems(400, 404, 409) },
      },
    },
    async (req) => {
      const { principal, scope } = who(req);
      const note = req.body?.note;
      return updateTask(db, scope, req.params.id, req.params.task, { state: 'mitigated', containment: true, ...(note !== undefined ? { note } : {}) }, { actor: principal.name });
    },
  );

  app.get<{ Params: { id: number }; Querystring: { format: 'markdown' | 'html' } }>(
    '/api/v1/incidents/:id/export',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['response'],
        summary: 'The post-incident review (Markdown or HTML)',
        params: incidentParams,
        querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['markdown', 'html'], default: 'markdown' } } },
        response: { 200: { description: 'the review', content: { 'text/markdown': { schema: { type: 'string' } }, 'text/html': { schema: { type: 'string' } } } }, ...problems(400, 404) },
      },
    },
    async (req, reply) => {
      const v = await getIncident(db, who(req).scope, req.params.id);
      if (!v) throw notFound(`incident ${req.params.id}`);
      if (req.query.format === 'html') return reply.type('text/html; charset=utf-8').send(incidentHtml(v));
      return reply.type('text/markdown; charset=utf-8').send(incidentMarkdown(v));
    },
  );

  // ---- notification rules (admin: a rule sees every project) ----
  const ADMIN: readonly Role[] = ['admin'];
  const ruleSchema = {
    type: 'object',
    required: ['id', 'name', 'events', 'filters', 'destination', 'createdBy', 'createdAt'],
    properties: {
      id: { type: 'integer' },
      name: str,
      events: { type: 'array', items: str },
      filters: { type: 'object', additionalProperties: true },
      destination: str,
      url: str,
      to: { type: 'array', items: str },
      createdBy: str,
      createdAt: str,
      secret: str,
    },
  } as const;
  app.post<{ Body: RuleInput }>(
    '/api/v1/notification-rules',
    {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ['response'],
        summary: 'A notification rule: which events go to a webhook, a Slack-compatible incoming webhook or e-mail; the answer holds the signing secret (this answer only)',
        body: {
          type: 'object',
          required: ['name', 'events'],
          additionalProperties: false,
          properties: {
            name: nameSchema,
            events: { type: 'array', minItems: 1, items: { type: 'string', enum: NOTIFICATION_EVENTS } },
            destination: { type: 'string', enum: DESTINATIONS, default: 'webhook' },
            url: { type: 'string', minLength: 8, maxLength: 2000, description: 'webhook and slack: where to POST' },
            to: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 3, maxLength: 254 }, description: 'email: the recipients' },
            filters: {
              type: 'object',
              additionalProperties: false,
              properties: {
                minSeverity: { type: 'string', enum: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'critical', 'high', 'medium', 'low'] },
                kevOnly: { type: 'boolean' },
                minEpss: { type: 'number', minimum: 0, maximum: 1 },
                tag: nameSchema,
                owner: nameSchema,
              },
            },
          },
        },
        response: { 201: ruleSchema, ...problems(400) },
      },
    },
    async (req, reply) => reply.code(201).send(await createRule(db, req.body, { actor: who(req).principal.name })),
  );
  app.get(
    '/api/v1/notification-rules',
    { config: { access: { roles: ADMIN } }, schema: { tags: ['response'], summary: 'Every rule (never its secret)', response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ruleSchema } } }, ...problems() } } },
    async () => ({ items: await listRules(db) }),
  );
  app.get<{ Params: { id: number } }>(
    '/api/v1/notification-rules/:id/deliveries',
    {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ['response'],
        summary: 'A rule\'s delivery attempts, newest first, with each answer',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } },
        response: {
          200: {
            type: 'object',
            required: ['items'],
            properties: { items: { type: 'array', items: { type: 'object', required: ['eventId', 'eventType', 'state', 'attempt', 'at'], properties: { eventId: str, eventType: str, state: str, attempt: { type: 'integer' }, at: str, status: { type: 'integer' }, response: str, error: str } } } },
          },
          ...problems(404),
        },
      },
    },
    async (req) => {
      const items = await listDeliveries(db, req.params.id);
      if (!items) throw notFound(`notification rule ${req.params.id}`);
      return { items };
    },
  );

  // ---- what an admin stores on the server: the policy and the containment playbook (YAML as sent) ----
  for (const name of Object.keys(SERVER_DOCUMENTS) as ServerDocumentName[]) {
    const file = SERVER_DOCUMENTS[name];
    const what = name === 'policy' ? 'the policy evaluated on every finished upload (its fail and ignore rules; a violation is a policy.violation event)' : 'the containment playbook whose steps incidents show';
    await app.register(async (docs) => {
      docs.removeAllContentTypeParsers();
      docs.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
      docs.put(
        `/api/v1/${name}`,
        {
          bodyLimit: 1024 * 1024,
          config: { access: { roles: ADMIN } },
          schema: {
            tags: ['response'],
            summary: `Store ${file}: ${what}`,
            description: `The body is the YAML file as is (what \`vouch ${name === 'policy' ? 'scan --policy' : 'fix --containment'}\` reads). It is checked with the same reader; a mistake is 422 naming the line, and the stored one stays.`,
            response: { 200: documentSchema, ...problems(400, 413, 422) },
          },
        },
        async (req) => {
          const bytes = req.body as Buffer | undefined;
          if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new ProblemError('bad-request', `the body is empty: send ${file} as the request body`);
          return putDocument(db, name, decodeText(bytes, file), { actor: who(req).principal.name });
        },
      );
    });
    app.get(
      `/api/v1/${name}`,
      {
        config: { access: { roles: READERS } },
        schema: { tags: ['response'], summary: `The stored ${file}`, response: { 200: documentSchema, ...problems(404) } },
      },
      async () => {
        const d = await getDocument(db, name);
        if (!d) throw notFound(`${file} (none stored yet)`);
        return d;
      },
    );
  }
}

const documentSchema = { type: 'object', required: ['name', 'text', 'updatedBy', 'updatedAt'], properties: { name: str, text: str, updatedBy: str, updatedAt: str } } as const;

const incidentSchema = {
  type: 'object',
  required: ['id', 'title', 'openedBy', 'createdAt', 'tasks', 'timeline', 'burndown', 'totals'],
  properties: {
    id: { type: 'integer' },
    title: str,
    vuln: str,
    purl: str,
    range: str,
    openedBy: str,
    createdAt: str,
    tasks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'project', 'version', 'purls', 'owners', 'state', 'createdAt'],
        properties: {
          id: { type: 'integer' },
          project: str,
          version: str,
          purls: { type: 'array', items: str },
          owners: { type: 'array', items: str },
          state: str,
          createdAt: str,
          mitigatedAt: str,
          closedAt: str,
          timeToMitigate: { type: 'integer' },
          timeToPatch: { type: 'integer' },
        },
      },
    },
    timeline: {
      type: 'array',
      items: { type: 'object', required: ['id', 'at', 'type', 'actor', 'detail'], properties: { id: { type: 'integer' }, at: str, type: str, actor: str, taskId: { type: 'integer' }, detail: { type: 'object', additionalProperties: true } } },
    },
    burndown: { type: 'array', items: { type: 'object', required: ['at', 'open'], properties: { at: str, open: { type: 'integer' } } } },
    containment: { type: 'array', items: { type: 'object', required: ['key', 'steps'], properties: { key: str, steps: { type: 'array', items: str } } } },
    totals: {
      type: 'object',
      required: ['tasks', 'open', 'mitigated', 'patched', 'notAffected'],
      properties: {
        tasks: { type: 'integer' },
        open: { type: 'integer' },
        mitigated: { type: 'integer' },
        patched: { type: 'integer' },
        notAffected: { type: 'integer' },
        meanTimeToMitigate: { type: 'integer' },
        meanTimeToPatch: { type: 'integer' },
        maxTimeToPatch: { type: 'integer' },
      },
    },
  },
} as const;
