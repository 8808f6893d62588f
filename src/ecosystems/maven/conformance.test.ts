/**
 * Peer conformance: osv-scanner v1 and osv-scalibr fixtures for pom.xml, gradle.lockfile and
 * gradle/verification-metadata.xml (../shared/conformance/lockfiles, README §3). Exact package sets;
 * where vouch deliberately reports less than the peer (it never guesses), the case names what
 * moved to `unresolved` instead, and why.
 */
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import type { Inventory } from '../../model/inventory.js';
import { fileInput } from '../../io/input.js';
import { lockfileCases, type ExpectedPackage as Base } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED } from '../../testing/shared.js';
import type { Extractor } from '../types.js';
import { gradleLockfileExtractor } from './gradle-lockfile.js';
import { pomExtractor } from './pom.js';
import { verificationMetadataExtractor } from './verification-metadata.js';

/** pom.xml cases list some packages without a version. */
type ExpectedPackage = Omit<Base, 'version'> & { version?: string };

/** A documented difference from the peer: these expected packages are in `unresolved`, not components. */
interface Divergence {
  unresolved?: string[];
  /** Expected by the peer, reported by vouch neither as component nor as unresolved. */
  absent?: string[];
  why: string;
}

const RANGE = 'a version range: Maven picks the version from what the repository holds, so vouch does not guess it';
const DIVERGENCES: Record<string, Divergence> = {
  'osv-scanner-v1/maven/interpolation.xml': {
    absent: ['org.mine:ranged-package@9.4.35.v20201120'],
    why: 'here the range is only in dependencyManagement (osv-scanner v1 lists those as packages); management adds no dependency',
  },
  'osv-scalibr/java-pomxml/interpolation.xml': { unresolved: ['org.mine:ranged-package'], why: RANGE },
  'osv-scanner-v1/maven/with-dependency-management.xml': {
    absent: ['com.google.code.findbugs:jsr305@3.0.2'],
    why: 'osv-scanner v1 lists dependencyManagement entries as packages; management adds no dependency (osv-scalibr agrees)',
  },
  'osv-scalibr/java-pomxml/with-parent.xml': {
    unresolved: ['org.frank:frank'],
    why: 'no version anywhere on disk (osv-scalibr reports an empty version): unresolved, naming the imported BOM',
  },
  'osv-scalibr/java-gradleverificationmetadataxml/missing-attribute.xml': {
    unresolved: [':pdfbox', 'org.apache.pdfbox:', 'org.apache.pdfbox:pdfbox'],
    why: 'components without group, name or version cannot be matched: unresolved instead of half-named packages',
  },
};

const SUITES: { dir: string; extractor: Extractor }[] = [
  { dir: 'osv-scanner-v1/maven', extractor: pomExtractor },
  { dir: 'osv-scalibr/java-pomxml', extractor: pomExtractor },
  { dir: 'osv-scanner-v1/gradle', extractor: gradleLockfileExtractor },
  { dir: 'osv-scalibr/java-gradlelockfile', extractor: gradleLockfileExtractor },
  { dir: 'osv-scanner-v1/gradle-verification-metadata', extractor: verificationMetadataExtractor },
  { dir: 'osv-scalibr/java-gradleverificationmetadataxml', extractor: verificationMetadataExtractor },
];

const key = (name: string, version: string | undefined): string => `${name}@${version ?? ''}`;

describe.skipIf(!HAS_SHARED)('maven conformance (osv-scanner v1, osv-scalibr)', () => {
  for (const { dir, extractor } of SUITES) {
    const cases = lockfileCases<ExpectedPackage>([dir]);
    it.each(cases.map(({ c, file }) => [c.test ?? c.name ?? c.fixture, c, file] as const))(`${dir}: %s`, async (_label, c, file) => {
      if (!c.fixtureExists) {
        await expect(fileInput(file)).rejects.toMatchObject({ code: 'INPUT_MISSING' });
        return;
      }
      if (c.expectError) {
        const err = await extractor.extract(await fileInput(file)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(VouchError);
        expect(['INPUT_PARSE', 'INPUT_UNSUPPORTED']).toContain((err as VouchError).code);
        expect((err as VouchError).oneLine()).toContain(c.fixture);
        return;
      }
      const inv: Inventory = await extractor.extract(await fileInput(file));
      const div = DIVERGENCES[`${dir}/${c.fixture}`];
      const expected = (c.expectedPackages ?? []).filter(
        (p) => !div?.unresolved?.includes(p.name) && !div?.absent?.includes(key(p.name, p.version)),
      );
      const got = [...inv.graph.components.values()];
      expect(new Set(got.map((x) => key(x.name, x.version)))).toEqual(new Set(expected.map((p) => key(p.name, p.version))));
      for (const name of div?.unresolved ?? []) expect(inv.unresolved.map((u) => u.name)).toContain(name);
      for (const k of div?.absent ?? []) expect(inv.unresolved.map((u) => u.name)).not.toContain(k.split('@')[0]);
      for (const p of expected) {
        const c2 = got.find((x) => x.name === p.name && x.version === p.version)!;
        expect(c2.ecosystem).toBe('Maven');
        expect(c2.purl).toMatch(/^pkg:maven\//);
        expect(c2.locations[0]!.line).toBeGreaterThan(0);
        if (p.depGroups?.includes('test')) expect(c2.scope).toBe('dev');
      }
    });
  }
});
