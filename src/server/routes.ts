/**
 * The /api/v1 routes. Each is thin: its schema validates the input (and, app.ts, the output), its
 * `config.access` says who may call it (auth.ts), and its handler calls one portfolio function with
 * the token's scope — a project outside the scope is absent to these functions, so it is answered
 * 404 like a project that does not exist.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Role, TOKEN_TLP, type TokenTlp, createToken, listTokens, revokeToken } from '../portfolio/access.js';
import { submitDocument, getUpload } from '../portfolio/ingest.js';
import { createProject, getProject, listProjects, listVersions, updateProject } from '../portfolio/projects.js';
import { affected, componentsUsing, listEvents, portfolioSummary, projectReport } from '../portfolio/queries.js';
import { MAX_TREND_DAYS, portfolioTrend, uploadFreshness } from '../portfolio/trend.js';
import { isVouchError } from '../model/errors.js';
import { renderReport } from '../report/index.js';
import { READERS, scopeAllowsNewProject, who } from './auth.js';
import { ProblemError, problem, sendProblem } from './problem.js';
import { nameSchema, pageOf, pageQuery, problems, ref, refreshRunSchema, versionNameSchema } from './schemas.js';
import { renderOpenVex } from './openvex.js';
import { analysesForItems, applyAnalyses } from '../response/analyses.js';
import { registerMarketplaceRoutes } from './routes-marketplace.js';
import { projectComponents, projectSpdx } from '../portfolio/components.js';
import { lastRematchRuns } from '../portfolio/rematch.js';
import { lastRefreshes } from '../portfolio/refreshes.js';

const ADMIN: readonly Role[] = ['admin'];
const WRITERS: readonly Role[] = ['admin', 'maintainer'];
const UPLOADERS: readonly Role[] = ['admin', 'maintainer', 'uploader'];
const EVERYONE: readonly Role[] = ['admin', 'maintainer', 'viewer', 'uploader'];

/** The formats of GET /projects/{name}/findings and the media type each is answered with. */
export const FINDINGS_FORMATS = {
  json: 'application/json',
  sarif: 'application/sarif+json',
  cyclonedx: 'application/vnd.cyclonedx+json',
  openvex: 'application/json',
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  /** the version's SBOM (SPDX 2.3 JSON), not a findings report */
  spdx: 'application/spdx+json',
} as const;
export type FindingsFormat = keyof typeof FINDINGS_FORMATS;

/** The longest an upload request may wait for its result (`?wait=`). */
const MAX_WAIT_SECONDS = 120;

const notFound = (what: string): ProblemError => new ProblemError('not-found', `${what} not found`);

export async function registerRoutes(app: FastifyInstance, opts: { bodyLimit: number }): Promise<void> {
  const { db } = app.vouch.opened;
  const queue = (): FastifyInstance['vouch']['queue'] => app.vouch.queue;

  // ---- projects ----
  app.get<{ Querystring: { cursor?: string; limit: number } }>(
    '/api/v1/projects',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['projects'], summary: 'The projects the token may see', querystring: { type: 'object', properties: pageQuery }, response: { 200: pageOf(ref('Project')), ...problems(400) } },
    },
    async (req) => {
      const { scope } = who(req);
      return listProjects(db, scope, { cursor: req.query.cursor, limit: req.query.limit });
    },
  );

  app.post<{ Body: { name: string; parent?: string; tags?: string[]; owners?: string[] } }>(
    '/api/v1/projects',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['projects'],
        summary: 'Create a project',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: nameSchema, parent: nameSchema, tags: { type: 'array', items: nameSchema, maxItems: 100 }, owners: { type: 'array', items: nameSchema, maxItems: 100 } },
        },
        response: { 201: ref('Project'), ...problems(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const { scope } = who(req);
      const b = req.body;
      if (!scopeAllowsNewProject(scope, b.name)) throw notFound(`project ${b.name}`);
      if (b.parent !== undefined && !(await getProject(db, b.parent, scope))) throw notFound(`parent project ${b.parent}`);
      if (await getProject(db, b.name, scope)) throw new ProblemError('conflict', `project ${b.name} exists`);
      const tags = 'tag' in scope ? [...new Set([...(b.tags ?? []), scope.tag])] : b.tags;
      await createProject(db, { name: b.name, ...(b.parent !== undefined ? { parent: b.parent } : {}), ...(tags ? { tags } : {}), ...(b.owners ? { owners: b.owners } : {}) });
      const created = await getProject(db, b.name, scope);
      if (!created) throw new Error(`project ${b.name} was created but cannot be read back`);
      return reply.code(201).header('location', `/api/v1/projects/${encodeURIComponent(b.name)}`).send(created);
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/projects/:name',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['projects'], summary: 'One project', params: { type: 'object', properties: { name: nameSchema } }, response: { 200: ref('Project'), ...problems(404) } },
    },
    async (req) => {
      const p = await getProject(db, req.params.name, who(req).scope);
      if (!p) throw notFound(`project ${req.params.name}`);
      return p;
    },
  );

  app.patch<{ Params: { name: string }; Body: { parent?: string | null; tags?: string[]; owners?: string[] } }>(
    '/api/v1/projects/:name',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['projects'],
        summary: 'Change a project\'s parent, tags or owners',
        params: { type: 'object', properties: { name: nameSchema } },
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { parent: { anyOf: [nameSchema, { type: 'null' }] }, tags: { type: 'array', items: nameSchema, maxItems: 100 }, owners: { type: 'array', items: nameSchema, maxItems: 100 } },
        },
        response: { 200: ref('Project'), ...problems(400, 404) },
      },
    },
    async (req) => {
      const { scope } = who(req);
      const name = req.params.name;
      const b = req.body;
      // a tag-limited token keeps its tag on the project (else the project would leave its own scope)
      const patch = 'tag' in scope && b.tags ? { ...b, tags: [...new Set([...b.tags, scope.tag])] } : b;
      const p = await updateProject(db, name, patch, scope);
      if (!p) throw notFound(`project ${name}`);
      return p;
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/projects/:name/versions',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['projects'], summary: 'A project\'s versions', params: { type: 'object', properties: { name: nameSchema } }, response: { 200: pageOf(ref('ProjectVersion')), ...problems(404) } },
    },
    async (req) => {
      const versions = await listVersions(db, req.params.name, who(req).scope);
      if (!versions) throw notFound(`project ${req.params.name}`);
      return { items: versions };
    },
  );

  // ---- ingest ----
  await app.register(async (docs) => {
    // a document is stored as received: whatever its content type, the body is the bytes
    docs.removeAllContentTypeParsers();
    docs.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (_req, body, done) => done(null, body));
    docs.post<{ Params: { name: string; version: string }; Querystring: { file?: string; wait?: number } }>(
      '/api/v1/projects/:name/versions/:version/documents',
      {
        bodyLimit: opts.bodyLimit,
        config: { access: { roles: UPLOADERS } },
        schema: {
          tags: ['ingest'],
          summary: 'Upload an SBOM or lockfile for a project version (202: processed as a job)',
          description:
            'The body is the document as is (CycloneDX 1.2–1.6 JSON/XML, SPDX 2.2/2.3 JSON/tag-value, or a lockfile named by ?file=). The same bytes for the same project version are one upload. The project is created on first upload when the token allows.',
          params: { type: 'object', properties: { name: nameSchema, version: versionNameSchema } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              file: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\u0000-\\u001f]+$', description: 'the file name the document is read as (package-lock.json, bom.cdx.xml …); default: recognised from its content' },
              wait: { type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS, description: 'seconds to wait for the result: then 200 when done, 422 when the document could not be read, else 202' },
            },
          },
          response: {
            200: { type: 'object', required: ['upload'], properties: { upload: ref('Upload') } },
            202: { type: 'object', required: ['upload'], properties: { upload: ref('Upload') } },
            ...problems(400, 404, 413, 422),
          },
        },
      },
      async (req, reply) => {
        const { scope } = who(req);
        const { name, version } = req.params;
        const bytes = req.body as Buffer | undefined;
        if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new ProblemError('bad-request', 'the body is empty: send the document as the request body');
        let createProjectOk = false;
        if (!(await getProject(db, name, scope))) {
          // absent to this token: it may create it only when it does not exist at all and lies in its scope
          if ((await getProject(db, name, { all: true })) || !scopeAllowsNewProject(scope, name)) throw notFound(`project ${name}`);
          if ('tag' in scope) await createProjectIfAbsent(db, name, [scope.tag]);
          else createProjectOk = true;
        }
        const fileName = req.query.file ?? defaultFileName(req.headers['content-type']);
        const { uploadId, duplicate } = await submitDocument(db, { project: name, version, fileName, bytes, createProject: createProjectOk, scope });
        // a request that waits for its result is a person (or a CI gate) waiting: its ingest goes first
        await queue().send('ingest', { uploadId }, { singletonKey: `ingest:${uploadId}`, urgent: (req.query.wait ?? 0) > 0 });
        reply.header('location', `/api/v1/uploads/${encodeURIComponent(uploadId)}`);
        const view = await waitForUpload(req, uploadId, req.query.wait ?? 0);
        if (!view) throw new Error(`upload ${uploadId} was stored but cannot be read back`);
        if (view.state === 'failed' && view.error) {
          return sendProblem(reply, {
            ...problem('invalid-document', view.error.detail, {
              file: fileName,
              ...(view.error.pointer !== undefined ? { pointer: view.error.pointer } : {}),
              ...(view.error.line !== undefined ? { line: view.error.line } : {}),
            }),
            instance: `/api/v1/uploads/${uploadId}`,
          });
        }
        // 202 unless the request waited and the result is there
        return reply.code(req.query.wait !== undefined && view.state === 'done' ? 200 : 202).send({ upload: { ...view, duplicate } });
      },
    );
  });

  app.get<{ Params: { id: string } }>(
    '/api/v1/uploads/:id',
    {
      config: { access: { roles: EVERYONE } },
      schema: { tags: ['ingest'], summary: 'An upload\'s state', params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } }, response: { 200: ref('Upload'), ...problems(404) } },
    },
    async (req) => {
      const u = await getUpload(db, req.params.id, who(req).scope);
      if (!u) throw notFound(`upload ${req.params.id}`);
      return u;
    },
  );

  // ---- questions ----
  app.get<{ Params: { id: string }; Querystring: { current?: boolean; tag?: string; owner?: string; cursor?: string; limit: number } }>(
    '/api/v1/vulnerabilities/:id/affected',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['queries'],
        summary: 'Every project version affected by a vulnerability (an OSV id or any alias)',
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s/]+$' } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { current: { type: 'boolean', description: 'current versions only' }, tag: nameSchema, owner: nameSchema, ...pageQuery },
        },
        response: { 200: pageOf(ref('AffectedItem')), ...problems(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await badQuery(() =>
        affected(db, req.params.id, who(req).scope, {
          ...(q.current !== undefined ? { currentOnly: q.current } : {}),
          ...(q.tag !== undefined ? { tag: q.tag } : {}),
          ...(q.owner !== undefined ? { owner: q.owner } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
          limit: q.limit,
        }),
      );
      // issue 14: each item with its current analysis (src/response)
      return { ...page, items: await analysesForItems(db, page.items) };
    },
  );

  app.get<{ Querystring: { purl: string; range?: string; current?: boolean; tag?: string; owner?: string; cursor?: string; limit: number } }>(
    '/api/v1/components',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['queries'],
        summary: 'Who uses a package (a purl without version), optionally within a vers range',
        querystring: {
          type: 'object',
          required: ['purl'],
          additionalProperties: false,
          properties: {
            purl: { type: 'string', minLength: 5, maxLength: 1000 },
            range: { type: 'string', minLength: 5, maxLength: 2000, description: 'a vers range: vers:maven/<2.17.1' },
            current: { type: 'boolean', description: 'current versions only' },
            tag: nameSchema,
            owner: nameSchema,
            ...pageQuery,
          },
        },
        response: { 200: pageOf(ref('ComponentUse')), ...problems(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await badQuery(() =>
        componentsUsing(db, q.purl, who(req).scope, {
          ...(q.range !== undefined ? { range: q.range } : {}),
          ...(q.current !== undefined ? { currentOnly: q.current } : {}),
          ...(q.tag !== undefined ? { tag: q.tag } : {}),
          ...(q.owner !== undefined ? { owner: q.owner } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
          limit: q.limit,
        }),
      );
      return { items: page.items.map(({ version_, ...rest }) => ({ ...rest, componentVersion: version_ })), ...(page.next !== undefined ? { next: page.next } : {}) };
    },
  );

  app.get<{ Params: { name: string }; Querystring: { format: FindingsFormat; version?: string } }>(
    '/api/v1/projects/:name/findings',
    {
      config: { access: { roles: EVERYONE } },
      schema: {
        tags: ['queries'],
        summary: 'A project version\'s findings as the reports of vouch scan (default: the current version)',
        params: { type: 'object', properties: { name: nameSchema } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: Object.keys(FINDINGS_FORMATS), default: 'json' }, version: versionNameSchema },
        },
        response: {
          200: {
            description: 'the report in the format asked for (json: the scan report of docs/scan-json.md)',
            content: Object.fromEntries(Object.values(FINDINGS_FORMATS).map((t) => [t.split(';')[0], { schema: t.includes('json') ? { type: 'object', additionalProperties: true } : { type: 'string' } }])),
          },
          ...problems(400, 404),
        },
      },
    },
    async (req, reply) => {
      const { name } = req.params;
      if (req.query.format === 'spdx') {
        const spdx = await projectSpdx(db, name, who(req).scope, req.query.version !== undefined ? { version: req.query.version } : {});
        if (spdx === undefined) throw notFound(req.query.version !== undefined ? `version ${req.query.version} of project ${name}` : `project ${name} or its current version`);
        return reply.type(FINDINGS_FORMATS.spdx).send(spdx);
      }
      const stored = await projectReport(db, name, who(req).scope, req.query.version !== undefined ? { version: req.query.version } : {});
      // issue 14: not_affected / false_positive analyses suppress their findings (src/response)
      const report = stored && (await applyAnalyses(db, name, who(req).scope, stored));
      if (!report) throw notFound(req.query.version !== undefined ? `version ${req.query.version} of project ${name}` : `project ${name} or its current version`);
      const format = req.query.format;
      const text = format === 'openvex' ? renderOpenVex(report, { author: `vouch server (project ${name})` }) : await renderReport(format, report);
      return reply.type(FINDINGS_FORMATS[format]).send(text);
    },
  );

  // issue 15: the version's components with the licences its SBOM or lockfile gave
  app.get<{ Params: { name: string }; Querystring: { version?: string } }>(
    '/api/v1/projects/:name/components',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['queries'],
        summary: 'A project version\'s components with scope, direct and licences (default: the current version)',
        params: { type: 'object', properties: { name: nameSchema } },
        querystring: { type: 'object', additionalProperties: false, properties: { version: versionNameSchema } },
        response: { 200: ref('ProjectComponents'), ...problems(400, 404) },
      },
    },
    async (req) => {
      const { name } = req.params;
      const r = await projectComponents(db, name, who(req).scope, req.query.version !== undefined ? { version: req.query.version } : {});
      if (!r) throw notFound(req.query.version !== undefined ? `version ${req.query.version} of project ${name}` : `project ${name} or its current version`);
      return r;
    },
  );

  app.get(
    '/api/v1/portfolio',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['queries'], summary: 'Counts by severity, KEV exposure, most-affected packages, oldest open critical findings, upload freshness', response: { 200: ref('Portfolio'), ...problems() } },
    },
    async (req) => {
      const { scope } = who(req);
      return { ...(await portfolioSummary(db, scope)), freshness: await uploadFreshness(db, scope) };
    },
  );

  // issue 15: the daily snapshots (src/portfolio/trend.ts) summed over the caller's projects
  app.get<{ Querystring: { days: number } }>(
    '/api/v1/portfolio/trend',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['queries'],
        summary: 'Open findings by severity, KEV and EPSS ≥ 10% per day, from the daily snapshots (the caller\'s projects only)',
        querystring: { type: 'object', properties: { days: { type: 'integer', minimum: 1, maximum: MAX_TREND_DAYS, default: 90 } } },
        response: { 200: ref('Trend'), ...problems(400) },
      },
    },
    async (req) => portfolioTrend(db, who(req).scope, { days: req.query.days }),
  );

  app.get<{ Querystring: { type?: string; cursor?: string; limit: number } }>(
    '/api/v1/events',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['queries'],
        summary: 'Findings that appeared or went away when advisories changed, or that KEV listed since (finding.kev), oldest first (follow `next` to keep up)',
        querystring: { type: 'object', additionalProperties: false, properties: { type: { type: 'string', enum: ['finding.new', 'finding.resolved', 'finding.kev'] }, ...pageQuery } },
        response: { 200: pageOf(ref('Event')), ...problems(400) },
      },
    },
    async (req) => {
      const q = req.query;
      return listEvents(db, who(req).scope, { ...(q.type !== undefined ? { type: q.type } : {}), ...(q.cursor !== undefined ? { cursor: q.cursor } : {}), limit: q.limit });
    },
  );

  // ---- advisories ----
  app.post<{ Body: { source?: string; rematchOnly?: boolean } | undefined }>(
    '/api/v1/advisories/update',
    {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ['advisories'],
        summary: 'Refresh the advisory store now, then re-match what changed (a job)',
        description:
          'No body: the worker loads its configured OSV source (--osv-source, $VOUCH_OSV_SOURCE, else the public export). {"source": …}: that source instead. {"rematchOnly": true}: no download, re-match against the store as it is (after a `vouch db update` on the node).',
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            source: { type: 'string', minLength: 1, maxLength: 2000, description: 'an OSV source as `vouch db update --source` takes, read by the worker node' },
            rematchOnly: { type: 'boolean' },
          },
        },
        response: { 202: { type: 'object', required: ['job'], properties: { job: { type: 'string' } } }, ...problems(400) },
      },
    },
    async (req, reply) => {
      const body = req.body ?? {};
      if (body.rematchOnly && body.source !== undefined) throw new ProblemError('bad-request', 'rematchOnly loads nothing: it takes no source', { errors: [{ path: 'body $.source', message: 'cannot go with rematchOnly' }] });
      // a download is queued once while one waits; a re-match costs nothing when the store did not change
      const job = body.rematchOnly
        ? await queue().send('rematch', {})
        : await queue().send('refresh', body.source !== undefined ? { source: body.source } : {}, { singletonKey: `refresh:${body.source ?? ''}` });
      return reply.code(202).send({ job });
    },
  );

  // issue 15: what the dashboard's Settings shows of the advisory refresh
  app.get(
    '/api/v1/advisories/status',
    {
      config: { access: { roles: ['admin', 'maintainer', 'viewer'] } },
      schema: {
        tags: ['advisories'],
        summary: 'The last re-matches of the portfolio against the advisory store (its generation, when, what changed) and the job queue',
        description:
          'Each refresh ends in a re-match of the store generation it loaded (`rematch_runs`): the newest run says which generation the findings reflect and when. `refreshes`: the newest refresh jobs run (each attempt), with the error of one that failed (its first line, URLs without credentials or query). `jobs.failed` counts failed jobs of every kind.',
        response: {
          200: {
            type: 'object',
            required: ['runs', 'refreshes', 'jobs'],
            properties: {
              refreshes: { type: 'array', items: refreshRunSchema },
              runs: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['generation', 'at', 'changed', 'newFindings', 'goneFindings'],
                  properties: { generation: { type: 'string' }, at: { type: 'string' }, changed: { type: 'integer' }, newFindings: { type: 'integer' }, goneFindings: { type: 'integer' } },
                },
              },
              jobs: { type: 'object', required: ['queued', 'running', 'failed'], properties: { queued: { type: 'integer' }, running: { type: 'integer' }, failed: { type: 'integer' } } },
            },
          },
          ...problems(),
        },
      },
    },
    async () => ({ runs: await lastRematchRuns(db), refreshes: await lastRefreshes(db), jobs: await queue().stats() }),
  );

  // ---- tokens ----
  app.get(
    '/api/v1/tokens',
    { config: { access: { roles: ADMIN } }, schema: { tags: ['tokens'], summary: 'Every token (never the secret)', response: { 200: pageOf(ref('Token')), ...problems() } } },
    async () => ({ items: (await listTokens(db)).map(tokenView) }),
  );

  app.post<{ Body: { name: string; role: Role; projects?: string[]; tag?: string; tlp?: TokenTlp } }>(
    '/api/v1/tokens',
    {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ['tokens'],
        summary: 'Create a token: the secret is in this answer only',
        body: {
          type: 'object',
          required: ['name', 'role'],
          additionalProperties: false,
          properties: {
            name: nameSchema,
            role: { type: 'string', enum: ['admin', 'maintainer', 'viewer', 'uploader', 'subscriber'] },
            projects: { type: 'array', items: nameSchema, minItems: 1, maxItems: 1000 },
            tag: nameSchema,
            tlp: { type: 'string', enum: TOKEN_TLP, description: 'the TLP clearance on the server\'s advisory feed (default CLEAR; RED never leaves the server)' },
          },
        },
        response: { 201: { type: 'object', required: ['id', 'token'], properties: { id: { type: 'string' }, token: { type: 'string' } } }, ...problems(400) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.projects && b.tag !== undefined) throw new ProblemError('bad-request', 'a token is limited to projects or to a tag, not both', { errors: [{ path: 'body $.tag', message: 'cannot go with projects' }] });
      if (b.role === 'admin' && (b.projects || b.tag !== undefined)) throw new ProblemError('bad-request', 'an admin token covers the whole portfolio: it takes no projects or tag');
      if (b.role === 'subscriber' && (b.projects || b.tag !== undefined)) throw new ProblemError('bad-request', 'a subscriber token reads the advisory feed only: it takes no projects or tag');
      const t = await createToken(db, { name: b.name, role: b.role, ...(b.projects ? { projects: b.projects } : {}), ...(b.tag !== undefined ? { tag: b.tag } : {}), ...(b.tlp !== undefined ? { tlp: b.tlp } : {}) });
      return reply.code(201).send(t);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      config: { access: { roles: ADMIN } },
      schema: { tags: ['tokens'], summary: 'Revoke a token', params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } }, response: { 204: { type: 'null' }, ...problems(404) } },
    },
    async (req, reply) => {
      if (!(await revokeToken(db, req.params.id))) throw notFound(`token ${req.params.id}`);
      return reply.code(204).send();
    },
  );

  // ---- issue 16: the marketplace (routes-marketplace.ts) ----
  await registerMarketplaceRoutes(app);
}

function tokenView(t: Awaited<ReturnType<typeof listTokens>>[number]): object {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    ...(t.projects ? { projects: t.projects } : {}),
    ...(t.tag ? { tag: t.tag } : {}),
    ...(t.tlp ? { tlp: t.tlp } : {}),
    createdAt: t.createdAt,
    revokedAt: t.revokedAt ?? null,
  };
}

/** A bad purl, id or range in a query is the requester's mistake: 400 with the portfolio's one line. */
async function badQuery<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isVouchError(e)) throw new ProblemError('bad-request', e.oneLine());
    throw e;
  }
}

async function createProjectIfAbsent(db: FastifyInstance['vouch']['opened']['db'], name: string, tags: string[]): Promise<void> {
  try {
    await createProject(db, { name, tags });
  } catch (e) {
    // created meanwhile by a concurrent upload: fine when it is visible now
    if (!(await getProject(db, name, { all: true }))) throw e;
  }
}

/** A name for a document sent without ?file=: one the readers recognise by content when its type says nothing. */
export function defaultFileName(contentType: string | undefined): string {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (t === 'application/vnd.cyclonedx+json') return 'bom.cdx.json';
  if (t === 'application/vnd.cyclonedx+xml') return 'bom.cdx.xml';
  if (t === 'application/spdx+json') return 'document.spdx.json';
  if (t === 'text/spdx') return 'document.spdx';
  return 'document';
}

async function waitForUpload(req: FastifyRequest, uploadId: string, seconds: number): Promise<Awaited<ReturnType<typeof getUpload>>> {
  const { db } = req.server.vouch.opened;
  const scope = who(req).scope;
  const until = Date.now() + seconds * 1000;
  let delay = 50;
  for (;;) {
    const view = await getUpload(db, uploadId, scope);
    // the client gone is its socket closed: `req.raw.destroyed` is no sign, Node sets it once the body
    // is read; a stop in progress answers with the state now (app.ts ends that connection with it)
    if (!view || view.state === 'done' || view.state === 'failed' || Date.now() >= until || req.raw.socket?.destroyed === true || !req.server.vouch.accepting()) return view;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, until - Date.now()))));
    delay = Math.min(delay * 2, 500);
  }
}

