/**
 * A server for the issue 14 tests (analyses, VEX, incidents): a fresh database of the kind asked,
 * a store of the real log4j-core advisories, the app with its workers, tokens per role, and a
 * helper that uploads a log4j SBOM and waits for it.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createQueue, type JobQueue } from '../jobs/index.js';
import { type Role, createToken } from '../portfolio/access.js';
import { LOG4J_ADVISORIES, TestStore, log4jSbom, osvRecords } from '../portfolio/portfolio-testing.js';
import { StoreHandle, registerWorkers } from '../portfolio/workers.js';
import { type TestDb, type TestDbKind, freshDb } from '../testing/db.js';
import { buildApp } from './app.js';

export const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core';

export interface ResponseWorld {
  t: TestDb;
  app: FastifyInstance;
  /** Authorization headers of a new token (its name is `name`). */
  token(role: Role, name: string, projects?: string[]): Promise<Record<string, string>>;
  admin: Record<string, string>;
  /** Uploads a log4j SBOM for project@version and waits until it is processed. */
  upload(project: string, version: string, log4j: string): Promise<void>;
  close(): Promise<void>;
}

/** The server part of a test world: a fresh database, a store of `records`, the app with its workers, tokens per role. */
export interface ServerWorld {
  t: TestDb;
  app: FastifyInstance;
  token(role: Role, name: string, projects?: string[]): Promise<Record<string, string>>;
  admin: Record<string, string>;
  store: TestStore;
  close(): Promise<void>;
}

export async function serverWorld(kind: TestDbKind, records: Parameters<TestStore['load']>[0]): Promise<ServerWorld> {
  const t = await freshDb(kind);
  const store = new TestStore();
  await store.load(records);
  const queue: JobQueue = createQueue(t, t.schema ? { schema: `${t.schema}_boss` } : {});
  await queue.start();
  const handle = new StoreHandle(store.home);
  await registerWorkers(queue, t.db, handle);
  const app = await buildApp({ opened: t, queue, logger: false, limits: { rateMax: 1_000_000 } });
  const token = async (role: Role, name: string, projects?: string[]): Promise<Record<string, string>> => ({
    authorization: `Bearer ${(await createToken(t.db, { name, role, ...(projects ? { projects } : {}) })).token}`,
  });
  const admin = await token('admin', 'alice');
  return {
    t,
    app,
    token,
    admin,
    store,
    async close() {
      await app.close();
      await queue.stop({ graceful: false });
      handle.close();
      store.close();
      await t.close();
    },
  };
}

export async function responseWorld(kind: TestDbKind): Promise<ResponseWorld> {
  const w = await serverWorld(kind, (await osvRecords('Maven', LOG4J_ADVISORIES)).values());
  const { t, app, token, admin } = w;
  return {
    t,
    app,
    token,
    admin,
    async upload(project, version, log4j) {
      const r = await app.inject({
        method: 'POST',
        url: `/api/v1/projects/${project}/versions/${version}/documents?file=bom.cdx.json&wait=60`,
        headers: { ...admin, 'content-type': 'application/vnd.cyclonedx+json' },
        payload: log4jSbom(log4j, `${project}-service`),
      });
      expect(r.statusCode, r.body).toBe(200);
    },
    close: () => w.close(),
  };
}
