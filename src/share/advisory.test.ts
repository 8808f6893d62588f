import { describe, expect, it } from 'vitest';
import { openZip } from '../io/zip.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { buildAdvisory, parseEvents, validateOsv } from './advisory.js';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const base = { id: 'x_ACME-2026-0001', summary: 'Deserialization in acme-parser', affected: [{ purl: 'pkg:npm/acme-parser', events: parseEvents('introduced=0,fixed=2.4.1') }] };

describe('vouch advisory new: the record', () => {
  it('is an OSV record vouch can match: ecosystem and name from the purl, an ECOSYSTEM range, the schema version', () => {
    expect(buildAdvisory({ ...base, severity: ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'], references: ['ADVISORY:https://acme.example/sec/1', 'https://acme.example/issue/2'], cwes: ['CWE-502'] }, NOW)).toEqual({
      schema_version: '1.6.0',
      id: 'x_ACME-2026-0001',
      modified: '2026-12-01T10:00:00Z',
      published: '2026-12-01T10:00:00Z',
      summary: 'Deserialization in acme-parser',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [{ package: { ecosystem: 'npm', name: 'acme-parser', purl: 'pkg:npm/acme-parser' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.4.1' }] }] }],
      references: [
        { type: 'ADVISORY', url: 'https://acme.example/sec/1' },
        { type: 'WEB', url: 'https://acme.example/issue/2' },
      ],
      database_specific: { cwe_ids: ['CWE-502'] },
    });
  });

  it('names Maven packages group:artifact and scoped npm packages @scope/name', () => {
    const r = buildAdvisory({ ...base, affected: [{ purl: 'pkg:maven/org.acme/parser', events: parseEvents('introduced=2.0,last_affected=2.3.9') }, { purl: 'pkg:npm/%40acme/parser', events: parseEvents('introduced=0,fixed=1.0.1') }] }, NOW);
    expect(r.affected!.map((a) => [a.package!.ecosystem, a.package!.name])).toEqual([
      ['Maven', 'org.acme:parser'],
      ['npm', '@acme/parser'],
    ]);
  });

  it.each([
    [{ ...base, summary: ' ' }, 'an advisory needs a summary'],
    [{ ...base, affected: [] }, 'at least one affected package'],
    [{ ...base, affected: [{ purl: 'pkg:npm/acme-parser@2.4.0', events: parseEvents('introduced=0') }] }, 'without @version'],
    [{ ...base, affected: [{ purl: 'pkg:unknown/x', events: parseEvents('introduced=0') }] }, 'no OSV ecosystem for purl type "unknown"'],
    [{ ...base, affected: [{ purl: 'pkg:npm/acme-parser', events: parseEvents('introduced=0,fixed=release-two') }] }, '"release-two" is not a npm version'],
    [{ ...base, severity: ['HIGH'] }, 'a CVSS vector'],
    [{ ...base, references: ['ftp://acme.example/x'] }, 'an http(s) URL'],
    [{ ...base, id: 'ACME-1' }, 'not valid OSV: $.id'],
  ])('refuses %#: %s', (input, message) => {
    expect(() => buildAdvisory(input, NOW)).toThrow(message);
  });

  it('reads ranges as OSV events, in order', () => {
    expect(parseEvents('introduced=0, fixed=1.2.3')).toEqual([{ introduced: '0' }, { fixed: '1.2.3' }]);
    expect(() => parseEvents('fixed=1.2.3')).toThrow('must start with introduced=V');
    expect(() => parseEvents('introduced=0,patched=1')).toThrow('introduced=V, fixed=V, last_affected=V or limit=V (got "patched=1")');
  });
});

describe.skipIf(!HAS_SHARED)('the vendored OSV schema on real records', () => {
  it('accepts the Go and GHSA records of ../shared/osv and says why a bad one fails', async () => {
    let checked = 0;
    for (const eco of ['Go', 'Maven']) {
      for await (const item of (await openZip(shared('osv', eco, 'all.zip'), eco)).entries()) {
        if (item.kind !== 'file') continue;
        expect(validateOsv(JSON.parse(item.data.toString('utf8'))), item.name).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(4000);
    expect(validateOsv({ id: 'GO-2024-0001' })).toEqual(["$: must have required property 'modified'"]);
  });
});
