import { describe, expect, it } from 'vitest';
import { explainVex, matchingStatements, vexFor } from './match.js';
import type { VexStatement } from './types.js';

const st = (over: Partial<VexStatement> & Pick<VexStatement, 'status'>, source = 'v.json ($.statements[0])'): VexStatement => ({
  vulnerability: { id: 'CVE-2021-44228', aliases: [] },
  products: ['pkg:maven/org.apache.logging.log4j/log4j-core'],
  subcomponents: [],
  source,
  ...over,
});

const log4j = {
  purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
  id: 'GHSA-jfh8-c2jp-5v3q',
  aliases: ['CVE-2021-44228'],
};

describe('vexFor', () => {
  it('suppresses on not_affected, false_positive and fixed; not on affected or under_investigation', () => {
    expect(vexFor([st({ status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impactStatement: 'no JNDI' })], log4j)).toEqual({
      by: 'vex',
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impactStatement: 'no JNDI',
      source: 'v.json ($.statements[0])',
    });
    expect(vexFor([st({ status: 'false_positive' })], log4j)).toEqual({ by: 'vex', status: 'false_positive', source: 'v.json ($.statements[0])' });
    expect(vexFor([st({ status: 'fixed' })], log4j)?.status).toBe('fixed');
    expect(vexFor([st({ status: 'affected', actionStatement: 'upgrade' })], log4j)).toBeUndefined();
    expect(vexFor([st({ status: 'under_investigation' })], log4j)).toBeUndefined();
    expect(vexFor([], log4j)).toBeUndefined();
  });

  it.each([
    ['the finding id', { id: 'GHSA-jfh8-c2jp-5v3q', aliases: [] }, true],
    ['an alias of the finding', { id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'] }, true],
    ['a merged id (ids)', { id: 'GHSA-jfh8-c2jp-5v3q', ids: ['GHSA-jfh8-c2jp-5v3q', 'CVE-2021-44228'], aliases: [] }, true],
    ['lower-case CVE', { id: 'cve-2021-44228', aliases: [] }, true],
    ['another vulnerability', { id: 'CVE-2021-45046', aliases: ['GHSA-7rjr-3q55-vv33'] }, false],
  ])('matches the vulnerability by %s', (_l, ids, expected) => {
    const s = st({ status: 'not_affected', justification: 'component_not_present', vulnerability: { id: 'CVE-2021-44228', aliases: ['GHSA-JFH8-C2JP-5V3Q'] } });
    expect(vexFor([s], { purl: log4j.purl, ...ids }) !== undefined).toBe(expected);
  });

  it('matches a statement without aliases through the finding aliases and merged ids', () => {
    const onlyId = st({ status: 'not_affected', justification: 'component_not_present' });
    expect(vexFor([onlyId], log4j)).toBeDefined();
    expect(vexFor([onlyId], { purl: log4j.purl, id: 'GHSA-jfh8-c2jp-5v3q', ids: ['GHSA-jfh8-c2jp-5v3q', 'CVE-2021-44228'], aliases: [] })).toBeDefined();
    expect(vexFor([onlyId], { purl: log4j.purl, id: 'GHSA-jfh8-c2jp-5v3q', aliases: [] })).toBeUndefined();
  });

  it('does not match an OSV id that only differs in case when it is not a CVE or GHSA id', () => {
    const s = st({ status: 'fixed', vulnerability: { id: 'PYSEC-2021-1', aliases: [] } });
    expect(vexFor([s], { purl: log4j.purl, id: 'pysec-2021-1', aliases: [] })).toBeUndefined();
    expect(vexFor([s], { purl: log4j.purl, id: 'PYSEC-2021-1', aliases: [] })).toBeDefined();
  });

  it('matches through subcomponents, not only products', () => {
    const s = st({ status: 'not_affected', justification: 'vulnerable_code_not_present', products: ['pkg:oci/app@sha256%3Aabc'], subcomponents: ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'] });
    expect(vexFor([s], log4j)?.status).toBe('not_affected');
    expect(vexFor([s], { ...log4j, purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0' })).toBeUndefined();
  });

  it('the latest statement wins: a later affected takes back a not_affected, whatever the document order', () => {
    const older = st({ status: 'not_affected', justification: 'component_not_present', timestamp: '2024-01-01T00:00:00Z' }, 'a.json ($.statements[0])');
    const newer = st({ status: 'affected', actionStatement: 'upgrade', timestamp: '2024-02-01T00:00:00Z' }, 'a.json ($.statements[1])');
    expect(vexFor([older, newer], log4j)).toBeUndefined();
    expect(vexFor([newer, older], log4j)).toBeUndefined();
    const newest = st({ status: 'fixed', timestamp: '2024-03-01T00:00:00+05:00' }, 'b.json ($.statements[0])');
    // 2024-03-01T00:00+05:00 is 2024-02-29T19:00Z: still after February 1st
    expect(vexFor([newest, newer, older], log4j)).toMatchObject({ status: 'fixed', source: 'b.json ($.statements[0])' });
  });

  it('compares timestamps across offsets and below the millisecond; document order breaks ties; no timestamp counts as oldest', () => {
    const a = st({ status: 'affected', actionStatement: 'x', timestamp: '2023-07-17T18:28:47.696004345-06:00' }, 'a');
    const b = st({ status: 'fixed', timestamp: '2023-07-18T00:28:47.696004346Z' }, 'b'); // 1 ns later
    expect(vexFor([b, a], log4j)?.source).toBe('b');
    const c = st({ status: 'fixed', timestamp: '2023-07-18T00:28:47.696004345Z' }, 'c'); // same instant as a
    expect(vexFor([c, a], log4j)).toBeUndefined(); // a comes later in document order
    expect(vexFor([a, c], log4j)?.source).toBe('c');
    const undated = st({ status: 'not_affected', justification: 'component_not_present' }, 'undated');
    expect(vexFor([a, undated], log4j)).toBeUndefined();
    expect(vexFor([undated, st({ status: 'fixed' }, 'undated-2')], log4j)?.source).toBe('undated-2');
  });

  it('sees statements added to a list it has already indexed', () => {
    const list: VexStatement[] = [st({ status: 'affected', actionStatement: 'x', timestamp: '2024-01-01T00:00:00Z' })];
    expect(vexFor(list, log4j)).toBeUndefined();
    list.push(st({ status: 'fixed', timestamp: '2024-02-01T00:00:00Z' }, 'later'));
    expect(vexFor(list, log4j)?.source).toBe('later');
  });

  it('matchingStatements lists what applies, oldest first; explainVex says which one decides', () => {
    const s1 = st({ status: 'under_investigation', timestamp: '2024-01-01T00:00:00Z' }, 'v.json ($.statements[0])');
    const s2 = st({ status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', timestamp: '2024-02-01T00:00:00Z' }, 'v.json ($.statements[1])');
    const other = st({ status: 'fixed', products: ['pkg:npm/lodash'] }, 'v.json ($.statements[2])');
    const m = matchingStatements([s2, other, s1], log4j);
    expect(m.map((x) => x.statement.source)).toEqual(['v.json ($.statements[0])', 'v.json ($.statements[1])']);
    expect(m[1]).toMatchObject({ vulnerability: 'CVE-2021-44228', product: 'pkg:maven/org.apache.logging.log4j/log4j-core' });
    expect(explainVex([s2, other, s1], log4j)).toEqual([
      'v.json ($.statements[0]): under_investigation for CVE-2021-44228 on pkg:maven/org.apache.logging.log4j/log4j-core at 2024-01-01T00:00:00Z [superseded]',
      'v.json ($.statements[1]): not_affected (vulnerable_code_not_in_execute_path) for CVE-2021-44228 on pkg:maven/org.apache.logging.log4j/log4j-core at 2024-02-01T00:00:00Z [decides]',
    ]);
  });
});
