/**
 * What an admin stores on the server (issue 14): the policy (`vouch.policy.yaml`, the same file
 * `vouch scan --policy` reads; the server evaluates its `fail` and `ignore` rules on every finished
 * upload and records a `policy.violation` event) and the containment playbook
 * (`vouch.containment.yaml`, the same file `vouch fix --containment` reads; its steps show on
 * incidents). Each is kept as the text the admin sent, checked with the CLI's own reader before it
 * is stored: a mistake is the reader's one line with its file:line, and nothing is replaced.
 */
import type { Db } from '../db/index.js';
import { type Playbook, parsePlaybook } from '../triage/containment.js';
import { type Policy, parsePolicy } from '../triage/policy.js';

export const SERVER_DOCUMENTS = { policy: 'vouch.policy.yaml', containment: 'vouch.containment.yaml' } as const;
export type ServerDocumentName = keyof typeof SERVER_DOCUMENTS;

export interface ServerDocument {
  name: ServerDocumentName;
  text: string;
  updatedBy: string;
  updatedAt: string;
}

function check(name: ServerDocumentName, text: string): void {
  if (name === 'policy') parsePolicy(text, SERVER_DOCUMENTS.policy);
  else parsePlaybook(text, SERVER_DOCUMENTS.containment);
}

/** Stores (or replaces) a document after its reader accepted it; one statement. */
export async function putDocument(db: Db, name: ServerDocumentName, text: string, opts: { actor: string; now?: Date }): Promise<ServerDocument> {
  check(name, text);
  const at = (opts.now ?? new Date()).toISOString();
  await db
    .insertInto('server_documents')
    .values({ name, text, updated_by: opts.actor, updated_at: at })
    .onConflict((oc) => oc.column('name').doUpdateSet({ text, updated_by: opts.actor, updated_at: at }))
    .execute();
  return { name, text, updatedBy: opts.actor, updatedAt: at };
}

export async function getDocument(db: Db, name: ServerDocumentName): Promise<ServerDocument | undefined> {
  const r = await db.selectFrom('server_documents').selectAll().where('name', '=', name).executeTakeFirst();
  return r ? { name, text: r.text, updatedBy: r.updated_by, updatedAt: r.updated_at } : undefined;
}

/** The stored policy, parsed (undefined when none is stored). */
export async function serverPolicy(db: Db): Promise<Policy | undefined> {
  const d = await getDocument(db, 'policy');
  return d ? parsePolicy(d.text, SERVER_DOCUMENTS.policy) : undefined;
}

/** The stored containment playbook, parsed (undefined when none is stored). */
export async function serverPlaybook(db: Db): Promise<Playbook | undefined> {
  const d = await getDocument(db, 'containment');
  return d ? parsePlaybook(d.text, SERVER_DOCUMENTS.containment) : undefined;
}
