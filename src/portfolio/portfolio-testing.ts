/**
 * Test helpers for the portfolio: a small advisory store built with the real `updateStore` from
 * records of ../shared/osv (so tests match against published advisories), and documents of one
 * service shipping log4j-core at a version (the Log4Shell case of issue 13).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { updateStore } from '../advisories/import.js';
import { AdvisoryStore } from '../advisories/store.js';
import { type AdvisoryContext, storeContext } from '../engine/scan.js';
import { openZip } from '../io/zip.js';
import { shared } from '../testing/shared.js';

/** Every log4j-core advisory of ../shared/osv/Maven/all.zip (2.14.1 is hit by the first four; 2.17.1 by none). */
export const LOG4J_ADVISORIES = ['GHSA-jfh8-c2jp-5v3q', 'GHSA-7rjr-3q55-vv33', 'GHSA-p6xc-xr62-6r2g', 'GHSA-8489-44mv-ggj8', 'GHSA-vwqq-5vrc-xw9h'];

/** The records `ids` of ../shared/osv/<ecosystem>/all.zip, as published (JSON text by id). */
export async function osvRecords(ecosystem: string, ids: readonly string[]): Promise<Map<string, string>> {
  const zip = await openZip(shared('osv', ecosystem, 'all.zip'), `${ecosystem}/all.zip`);
  const out = new Map<string, string>();
  try {
    for await (const e of zip.entries()) {
      if (e.kind !== 'file') continue;
      const id = e.name.replace(/\.json$/, '');
      if (ids.includes(id)) out.set(id, e.data.toString('utf8'));
    }
  } finally {
    zip.close();
  }
  for (const id of ids) if (!out.has(id)) throw new Error(`${id} is not in ${ecosystem}/all.zip`);
  return out;
}

/** A VOUCH_HOME whose store `load` (re)writes from the records given; `context()` opens it for matching. */
export class TestStore {
  readonly home = mkdtempSync(path.join(tmpdir(), 'vouch-store-'));
  private opened: AdvisoryStore[] = [];

  /** Replaces the store's advisories by `records` (JSON texts): a `vouch db update` from a folder. */
  async load(records: Iterable<string>): Promise<void> {
    const dir = mkdtempSync(path.join(tmpdir(), 'vouch-osv-'));
    mkdirSync(dir, { recursive: true });
    let i = 0;
    for (const r of records) writeFileSync(path.join(dir, `r${i++}.json`), r);
    await updateStore({ home: this.home, source: dir, prune: true });
    rmSync(dir, { recursive: true, force: true });
  }

  open(): AdvisoryStore {
    const s = AdvisoryStore.open(this.home);
    this.opened.push(s);
    return s;
  }

  context(): AdvisoryContext {
    return storeContext(this.open());
  }

  close(): void {
    for (const s of this.opened) s.close();
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** An OSV record written for a test (an advisory that does not exist yet, as the second scenario needs). */
export function osvRecord(id: string, opts: { aliases?: string[]; modified?: string; withdrawn?: string; ecosystem: string; name: string; introduced: string; fixed?: string }): string {
  return JSON.stringify({
    schema_version: '1.6.0',
    id,
    modified: opts.modified ?? '2026-01-01T00:00:00Z',
    ...(opts.withdrawn ? { withdrawn: opts.withdrawn } : {}),
    aliases: opts.aliases ?? [],
    summary: `test advisory ${id}`,
    affected: [
      {
        package: { ecosystem: opts.ecosystem, name: opts.name },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: opts.introduced }, ...(opts.fixed ? [{ fixed: opts.fixed }] : [])] }],
      },
    ],
    database_specific: { severity: 'CRITICAL' },
  });
}

/** A CycloneDX 1.6 SBOM of one service shipping log4j-core at `version` through a logging wrapper (two-step path). */
export function log4jSbom(version: string, service = 'billing-service'): Buffer {
  return Buffer.from(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { component: { type: 'application', name: service, 'bom-ref': 'app' } },
      components: [
        { type: 'library', 'bom-ref': 'wrapper', group: 'com.example', name: 'logging-wrapper', version: '1.0.0', purl: 'pkg:maven/com.example/logging-wrapper@1.0.0' },
        {
          type: 'library',
          'bom-ref': 'log4j-core',
          group: 'org.apache.logging.log4j',
          name: 'log4j-core',
          version,
          purl: `pkg:maven/org.apache.logging.log4j/log4j-core@${version}`,
        },
      ],
      dependencies: [
        { ref: 'app', dependsOn: ['wrapper'] },
        { ref: 'wrapper', dependsOn: ['log4j-core'] },
        { ref: 'log4j-core' },
      ],
    }),
  );
}
