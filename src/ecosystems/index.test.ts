/**
 * The ecosystem registry, checked once for every plug-in (instead of an "is registered" block in
 * each extractor's tests): every folder is registered, every extractor is found through its
 * ecosystem, ids and --parse-as names are unique, every extractor says what it needs, and every
 * ecosystem's versioning passes the peer vectors mapped to it.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cyclonedxExtractor } from '../sbom/cyclonedx-read.js';
import { spdxExtractor } from '../sbom/spdx-read.js';
import { HAS_SHARED } from '../testing/shared.js';
import { vectorFailures, versionVectors } from '../testing/version-vectors.js';
import { ECOSYSTEMS, allEcosystemExtractors, ecosystemByOsvName, ecosystemByPurlType } from './index.js';
import type { Ecosystem } from './types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Folders of src/ecosystems that are not plug-ins. */
const NOT_PLUGINS = new Set(['shared']);
const folders = readdirSync(HERE, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !NOT_PLUGINS.has(e.name) && !e.name.startsWith('__'))
  .map((e) => e.name)
  .sort();

/** The name ../shared/conformance/versions/ecosystems.json uses (it writes `cargo` for crates.io). */
const vectorName = (e: Ecosystem): string => (e.osvName === 'crates.io' ? 'cargo' : e.osvName);

describe('the ecosystem registry', () => {
  it.each(folders)('%s/ exports one Ecosystem from index.ts, and it is registered', async (folder) => {
    const mod = (await import(/* @vite-ignore */ path.join(HERE, folder, 'index.ts'))) as Record<string, unknown>;
    const exported = Object.values(mod).filter((v): v is Ecosystem => typeof v === 'object' && v !== null && 'osvName' in v && 'versioning' in v);
    expect(exported).toHaveLength(1);
    const eco = exported[0]!;
    expect(ECOSYSTEMS).toContain(eco);
    expect(ecosystemByOsvName(eco.osvName)).toBe(eco);
    expect(ecosystemByPurlType(eco.purlType)).toBe(eco);
  });

  it('registers exactly the plug-in folders', () => {
    expect(ECOSYSTEMS).toHaveLength(folders.length);
    expect(new Set(ECOSYSTEMS.map((e) => e.osvName)).size).toBe(ECOSYSTEMS.length);
    expect(new Set(ECOSYSTEMS.map((e) => e.purlType)).size).toBe(ECOSYSTEMS.length);
  });

  const all = [...allEcosystemExtractors(), cyclonedxExtractor, spdxExtractor];

  it('extractor ids are unique and named after their ecosystem folder', () => {
    expect(new Set(all.map((x) => x.id)).size).toBe(all.length);
    for (const eco of ECOSYSTEMS) {
      for (const x of eco.extractors) expect(folders, x.id).toContain(x.id.slice(0, x.id.indexOf('/')));
    }
  });

  it('every --parse-as name picks one extractor', () => {
    const seen = new Map<string, string>();
    for (const x of all) {
      for (const name of x.parseAs ?? []) {
        const key = name.toLowerCase();
        expect(seen.get(key), `${name}: ${seen.get(key)} and ${x.id}`).toBeUndefined();
        seen.set(key, x.id);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
  });

  it.each(all.map((x) => [x.id, x] as const))('%s declares what it needs (nothing: it runs by default)', (_id, x) => {
    expect(x.needs).toEqual({ network: false, runsCode: false });
  });
});

describe.skipIf(!HAS_SHARED)('every ecosystem orders versions as its peer vectors say', () => {
  it.each(ECOSYSTEMS.map((e) => [e.osvName, e] as const))('%s', (_name, eco) => {
    const vectors = versionVectors(vectorName(eco));
    expect(vectors.length).toBeGreaterThan(0);
    const failures = vectorFailures(eco.versioning, vectors);
    expect(failures, failures.slice(0, 10).join('\n')).toEqual([]);
  });
});
