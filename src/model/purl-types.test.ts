/** The type table (purl-types.ts) against the purl specification's type definitions in ../shared/conformance/purl. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { InvalidPurlError, buildPurl, parsePurl } from './purl.js';
import { PURL_TYPES } from './purl-types.js';

interface ComponentDefinition {
  requirement: string;
  case_sensitive?: boolean;
}
interface TypeDefinition {
  type: string;
  namespace_definition: ComponentDefinition;
  name_definition: ComponentDefinition;
  version_definition?: ComponentDefinition;
  subpath_definition?: ComponentDefinition;
  qualifiers_definition?: { key: string; requirement?: string }[];
  examples: string[];
}

/**
 * Examples in the definitions that are no purls: `@3/16.1` puts an unencoded '@' before a '/', so
 * `git@3` is read as a namespace, which opam prohibits. (yocto's `glibc@2.35&repository_url=…`,
 * missing its '?', still reads: as an odd version.)
 */
const MALFORMED_EXAMPLES = ['pkg:opam/git@3/16.1'];

const definitions = (): TypeDefinition[] =>
  (JSON.parse(readFileSync(shared('conformance', 'purl', 'purl-types-index.json'), 'utf8')) as string[]).map(
    (t) => JSON.parse(readFileSync(shared('conformance', 'purl', 'type-definitions', `${t}-definition.json`), 'utf8')) as TypeDefinition,
  );

describe.skipIf(!HAS_SHARED)('purl types: the table says what the registered definitions say', () => {
  it('lists exactly the registered types', () => {
    expect(Object.keys(PURL_TYPES).sort()).toEqual(definitions().map((d) => d.type).sort());
  });

  it.each(HAS_SHARED ? definitions().map((d) => [d.type, d] as const) : [])('%s', (type, d) => {
    const rule = PURL_TYPES[type]!;
    expect(rule.namespace, 'namespace requirement').toBe(d.namespace_definition.requirement);
    for (const c of ['namespace', 'name', 'version', 'subpath'] as const) {
      const insensitive = d[`${c}_definition`]?.case_sensitive === false;
      expect(rule.lower?.[c] ?? false, `${c} lower-cased`).toBe(insensitive);
    }
    const required = (d.qualifiers_definition ?? []).filter((q) => q.requirement === 'required').map((q) => q.key);
    expect([...(rule.qualifiers ?? [])].sort(), 'required qualifiers').toEqual(required.sort());
    // each example of the definition reads as a purl of the type, and its canonical form reads back the same
    for (const example of d.examples) {
      if (MALFORMED_EXAMPLES.includes(example)) {
        expect(() => parsePurl(example), example).toThrow(InvalidPurlError);
        continue;
      }
      const parts = parsePurl(example);
      expect(parts.type).toBe(type);
      expect(parsePurl(buildPurl(parts)), example).toEqual(parts);
    }
  });
});
