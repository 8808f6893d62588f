/** The policy on real SBOMs from ../shared/conformance (CycloneDX and SPDX examples). */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { readCycloneDx } from '../sbom/cyclonedx-read.js';
import { evaluatePolicy, judgeLicences, parsePolicy } from './policy.js';

const CDX16 = (name: string): string => shared('conformance', 'cyclonedx', 'specification', 'test-resources', '1.6', name);

function componentsOf(file: string): { purl: string; licenses?: string[] }[] {
  const inv = readCycloneDx(readFileSync(file, 'utf8'), file);
  return [...inv.graph.components.values()].map((c) => ({ purl: c.purl, ...(c.licenses ? { licenses: c.licenses } : {}) }));
}

/** Every licence string an SBOM example carries: CycloneDX `expression`, `license.id`/`name`; SPDX `license*`. */
function licenceStrings(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) licenceStrings(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && (k === 'expression' || /^license(Concluded|Declared|InfoFromFiles)?$/.test(k))) out.push(x);
      else if ((k === 'license' || k === 'licenses') && x && typeof x === 'object') {
        for (const l of Array.isArray(x) ? x : [x]) {
          const lic = (l as { license?: { id?: unknown; name?: unknown } }).license ?? (l as { id?: unknown; name?: unknown });
          for (const s of [lic?.id, lic?.name]) if (typeof s === 'string') out.push(s);
        }
        licenceStrings(x, out);
      } else licenceStrings(x, out);
    }
  }
  return out;
}

describe.skipIf(!HAS_SHARED)('policy on the CycloneDX 1.6 licence examples', () => {
  const policy = parsePolicy('version: 1\nlicenses:\n  allow: [Apache-2.0, EPL-2.0]\n  unknown: warn\n', 'vouch.policy.yaml');

  it('an OR expression passes when one side is allowed (EPL-2.0 OR GPL-2.0 WITH Classpath-exception-2.0)', () => {
    const r = evaluatePolicy(policy, { failOn: 'none', findings: [] }, componentsOf(CDX16('valid-license-expression-1.6.json')));
    expect(r.violations).toEqual([]);
  });

  it('the same expression fails an allow list holding neither side', () => {
    const apacheOnly = parsePolicy('version: 1\nlicenses:\n  allow: [Apache-2.0]\n', 'vouch.policy.yaml');
    const r = evaluatePolicy(apacheOnly, { failOn: 'none', findings: [] }, componentsOf(CDX16('valid-license-expression-1.6.json')));
    expect(r.failed).toBe(true);
    expect(r.violations.map((v) => v.message)).toEqual([
      'pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar: licence EPL-2.0 OR GPL-2.0 WITH Classpath-exception-2.0 is not allowed (EPL-2.0, GPL-2.0 WITH Classpath-exception-2.0 not in the allow list)',
    ]);
  });

  it('a licence id passes; a licence name ("Apache License 2.0") is unknown, a warning', () => {
    expect(evaluatePolicy(policy, { failOn: 'none', findings: [] }, componentsOf(CDX16('valid-license-id-1.6.json'))).violations).toEqual([]);
    const r = evaluatePolicy(policy, { failOn: 'none', findings: [] }, componentsOf(CDX16('valid-license-name-1.6.json')));
    expect(r.failed).toBe(false);
    expect(r.violations.map((v) => [v.level, v.message])).toEqual([
      ['warn', 'pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar: unknown licence: "Apache License 2.0" is not an SPDX licence expression'],
    ]);
  });

  it('every licence string in the CycloneDX and SPDX examples (valid and invalid files) gets a verdict, never an exception', () => {
    const files: string[] = [];
    for (const v of ['1.4', '1.5', '1.6']) {
      const dir = shared('conformance', 'cyclonedx', 'specification', 'test-resources', v);
      files.push(...readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)));
    }
    for (const d of ['spdx-spec-v2.2.2', 'spdx-spec-v2.3']) {
      const dir = shared('conformance', 'spdx', d);
      files.push(...readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)));
    }
    const strings = new Set<string>();
    for (const f of files) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(f, 'utf8'));
      } catch {
        continue; // some invalid-* examples are not JSON at all
      }
      for (const s of licenceStrings(json)) strings.add(s);
    }
    expect(strings.size).toBeGreaterThan(10);
    const kinds = new Set<string>();
    for (const s of strings) {
      const v = judgeLicences([s], { allow: ['MIT', 'Apache-2.0'], deny: ['GPL-3.0-only'] });
      kinds.add(v.kind);
    }
    // the examples hold allowed ids, other SPDX ids and non-SPDX names
    expect([...kinds].sort()).toEqual(['allowed', 'denied', 'unknown']);
  });
});
