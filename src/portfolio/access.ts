/**
 * API tokens and what they may see. A token is `vouch_` + 32 random bytes (base64url); only its
 * SHA-256 is stored, so a copy of the database gives no access. Each token has a role and is
 * optionally limited to projects or to a tag; its Scope is what the portfolio's queries filter by,
 * and a project outside it behaves as if it did not exist.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { PortfolioError } from './errors.js';

/** `subscriber`: a partner organisation's token, which reads the server's own advisory feed and nothing else (docs/feeds.md). */
export type Role = 'admin' | 'maintainer' | 'viewer' | 'uploader' | 'subscriber';
export const ROLES: readonly Role[] = ['admin', 'maintainer', 'viewer', 'uploader', 'subscriber'];
/** The TLP levels a token may be cleared for on the server's feed: RED never leaves the server. */
export const TOKEN_TLP = ['CLEAR', 'GREEN', 'AMBER'] as const;
export type TokenTlp = (typeof TOKEN_TLP)[number];

export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  projects?: string[];
  tag?: string;
  /** The token's clearance on the server's own feed (absent = CLEAR). */
  tlp?: TokenTlp;
}

/**
 * The projects a principal may see: all of them, the named ones, or those with a tag — in the
 * last two cases with their descendants (a collection's children are part of it, so a parent's
 * findings, which include its children's, never show a project outside the scope).
 */
export type Scope = { all: true } | { projects: readonly string[] } | { tag: string };

export const ALL: Scope = { all: true };

export function scopeOf(p: Principal): Scope {
  if (p.projects?.length) return { projects: p.projects };
  if (p.tag !== undefined) return { tag: p.tag };
  return { all: true };
}

export const TOKEN_PREFIX = 'vouch_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  projects?: string[];
  tag?: string;
  tlp?: TokenTlp;
  createdAt: string;
  revokedAt?: string;
}

export async function createToken(
  db: Db,
  opts: { name: string; role: Role; projects?: readonly string[]; tag?: string; tlp?: TokenTlp },
): Promise<{ id: string; token: string }> {
  if (!ROLES.includes(opts.role)) throw new PortfolioError('invalid', `unknown role "${String(opts.role)}" (one of ${ROLES.join(', ')})`);
  if (!opts.name.trim()) throw new PortfolioError('invalid', 'a token needs a name');
  if (opts.projects?.length && opts.tag !== undefined) throw new PortfolioError('invalid', 'a token is limited to projects or to a tag, not both');
  if (opts.tlp !== undefined && !TOKEN_TLP.includes(opts.tlp)) throw new PortfolioError('invalid', `a token's TLP clearance is one of ${TOKEN_TLP.join(', ')} (RED never leaves the server)`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await db
    .insertInto('tokens')
    .values({
      id,
      name: opts.name,
      role: opts.role,
      projects: opts.projects?.length ? JSON.stringify([...opts.projects]) : null,
      tag: opts.tag ?? null,
      hash: hashToken(token),
      created_at: nowIso(),
      revoked_at: null,
      tlp: opts.tlp ?? null,
    })
    .execute();
  return { id, token };
}

/** The principal a bearer token stands for; undefined when unknown or revoked. */
export async function verifyToken(db: Db, token: string): Promise<Principal | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hashToken(token)).executeTakeFirst();
  if (!row || row.revoked_at !== null) return undefined;
  return {
    tokenId: row.id,
    name: row.name,
    role: row.role as Role,
    ...(row.projects ? { projects: JSON.parse(row.projects) as string[] } : {}),
    ...(row.tag !== null ? { tag: row.tag } : {}),
    ...(row.tlp !== null ? { tlp: row.tlp as TokenTlp } : {}),
  };
}

/** Revokes a token; false when there is no such (unrevoked) token. */
export async function revokeToken(db: Db, id: string): Promise<boolean> {
  const r = await db.updateTable('tokens').set({ revoked_at: nowIso() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function listTokens(db: Db): Promise<TokenInfo[]> {
  const rows = await db.selectFrom('tokens').select(['id', 'name', 'role', 'projects', 'tag', 'tlp', 'created_at', 'revoked_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role as Role,
    ...(r.projects ? { projects: JSON.parse(r.projects) as string[] } : {}),
    ...(r.tag !== null ? { tag: r.tag } : {}),
    ...(r.tlp !== null ? { tlp: r.tlp as TokenTlp } : {}),
    createdAt: r.created_at,
    ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
  }));
}

/**
 * The ids of the projects a scope covers (with their descendants); undefined for "all". The
 * portfolio's queries filter by it.
 */
export async function scopedProjectIds(db: Db, scope: Scope): Promise<number[] | undefined> {
  if ('all' in scope) return undefined;
  const seeds =
    'projects' in scope
      ? scope.projects.length
        ? await db.selectFrom('projects').select('id').where('name', 'in', [...scope.projects]).execute()
        : []
      : await db.selectFrom('project_tags').select('project_id as id').where('tag', '=', scope.tag).execute();
  return descendantsOf(
    db,
    seeds.map((s) => s.id),
  );
}

/** The projects and every descendant of them (a collection's tree), each once. */
export async function descendantsOf(db: Db, ids: readonly number[]): Promise<number[]> {
  const out = new Set(ids);
  let frontier = [...out];
  while (frontier.length) {
    const next: number[] = [];
    for (let i = 0; i < frontier.length; i += 5000) {
      const rows = await db
        .selectFrom('projects')
        .select('id')
        .where('parent_id', 'in', frontier.slice(i, i + 5000))
        .execute();
      for (const r of rows) {
        if (out.has(r.id)) continue;
        out.add(r.id);
        next.push(r.id);
      }
    }
    frontier = next;
  }
  return [...out].sort((a, b) => a - b);
}

/** Is the project (by id) inside the scope? */
export async function inScope(db: Db, scope: Scope, projectId: number): Promise<boolean> {
  const ids = await scopedProjectIds(db, scope);
  return ids === undefined || ids.includes(projectId);
}
