/**
 * The CLI's EngagementRepository: one JSON file (`{ "schema": "vouch-engagements/1", "engagements": [...] }`).
 * Every write takes a lock file beside it (created exclusively, removed after), re-reads the file,
 * applies the change and replaces the file atomically, so two vouch processes never lose each
 * other's writes and a crash leaves the old file or the new one.
 */
import { open, unlink } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic-write.js';
import { parseJsonInput } from '../io/json.js';
import { VouchError } from '../model/errors.js';
import { ENGAGEMENT_STATES, type Engagement, type EngagementFilter, type EngagementRepository } from './engagements.js';
import { readRegularFile } from '../io/input.js';

export const ENGAGEMENTS_SCHEMA = 'vouch-engagements/1';
const LOCK_WAIT_MS = 5000;

export class FileEngagementRepository implements EngagementRepository {
  constructor(readonly file: string) {}

  async list(filter: EngagementFilter = {}): Promise<Engagement[]> {
    return (await this.#read()).filter(
      (e) => (!filter.state || e.state === filter.state) && (!filter.needId || e.need.id === filter.needId) && (!filter.volunteer || e.volunteer.toLowerCase() === filter.volunteer.toLowerCase()),
    );
  }

  async get(id: string): Promise<Engagement | undefined> {
    return (await this.#read()).find((e) => e.id === id);
  }

  async insert(e: Engagement): Promise<void> {
    await this.#write((all) => {
      if (all.some((x) => x.id === e.id)) throw new VouchError('USAGE', `engagement ${e.id} already exists`, { path: this.file });
      // one open engagement per need, checked again under the lock
      const open = all.find((x) => x.need.id === e.need.id && x.state !== 'done' && x.state !== 'dropped');
      if (open) throw new VouchError('USAGE', `need ${e.need.id} already has an open engagement (${open.id})`, { path: this.file });
      return [...all, e];
    });
  }

  async update(e: Engagement): Promise<void> {
    await this.#write((all) => {
      const i = all.findIndex((x) => x.id === e.id);
      if (i < 0) throw new VouchError('USAGE', `no engagement ${e.id}`, { path: this.file });
      if (all[i]!.revision !== e.revision - 1) throw new VouchError('USAGE', `engagement ${e.id} was changed by someone else meanwhile (revision ${all[i]!.revision}); run the command again`, { path: this.file });
      const next = [...all];
      next[i] = e;
      return next;
    });
  }

  async #read(): Promise<Engagement[]> {
    let text: string;
    try {
      text = (await readRegularFile(this.file)).toString('utf8');
    } catch (e) {
      if (e instanceof VouchError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new VouchError('INPUT_MISSING', `cannot read the engagements file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: this.file, cause: e });
    }
    const doc = parseJsonInput(text, this.file) as { schema?: unknown; engagements?: unknown };
    if (typeof doc !== 'object' || doc === null || doc.schema !== ENGAGEMENTS_SCHEMA || !Array.isArray(doc.engagements)) {
      throw new VouchError('INPUT_PARSE', `not a vouch engagements file (expected "schema": "${ENGAGEMENTS_SCHEMA}" and an "engagements" list)`, { path: this.file, position: { jsonPath: '$' } });
    }
    doc.engagements.forEach((e: unknown, i) => {
      const x = e as Partial<Engagement> | null;
      if (!x || typeof x.id !== 'string' || !ENGAGEMENT_STATES.includes(x.state as Engagement['state']) || typeof x.revision !== 'number' || !x.need || !Array.isArray(x.hours) || !Array.isArray(x.history)) {
        throw new VouchError('INPUT_PARSE', 'not an engagement (id, state, revision, need, hours and history are required)', { path: this.file, position: { jsonPath: `$.engagements[${i}]` } });
      }
    });
    return doc.engagements as Engagement[];
  }

  async #write(change: (all: Engagement[]) => Engagement[]): Promise<void> {
    const lock = `${this.file}.lock`;
    const start = Date.now();
    let fh;
    for (;;) {
      try {
        fh = await open(lock, 'wx');
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new VouchError('USAGE', `cannot lock the engagements file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: lock, cause: e });
        if (Date.now() - start > LOCK_WAIT_MS) throw new VouchError('USAGE', 'the engagements file is locked by another vouch process; if none is running, remove the lock file', { path: lock });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      await fh.close();
      const next = change(await this.#read());
      await writeFileAtomic(this.file, `${JSON.stringify({ schema: ENGAGEMENTS_SCHEMA, engagements: next }, null, 2)}\n`);
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }
}
