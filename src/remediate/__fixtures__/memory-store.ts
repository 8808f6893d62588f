/** An in-memory AdvisoryLookup over OSV records on disk (real records copied from ../shared/osv as fixtures). */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdvisoryLookup } from '../../advisories/match.js';
import type { Advisory } from '../../model/advisory.js';

export const FIXTURES = path.dirname(fileURLToPath(import.meta.url));

export class MemoryAdvisories implements AdvisoryLookup {
  readonly all: Advisory[];
  constructor(dir = path.join(FIXTURES, 'osv')) {
    this.all = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Advisory);
  }
  advisoriesFor(ecosystemBase: string, name: string): Advisory[] {
    return this.all.filter((a) => (a.affected ?? []).some((x) => x.package?.ecosystem.split(':')[0] === ecosystemBase && x.package?.name === name));
  }
}
