/**
 * Issue 3, "Done when": generated CycloneDX and SPDX documents for the realworld inputs validate
 * against their schemas. Every file under ../shared/realworld that vouch reads (the files a
 * directory walk would pick: an extractor wants the name, folders vouch skips are skipped) is
 * given BY ITSELF to the real CLI (bin/vouch → dist/), once as
 * `vouch sbom FILE --format cyclonedx-json` (validated against bom-1.6.schema.json) and once as
 * `--format spdx-json` (spdx-schema-2.3.json), with the validators of src/sbom/sbom-write-testing.ts.
 * Each document must list at least one component, unless the file itself names no package at all
 * (checked on its text: an empty packages.lock.json, a pom.xml without `<dependency>`, a project
 * file without `<PackageReference>`); then both documents must be empty of packages as well. Both
 * documents list the same purls.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { SKIPPED_DIRS } from '../../src/inventory/common.js';
import { defaultExtractors } from '../../src/inventory/extractors.js';
import { cycloneDxValidator, spdxJsonValidator } from '../../src/sbom/sbom-write-testing.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { type Run, inPool, vouchAsync } from './helpers.js';

const REALWORLD = shared('realworld');

/** Every file vouch reads in the tree, in walk order, with the extractor that wants it. */
function realworldInputs(): { file: string; extractor: string }[] {
  if (!HAS_SHARED) return [];
  const extractors = defaultExtractors();
  const out: { file: string; extractor: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && !SKIPPED_DIRS.has(e.name)) walk(full);
      else if (e.isFile()) {
        const x = extractors.find((ex) => ex.wants(full));
        if (x) out.push({ file: full, extractor: x.id });
      }
    }
  };
  walk(REALWORLD);
  return out;
}

/** True when the file's own text names no package (the few inputs that legitimately list nothing). */
function namesNoPackage(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  const base = path.basename(file);
  if (base === 'packages.lock.json') return !/"resolved"\s*:/.test(text);
  if (base === 'pom.xml') return !/<dependency>/.test(text);
  if (/\.(cs|fs|vb)proj$/.test(base)) return !/<PackageReference\b/.test(text);
  return false;
}



const errorsOf = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
    .join('; ');

const FORMATS = ['cyclonedx-json', 'spdx-json'] as const;
const INPUTS = realworldInputs();

describe.skipIf(!HAS_SHARED)('SBOMs of ../shared/realworld validate against CycloneDX 1.6 and SPDX 2.3', () => {
  const runs = new Map<string, Run>();

  beforeAll(async () => {
    const jobs = INPUTS.flatMap(({ file }) => FORMATS.map((format) => ({ file, format })));
    const results = await inPool(jobs, 2, ({ file, format }) => vouchAsync(['sbom', file, '--format', format]));
    jobs.forEach((j, i) => runs.set(`${j.format} ${j.file}`, results[i]!));
  }, 600_000);

  it('finds the realworld lockfiles and manifests', () => {
    expect(INPUTS.length).toBeGreaterThan(50);
    // every format of the tree is there (README: npm, yarn, pnpm, pip, Pipfile, poetry, uv, Maven, Gradle, Go, Cargo, Ruby, Composer, NuGet)
    expect(new Set(INPUTS.map((i) => i.extractor.split('/')[0])).size).toBeGreaterThanOrEqual(8);
  });

  it.each(INPUTS.map((i) => [path.relative(REALWORLD, i.file), i] as const))('%s', (_rel, { file }) => {
    const cdxRun = runs.get(`cyclonedx-json ${file}`)!;
    const spdxRun = runs.get(`spdx-json ${file}`)!;
    expect(cdxRun.code, cdxRun.stderr).toBe(0);
    expect(spdxRun.code, spdxRun.stderr).toBe(0);

    interface CdxC { purl?: string; components?: CdxC[] }
    const cdx = JSON.parse(cdxRun.stdout) as { components?: CdxC[]; metadata?: { component?: CdxC } };
    const validCdx = cycloneDxValidator();
    expect(validCdx(cdx), errorsOf(validCdx.errors)).toBe(true);

    const spdx = JSON.parse(spdxRun.stdout) as { packages?: { externalRefs?: { referenceType: string; referenceLocator: string }[] }[] };
    const validSpdx = spdxJsonValidator();
    expect(validSpdx(spdx), errorsOf(validSpdx.errors)).toBe(true);

    // the components, and the projects themselves where their version is known (the subject and
    // its sub-components: workspace members), as SPDX lists them among its packages
    const purlsIn = (cs: CdxC[]): string[] => cs.flatMap((c) => [...(c.purl ? [c.purl] : []), ...purlsIn(c.components ?? [])]);
    const cdxPurls = purlsIn([...(cdx.components ?? []), ...(cdx.metadata?.component ? [cdx.metadata.component] : [])]).sort();
    const spdxPurls = (spdx.packages ?? [])
      .flatMap((p) => (p.externalRefs ?? []).filter((r) => r.referenceType === 'purl').map((r) => r.referenceLocator))
      .sort();
    expect(spdxPurls).toEqual(cdxPurls);
    if (namesNoPackage(file)) expect(cdxPurls).toEqual([]);
    else expect(cdxPurls.length).toBeGreaterThan(0);
  });
});
