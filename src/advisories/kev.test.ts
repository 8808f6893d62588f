import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { parseKevCatalog } from './kev.js';

describe.skipIf(!HAS_SHARED)('the real CISA KEV catalog (../shared/kev)', () => {
  const file = shared('kev', 'known_exploited_vulnerabilities.json');
  // read in beforeAll, not while collecting: a skipped suite's body still runs, and the file is absent then
  let cat: ReturnType<typeof parseKevCatalog>;
  beforeAll(() => {
    cat = parseKevCatalog(readFileSync(file, 'utf8'), file);
  });

  it('reads every entry and the catalog version', () => {
    // the file's header: "catalogVersion": "2025.08.25", "count": 1404
    expect(cat.catalogVersion).toBe('2025.08.25');
    expect(cat.dateReleased).toBe('2025-08-25T17:04:19.9796Z');
    expect(cat.entries).toHaveLength(1404);
    expect(cat.skipped).toBe(0);
  });

  it('maps Log4Shell as the catalog writes it', () => {
    const e = cat.entries.find((x) => x.cve === 'CVE-2021-44228');
    expect(e).toEqual({
      cve: 'CVE-2021-44228',
      dateAdded: '2021-12-10',
      dueDate: '2021-12-24',
      knownRansomwareUse: true,
      vulnerabilityName: 'Apache Log4j2 Remote Code Execution Vulnerability',
      requiredAction: expect.stringMatching(/^For all affected software assets for which updates exist/) as unknown as string,
    });
  });

  it('"Unknown" ransomware use is false', () => {
    // CVE-2025-48384 (Git), first entry of the file: "knownRansomwareCampaignUse": "Unknown"
    const e = cat.entries.find((x) => x.cve === 'CVE-2025-48384');
    expect(e?.knownRansomwareUse).toBe(false);
    expect(e?.dateAdded).toBe('2025-08-25');
  });
});

describe('parseKevCatalog on bad input', () => {
  it('names the file for JSON that does not parse', () => {
    expect(() => parseKevCatalog('{"vulnerabilities": [', 'kev.json')).toThrow(VouchError);
    try {
      parseKevCatalog('{', 'kev.json');
    } catch (e) {
      expect((e as VouchError).oneLine()).toMatch(/^kev\.json: KEV catalog is not valid JSON/);
    }
  });

  it('refuses a document with no vulnerabilities array, naming the JSON path', () => {
    try {
      parseKevCatalog('{"title":"x"}', 'k.json');
      expect.unreachable();
    } catch (e) {
      expect((e as VouchError).oneLine()).toBe('k.json ($.vulnerabilities): not a CISA KEV catalog: no "vulnerabilities" array');
    }
  });

  it('skips and counts bad entries, keeps good ones, keeps the first of a duplicate', () => {
    const cat = parseKevCatalog(
      JSON.stringify({
        vulnerabilities: [
          { cveID: 'CVE-2020-0001', dateAdded: '2021-01-02', knownRansomwareCampaignUse: 'Unknown' },
          { cveID: 'not-a-cve', dateAdded: '2021-01-02' },
          { cveID: 'CVE-2020-0002' },
          'x',
          { cveID: 'CVE-2020-0001', dateAdded: '2022-01-02' },
        ],
      }),
      'k.json',
    );
    expect(cat.entries.map((e) => [e.cve, e.dateAdded, e.knownRansomwareUse])).toEqual([['CVE-2020-0001', '2021-01-02', false]]);
    expect(cat.skipped).toBe(4);
    expect(cat.warnings[0]).toMatch(/^\$\.vulnerabilities\[1\]: no valid "cveID"/);
    expect(cat.warnings[1]).toBe('$.vulnerabilities[2]: CVE-2020-0002 has no "dateAdded" date');
  });
});
