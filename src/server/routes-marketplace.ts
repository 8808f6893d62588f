/**
 * The marketplace routes (issue 16, docs/marketplace.md "The server"): health results pushed by
 * `vouch health --push`, the needs derived from the portfolio, volunteers, pledges, the exact
 * matcher, engagements followed to a re-checked "done", the quarter report and the feed. Thin like
 * routes.ts: validate, authorise (config.access, then who may act on an engagement), call one
 * function of src/marketplace/portfolio.ts with the token's scope.
 */
import type { FastifyInstance } from 'fastify';
import { buildFeed } from '../marketplace/feed.js';
import { addLink, confirmDone, logHours, transition } from '../marketplace/engagements.js';
import type { Engagement } from '../marketplace/engagements.js';
import {
  type HealthPush,
  engagementInScope,
  listEngagements,
  listPledges,
  listVolunteers,
  matchOnServer,
  portfolioNeeds,
  proposeForNeed,
  recordHealth,
  recordPledge,
  registerVolunteer,
  serverRecheck,
  DbEngagementRepository,
} from '../marketplace/portfolio.js';
import { quarterReport } from '../marketplace/report.js';
import { AREAS } from '../marketplace/skills.js';
import type { Volunteer } from '../marketplace/types.js';
import { isVouchError } from '../model/errors.js';
import type { Principal, Role } from '../portfolio/access.js';
import { READERS, who } from './auth.js';
import { ProblemError } from './problem.js';
import { problems } from './schemas.js';

const WRITERS: readonly Role[] = ['admin', 'maintainer'];
const UPLOADERS: readonly Role[] = ['admin', 'maintainer', 'uploader'];

const str = { type: 'string' } as const;
const shortStr = { type: 'string', minLength: 1, maxLength: 200 } as const;
const names = { type: 'array', items: shortStr, maxItems: 50 } as const;
const num = { type: 'number' } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

const skillsSchema = { type: 'object', required: ['languages', 'ecosystems', 'areas', 'domains'], properties: { languages: { type: 'array', items: str }, ecosystems: { type: 'array', items: str }, areas: { type: 'array', items: str }, domains: { type: 'array', items: str } } } as const;

export const needSchema = {
  type: 'object',
  required: ['id', 'kind', 'project', 'title', 'task', 'reason', 'evidence', 'skills', 'effort', 'hours', 'priority', 'score'],
  properties: {
    id: str,
    kind: { type: 'string', enum: ['fix-upstream', 'backport', 'health'] },
    project: { type: 'object', required: ['ecosystem', 'name'], properties: { ecosystem: str, name: str, repositoryUrl: str, clone: str, health: { type: ['number', 'null'] } } },
    title: str,
    task: str,
    reason: str,
    evidence: { type: 'array', items: str },
    skills: skillsSchema,
    effort: { type: 'string', enum: ['S', 'M', 'L'] },
    hours: num,
    priority: num,
    score: { type: 'object', required: ['reliance', 'criticality', 'criticalitySource', 'gapWeight', 'gap'], properties: { reliance: num, criticality: num, criticalitySource: str, gapWeight: num, gap: str } },
    check: { type: 'object', properties: { name: str, score: { type: ['number', 'null'] } } },
    advisory: anyObject,
  },
} as const;

export const engagementSchema = {
  type: 'object',
  required: ['id', 'need', 'volunteer', 'state', 'history', 'links', 'hours', 'baseline', 'revision'],
  properties: {
    id: str,
    need: { type: 'object', required: ['id', 'kind', 'title', 'project', 'priority', 'hours'], properties: { id: str, kind: str, title: str, task: str, project: { type: 'object', required: ['ecosystem', 'name'], properties: { ecosystem: str, name: str, repositoryUrl: str, clone: str } }, priority: num, hours: num, criticality: num, check: anyObject, advisory: anyObject } },
    volunteer: str,
    company: str,
    state: { type: 'string', enum: ['proposed', 'accepted', 'in_progress', 'done', 'dropped'] },
    history: { type: 'array', items: { type: 'object', required: ['at', 'to'], properties: { at: str, from: str, to: str, note: str } } },
    links: { type: 'array', items: { type: 'object', required: ['url', 'at'], properties: { url: str, at: str } } },
    hours: { type: 'array', items: { type: 'object', required: ['date', 'hours'], properties: { date: str, hours: num, note: str } } },
    baseline: { type: 'object', required: ['health', 'criticality'], properties: { health: { type: ['number', 'null'] }, criticality: num } },
    outcome: { type: 'object', required: ['at', 'health', 'detail'], properties: { at: str, health: { type: ['number', 'null'] }, detail: str } },
    revision: { type: 'integer' },
  },
} as const;

const volunteerFields = {
  name: shortStr,
  company: shortStr,
  email: { type: 'string', minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' },
  languages: names,
  ecosystems: names,
  skills: { type: 'array', items: { type: 'string', enum: [...AREAS] }, maxItems: AREAS.length },
  domains: names,
  hoursPerMonth: { type: 'number', minimum: 0, maximum: 744 },
  interests: names,
} as const;

export const volunteerSchema = {
  type: 'object',
  required: ['name', 'languages', 'ecosystems', 'skills', 'domains', 'hoursPerMonth', 'interests'],
  properties: { name: str, company: str, email: str, languages: { type: 'array', items: str }, ecosystems: { type: 'array', items: str }, skills: { type: 'array', items: str }, domains: { type: 'array', items: str }, hoursPerMonth: num, interests: { type: 'array', items: str } },
} as const;

const quarterSchema = { type: 'string', pattern: '^\\d{4}Q[1-4]$' } as const;
const pledgeSchema = { type: 'object', required: ['company', 'quarter', 'hours'], properties: { company: str, quarter: str, hours: num } } as const;
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

const checkSchema = {
  type: 'object',
  required: ['name', 'score', 'risk', 'reason', 'evidence', 'remediation'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    score: { type: ['number', 'null'], minimum: 0, maximum: 10 },
    risk: { type: 'string', enum: ['Critical', 'High', 'Medium', 'Low'] },
    reason: { type: 'string', maxLength: 10_000 },
    evidence: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'object', required: ['path', 'detail', 'kind'], properties: { path: { type: 'string', maxLength: 4096 }, line: { type: 'integer', minimum: 1 }, detail: { type: 'string', maxLength: 10_000 }, kind: { type: 'string', enum: ['fail', 'info'] } } },
    },
    remediation: { type: 'string', maxLength: 10_000 },
  },
} as const;

/** The body of POST /api/v1/health/results: what `vouch health REPO --push` sends. */
export const healthPushSchema = {
  type: 'object',
  required: ['ecosystem', 'name', 'report'],
  additionalProperties: false,
  properties: {
    ecosystem: { type: 'string', minLength: 1, maxLength: 100 },
    name: { type: 'string', minLength: 1, maxLength: 500 },
    repositoryUrl: { type: 'string', maxLength: 500, pattern: '^[A-Za-z0-9.-]+(:[0-9]+)?/[^\\s/]+/[^\\s/]+$', description: 'host/owner/repo, as vouch health --push writes it' },
    report: {
      type: 'object',
      required: ['schema', 'repo', 'head', 'now', 'score', 'checks', 'criticality'],
      properties: {
        schema: { type: 'string', const: 'vouch-health/1' },
        repo: { type: 'string', maxLength: 4096 },
        head: { type: ['string', 'null'], maxLength: 100 },
        now: { type: 'string', format: 'date-time' },
        score: { type: ['number', 'null'], minimum: 0, maximum: 10 },
        checks: { type: 'array', maxItems: 100, items: checkSchema },
        criticality: { type: 'object', required: ['score'], properties: { score: { type: 'number', minimum: 0, maximum: 1 } } },
        notes: { type: 'array', items: { type: 'string', maxLength: 10_000 }, maxItems: 100 },
      },
    },
    activeMaintainers: { type: 'object', required: ['authors', 'windowDays'], additionalProperties: false, properties: { authors: { type: 'array', items: { type: 'string', maxLength: 320 }, maxItems: 10_000 }, windowDays: { type: 'integer', minimum: 1, maximum: 3650 } } },
    domains: names,
  },
} as const;

const notFound = (what: string): ProblemError => new ProblemError('not-found', `${what} not found`);

/** An engagement's state refused a change (a move it cannot make, a need already taken, a concurrent write): 409. */
async function asConflict<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isVouchError(e) && e.code === 'USAGE') throw new ProblemError('conflict', e.oneLine());
    throw e;
  }
}

/** Who may change an engagement: its volunteer (the token of that name), an admin or a maintainer. */
function mayAct(p: Principal, e: Engagement): boolean {
  return WRITERS.includes(p.role) || p.name === e.volunteer;
}

export async function registerMarketplaceRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.vouch.opened;

  /** The engagement, in scope, that the caller may change; 404 outside the scope, 403 when it is someone else's. */
  const actOn = async (req: Parameters<typeof who>[0], id: string): Promise<Engagement> => {
    const { principal, scope } = who(req);
    const e = await engagementInScope(db, scope, id);
    if (!e) throw notFound(`engagement ${id}`);
    if (!mayAct(principal, e)) throw new ProblemError('forbidden', `engagement ${id} is ${e.volunteer}'s: only they, an admin or a maintainer may change it`);
    return e;
  };

  app.post<{ Body: HealthPush }>(
    '/api/v1/health/results',
    {
      config: { access: { roles: UPLOADERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Push a health report of an upstream clone (vouch health REPO --push): needs follow it, and in-progress engagements on its health needs are re-checked against it',
        body: healthPushSchema,
        response: {
          201: {
            type: 'object',
            required: ['id', 'ecosystem', 'name', 'score', 'head', 'at', 'done', 'open'],
            properties: {
              id: { type: 'integer' },
              ecosystem: str,
              name: str,
              score: { type: ['number', 'null'] },
              head: { type: ['string', 'null'] },
              at: str,
              done: { type: 'array', items: { type: 'object', required: ['engagement', 'need', 'detail'], properties: { engagement: str, need: str, detail: str } } },
              open: { type: 'array', items: { type: 'object', required: ['engagement', 'need', 'detail'], properties: { engagement: str, need: str, detail: str } } },
            },
          },
          ...problems(400),
        },
      },
    },
    async (req, reply) => reply.code(201).send(await recordHealth(db, req.body, who(req).principal.name)),
  );

  app.get<{ Querystring: { skill?: string; limit: number } }>(
    '/api/v1/marketplace/needs',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Needs of the open source the token\'s projects use, highest priority first, each with its reason (reliance counts only the token\'s projects)',
        querystring: { type: 'object', additionalProperties: false, properties: { skill: { type: 'string', enum: [...AREAS] }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: { type: 'object', required: ['generated', 'total', 'needs'], properties: { generated: str, total: { type: 'integer' }, needs: { type: 'array', items: needSchema }, empty: str } }, ...problems(400) },
      },
    },
    async (req) => {
      const r = await portfolioNeeds(db, who(req).scope);
      const needs = req.query.skill ? r.needs.filter((n) => n.skills.areas.includes(req.query.skill!)) : r.needs;
      return { generated: r.generated, total: needs.length, needs: needs.slice(0, req.query.limit), ...(r.empty ? { empty: r.empty } : {}) };
    },
  );

  app.get(
    '/api/v1/marketplace/volunteers',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['marketplace'], summary: 'The registered volunteers', response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: volunteerSchema } } }, ...problems() } },
    },
    async () => ({ items: await listVolunteers(db) }),
  );

  app.post<{ Body: Partial<Volunteer> }>(
    '/api/v1/marketplace/volunteers',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Register a volunteer (or change one: the token that registered it, an admin or a maintainer). Default name: the token\'s',
        body: { type: 'object', additionalProperties: false, required: ['skills', 'hoursPerMonth'], properties: volunteerFields },
        response: { 200: volunteerSchema, 201: volunteerSchema, ...problems(400) },
      },
    },
    async (req, reply) => {
      const { principal } = who(req);
      const b = req.body;
      const v: Volunteer = {
        name: (b.name ?? principal.name).trim(),
        ...(b.company ? { company: b.company.trim() } : {}),
        ...(b.email ? { email: b.email } : {}),
        languages: b.languages ?? [],
        ecosystems: b.ecosystems ?? [],
        skills: (b.skills ?? []).map((s) => s.toLowerCase()),
        domains: b.domains ?? [],
        hoursPerMonth: b.hoursPerMonth ?? 0,
        interests: b.interests ?? [],
      };
      try {
        const r = await registerVolunteer(db, v, { name: principal.name, mayEditOthers: WRITERS.includes(principal.role) });
        return reply.code(r.created ? 201 : 200).send(r.volunteer);
      } catch (e) {
        if (isVouchError(e)) throw new ProblemError('forbidden', e.oneLine());
        throw e;
      }
    },
  );

  app.get(
    '/api/v1/marketplace/pledges',
    {
      config: { access: { roles: READERS } },
      schema: { tags: ['marketplace'], summary: 'Companies\' pledges of hours per quarter', response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: pledgeSchema } } }, ...problems() } },
    },
    async () => ({ items: await listPledges(db) }),
  );

  app.post<{ Body: { company: string; quarter: string; hours: number } }>(
    '/api/v1/marketplace/pledges',
    {
      config: { access: { roles: WRITERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Record a company\'s pledge of hours for a quarter (again for the same quarter: replaces it)',
        body: { type: 'object', additionalProperties: false, required: ['company', 'quarter', 'hours'], properties: { company: shortStr, quarter: quarterSchema, hours: { type: 'number', minimum: 0, maximum: 1_000_000 } } },
        response: { 201: pledgeSchema, ...problems(400) },
      },
    },
    async (req, reply) => reply.code(201).send(await recordPledge(db, { company: req.body.company.trim(), quarter: req.body.quarter, hours: req.body.hours }, who(req).principal.name)),
  );

  app.post<{ Body: { months?: number; propose?: boolean } | undefined }>(
    '/api/v1/marketplace/match',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Match the registered volunteers to the needs without an open engagement (the CLI\'s exact solver); propose: record each lead as a proposed engagement (admin, maintainer)',
        body: { type: ['object', 'null'], additionalProperties: false, properties: { months: { type: 'number', exclusiveMinimum: 0, maximum: 24 }, propose: { type: 'boolean' } } },
        response: {
          200: {
            type: 'object',
            required: ['schema', 'months', 'objective', 'assignments', 'unmatched', 'volunteers', 'solver'],
            properties: {
              schema: str,
              months: num,
              objective: num,
              assignments: { type: 'array', items: { type: 'object', required: ['needId', 'title', 'project', 'priority', 'lead', 'helpers', 'value', 'why'], properties: { needId: str, title: str, project: str, priority: num, effortHours: num, lead: anyObject, helpers: { type: 'array', items: anyObject }, value: num, why: str } } },
              unmatched: { type: 'array', items: { type: 'object', required: ['needId', 'title', 'priority', 'why'], properties: { needId: str, title: str, priority: num, why: str } } },
              volunteers: { type: 'array', items: anyObject },
              solver: anyObject,
              empty: str,
              proposed: { type: 'array', items: { type: 'object', required: ['engagement', 'need', 'volunteer'], properties: { engagement: str, need: str, volunteer: str } } },
              notProposed: { type: 'array', items: { type: 'object', required: ['need', 'why'], properties: { need: str, why: str } } },
            },
          },
          ...problems(400),
        },
      },
    },
    async (req) => {
      const { principal, scope } = who(req);
      const b = req.body ?? {};
      if (b.propose && !WRITERS.includes(principal.role)) throw new ProblemError('forbidden', `a ${principal.role} token may match but not propose engagements for others`);
      return matchOnServer(db, scope, { ...(b.months !== undefined ? { months: b.months } : {}), ...(b.propose ? { propose: true } : {}) });
    },
  );

  app.get<{ Querystring: { state?: Engagement['state']; volunteer?: string } }>(
    '/api/v1/marketplace/engagements',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Engagements on the packages the token\'s projects use, oldest first',
        querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: ['proposed', 'accepted', 'in_progress', 'done', 'dropped'] }, volunteer: shortStr } },
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: engagementSchema } } }, ...problems(400) },
      },
    },
    async (req) => ({ items: await listEngagements(db, who(req).scope, { ...(req.query.state ? { state: req.query.state } : {}), ...(req.query.volunteer ? { volunteer: req.query.volunteer } : {}) }) }),
  );

  app.post<{ Body: { need: string; volunteer?: string; company?: string; note?: string } }>(
    '/api/v1/marketplace/engagements',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Propose a volunteer as the lead of a need ("I can help": the token\'s own name; admins and maintainers may name anyone)',
        body: { type: 'object', additionalProperties: false, required: ['need'], properties: { need: { type: 'string', minLength: 1, maxLength: 1000 }, volunteer: shortStr, company: shortStr, note: { type: 'string', maxLength: 2000 } } },
        response: { 201: engagementSchema, ...problems(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const { principal, scope } = who(req);
      const b = req.body;
      const name = b.volunteer ?? principal.name;
      if (name !== principal.name && !WRITERS.includes(principal.role)) throw new ProblemError('forbidden', `a ${principal.role} token proposes itself only (${principal.name}), not ${name}`);
      const registered = (await listVolunteers(db)).find((v) => v.name === name);
      const company = b.company ?? registered?.company;
      const e = await asConflict(() => proposeForNeed(db, scope, b.need, { name, ...(company ? { company } : {}) }, b.note ? { note: b.note } : {}));
      if (!e) throw notFound(`need ${b.need}`);
      return reply.code(201).header('location', `/api/v1/marketplace/engagements/${e.id}`).send(e);
    },
  );

  app.post<{ Params: { id: string }; Body: { to: 'accepted' | 'in_progress' | 'dropped'; note?: string } }>(
    '/api/v1/marketplace/engagements/:id/state',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Accept, start or drop an engagement ("done" only through a re-check)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['to'], properties: { to: { type: 'string', enum: ['accepted', 'in_progress', 'dropped'] }, note: { type: 'string', maxLength: 2000 } } },
        response: { 200: engagementSchema, ...problems(400, 404, 409) },
      },
    },
    async (req) => {
      const e = await actOn(req, req.params.id);
      return asConflict(() => transition(new DbEngagementRepository(db), e.id, req.body.to, req.body.note ? { note: req.body.note } : {}));
    },
  );

  app.post<{ Params: { id: string }; Body: { hours: number; date?: string; note?: string } }>(
    '/api/v1/marketplace/engagements/:id/hours',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Log hours on an accepted or in-progress engagement',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['hours'], properties: { hours: { type: 'number', exclusiveMinimum: 0, maximum: 744 }, date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, note: { type: 'string', maxLength: 2000 } } },
        response: { 200: engagementSchema, ...problems(400, 404, 409) },
      },
    },
    async (req) => {
      const e = await actOn(req, req.params.id);
      return asConflict(() => logHours(new DbEngagementRepository(db), e.id, req.body.hours, { ...(req.body.date ? { date: req.body.date } : {}), ...(req.body.note ? { note: req.body.note } : {}) }));
    },
  );

  app.post<{ Params: { id: string }; Body: { url: string } }>(
    '/api/v1/marketplace/engagements/:id/links',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Link an upstream issue or pull request (https only, never fetched)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['url'], properties: { url: { type: 'string', minLength: 9, maxLength: 2000, pattern: '^https://' } } },
        response: { 200: engagementSchema, ...problems(400, 404, 409) },
      },
    },
    async (req) => {
      const e = await actOn(req, req.params.id);
      return asConflict(() => addLink(new DbEngagementRepository(db), e.id, req.body.url));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/marketplace/engagements/:id/check',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'Re-check an in-progress engagement\'s need (health: the latest pushed report; vulnerability: the findings as now matched); done when it passes',
        params: idParams,
        response: {
          200: { type: 'object', required: ['engagement', 'verdict'], properties: { engagement: engagementSchema, verdict: { type: 'object', required: ['passed', 'detail'], properties: { passed: { type: 'boolean' }, detail: str, health: { type: ['number', 'null'] } } } } },
          ...problems(404, 409),
        },
      },
    },
    async (req) => {
      const e = await actOn(req, req.params.id);
      return asConflict(() => confirmDone(new DbEngagementRepository(db), e.id, (x) => serverRecheck(db, x)));
    },
  );

  app.get<{ Querystring: { quarter: string } }>(
    '/api/v1/marketplace/report',
    {
      config: { access: { roles: READERS } },
      schema: {
        tags: ['marketplace'],
        summary: 'The quarter\'s report: hours by company (against pledges) and volunteer, needs closed, projects\' health and risk before → after',
        querystring: { type: 'object', additionalProperties: false, required: ['quarter'], properties: { quarter: quarterSchema } },
        response: { 200: { type: 'object', required: ['schema', 'quarter', 'from', 'to', 'hours', 'byCompany', 'byVolunteer', 'needsClosed', 'projects'], properties: { schema: str, quarter: str, from: str, to: str, hours: num, byCompany: { type: 'array', items: anyObject }, byVolunteer: { type: 'array', items: anyObject }, needsClosed: { type: 'array', items: anyObject }, projects: { type: 'array', items: anyObject }, empty: str } }, ...problems(400) },
      },
    },
    async (req) => quarterReport(await listEngagements(db, who(req).scope), await listPledges(db), req.query.quarter),
  );

  app.get<{ Querystring: { publisher: string } }>(
    '/api/v1/marketplace/feed',
    {
      config: { access: { roles: READERS, unlimited: true } },
      schema: {
        tags: ['marketplace'],
        summary: 'The needs and pledges feed (vouch-marketplace-feed/1, no volunteers\' names) for `vouch marketplace feed` readers; sign it with `vouch sign` before publishing',
        querystring: { type: 'object', additionalProperties: false, required: ['publisher'], properties: { publisher: shortStr } },
        response: { 200: { type: 'object', required: ['schema', 'publisher', 'published', 'needs', 'pledges', 'engagements'], properties: { schema: str, publisher: str, published: str, needs: { type: 'array', items: anyObject }, pledges: { type: 'array', items: pledgeSchema }, engagements: { type: 'array', items: anyObject } } }, ...problems(400) },
      },
    },
    async (req) => {
      const scope = who(req).scope;
      return buildFeed(req.query.publisher, (await portfolioNeeds(db, scope)).needs, await listPledges(db), await listEngagements(db, scope));
    },
  );
}
