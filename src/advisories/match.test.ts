import { describe, expect, it } from 'vitest';
import type { Advisory, OsvAffected } from '../model/advisory.js';
import type { Component } from '../model/component.js';
import { ecosystemByOsvName, purlOf } from '../ecosystems/index.js';
import { ecosystemCovers, matchComponent, newStats } from './match.js';

function comp(ecosystem: string, name: string, version: string): Component {
  const eco = ecosystemByOsvName(ecosystem)!;
  return { purl: purlOf(eco, name, version), ecosystem, name, version, scope: 'prod', direct: true, locations: [] };
}

function adv(id: string, affected: OsvAffected[], extra: Partial<Advisory> = {}): Advisory {
  return { id, modified: '2024-01-01T00:00:00Z', affected, ...extra };
}

function matches(c: Component, advisories: Advisory[]): string[] {
  const eco = ecosystemByOsvName(c.ecosystem!)!;
  return matchComponent(c, eco, advisories).map((m) => m.advisory.id);
}

const eco = (type: string, events: object[]) => ({ type, events }) as never;

describe('OSV range evaluation', () => {
  // Two disjoint ranges: [1.0.0, 1.2.3) and [2.0.0, 2.1.1). The classic false positive is to
  // report 1.5.0 (between them).
  const disjoint = adv('DISJOINT', [
    {
      package: { ecosystem: 'npm', name: 'pkg' },
      ranges: [eco('SEMVER', [{ introduced: '1.0.0' }, { fixed: '1.2.3' }, { introduced: '2.0.0' }, { fixed: '2.1.1' }])],
    },
  ]);
  it.each`
    version    | affected
    ${'0.9.0'} | ${false}
    ${'1.0.0'} | ${true}
    ${'1.2.2'} | ${true}
    ${'1.2.3'} | ${false}
    ${'1.5.0'} | ${false}
    ${'2.0.0'} | ${true}
    ${'2.1.0'} | ${true}
    ${'2.1.1'} | ${false}
    ${'3.0.0'} | ${false}
  `('disjoint intervals in one range: $version → $affected', ({ version, affected }) => {
    expect(matches(comp('npm', 'pkg', version), [disjoint])).toEqual(affected ? ['DISJOINT'] : []);
  });

  it('evaluates events in any order', () => {
    const shuffled = adv('SHUFFLED', [
      {
        package: { ecosystem: 'npm', name: 'pkg' },
        ranges: [eco('ECOSYSTEM', [{ fixed: '2.1.1' }, { introduced: '2.0.0' }, { fixed: '1.2.3' }, { introduced: '1.0.0' }])],
      },
    ]);
    expect(matches(comp('npm', 'pkg', '1.5.0'), [shuffled])).toEqual([]);
    expect(matches(comp('npm', 'pkg', '1.1.0'), [shuffled])).toEqual(['SHUFFLED']);
    expect(matches(comp('npm', 'pkg', '2.0.5'), [shuffled])).toEqual(['SHUFFLED']);
  });

  // Real chained ranges whose events tie at a version (read off the records in shared/osv/PyPI):
  //   PYSEC-2023-72 pyspark: introduced 0, fixed 3.1.1, introduced 3.2.0, fixed 3.2.2, introduced 3.1.1, fixed 3.2.0
  //     = [0, 3.1.1) ∪ [3.1.1, 3.2.0) ∪ [3.2.0, 3.2.2) = everything below 3.2.2
  //   PYSEC-2022-42972 apache-iotdb: introduced 0.13.0, fixed 0.14.0rc1, introduced 0.12.2, fixed 0.13.0
  //     = [0.12.2, 0.14.0rc1)
  const pyspark = adv('PYSEC-2023-72', [
    {
      package: { ecosystem: 'PyPI', name: 'pyspark' },
      ranges: [eco('ECOSYSTEM', [{ introduced: '0' }, { fixed: '3.1.1' }, { introduced: '3.2.0' }, { fixed: '3.2.2' }, { introduced: '3.1.1' }, { fixed: '3.2.0' }])],
    },
  ]);
  const iotdb = adv('PYSEC-2022-42972', [
    {
      package: { ecosystem: 'PyPI', name: 'apache-iotdb' },
      ranges: [eco('ECOSYSTEM', [{ introduced: '0.13.0' }, { fixed: '0.14.0rc1' }, { introduced: '0.12.2' }, { fixed: '0.13.0' }])],
    },
  ]);
  it.each`
    advisory   | name              | version        | affected
    ${pyspark} | ${'pyspark'}      | ${'3.0.0'}     | ${true}
    ${pyspark} | ${'pyspark'}      | ${'3.1.1'}     | ${true}
    ${pyspark} | ${'pyspark'}      | ${'3.1.3rc1'}  | ${true}
    ${pyspark} | ${'pyspark'}      | ${'3.2.0'}     | ${true}
    ${pyspark} | ${'pyspark'}      | ${'3.2.1'}     | ${true}
    ${pyspark} | ${'pyspark'}      | ${'3.2.2'}     | ${false}
    ${iotdb}   | ${'apache-iotdb'} | ${'0.12.1'}    | ${false}
    ${iotdb}   | ${'apache-iotdb'} | ${'0.12.2'}    | ${true}
    ${iotdb}   | ${'apache-iotdb'} | ${'0.13.0'}    | ${true}
    ${iotdb}   | ${'apache-iotdb'} | ${'0.14.0rc1'} | ${false}
  `('ranges chained at tied versions stay continuous: $name $version → $affected', ({ advisory, name, version, affected }) => {
    expect(matches(comp('PyPI', name, version), [advisory])).toEqual(affected ? [advisory.id] : []);
  });

  it.each`
    events                                                                      | version    | affected
    ${[{ introduced: '1.0.0' }, { fixed: '1.0.0' }]}                            | ${'1.0.0'} | ${false}
    ${[{ introduced: '1.0.0' }, { fixed: '1.0.0' }]}                            | ${'2.0.0'} | ${false}
    ${[{ introduced: '1.0.0' }, { last_affected: '1.0.0' }]}                    | ${'1.0.0'} | ${true}
    ${[{ introduced: '1.0.0' }, { last_affected: '1.0.0' }]}                    | ${'1.0.1'} | ${false}
    ${[{ introduced: '0' }, { last_affected: '1.0.0' }, { introduced: '1.0.0' }, { fixed: '2.0.0' }]} | ${'1.5.0'} | ${true}
  `('ties with nothing open: $events at $version → $affected', ({ events, version, affected }) => {
    const a = adv('TIE', [{ package: { ecosystem: 'npm', name: 'pkg' }, ranges: [eco('SEMVER', events)] }]);
    expect(matches(comp('npm', 'pkg', version), [a])).toEqual(affected ? ['TIE'] : []);
  });

  it('last_affected is inclusive, fixed exclusive, introduced 0 is the beginning', () => {
    const a = adv('LAST', [{ package: { ecosystem: 'npm', name: 'pkg' }, ranges: [eco('SEMVER', [{ introduced: '0' }, { last_affected: '1.4.0' }])] }]);
    expect(matches(comp('npm', 'pkg', '0.0.1'), [a])).toEqual(['LAST']);
    expect(matches(comp('npm', 'pkg', '1.4.0'), [a])).toEqual(['LAST']);
    expect(matches(comp('npm', 'pkg', '1.4.1'), [a])).toEqual([]);
  });

  it('an open range (no fixed) affects everything from introduced on', () => {
    const a = adv('OPEN', [{ package: { ecosystem: 'npm', name: 'pkg' }, ranges: [eco('SEMVER', [{ introduced: '3.0.0' }])] }]);
    expect(matches(comp('npm', 'pkg', '2.9.9'), [a])).toEqual([]);
    expect(matches(comp('npm', 'pkg', '99.0.0'), [a])).toEqual(['OPEN']);
  });

  it('limit bounds the range from above', () => {
    const a = adv('LIMIT', [{ package: { ecosystem: 'npm', name: 'pkg' }, ranges: [eco('SEMVER', [{ introduced: '1.0.0' }, { limit: '2.0.0' }])] }]);
    expect(matches(comp('npm', 'pkg', '1.9.0'), [a])).toEqual(['LIMIT']);
    expect(matches(comp('npm', 'pkg', '2.0.0'), [a])).toEqual([]);
  });

  it('several affected entries for one package are each evaluated', () => {
    const a = adv('MULTI', [
      { package: { ecosystem: 'npm', name: 'pkg' }, ranges: [eco('SEMVER', [{ introduced: '1.0.0' }, { fixed: '1.0.5' }])] },
      { package: { ecosystem: 'npm', name: 'pkg' }, ranges: [eco('SEMVER', [{ introduced: '2.0.0' }, { fixed: '2.0.5' }])] },
      { package: { ecosystem: 'npm', name: 'other' }, ranges: [eco('SEMVER', [{ introduced: '0' }])] },
    ]);
    expect(matches(comp('npm', 'pkg', '1.0.4'), [a])).toEqual(['MULTI']);
    expect(matches(comp('npm', 'pkg', '1.5.0'), [a])).toEqual([]);
    expect(matches(comp('npm', 'pkg', '2.0.4'), [a])).toEqual(['MULTI']);
    const m = matchComponent(comp('npm', 'pkg', '2.0.4'), ecosystemByOsvName('npm')!, [a]);
    expect(m[0]!.reasons).toEqual([{ affectedIndex: 1, kind: 'range', rangeType: 'SEMVER', introduced: '2.0.0', fixed: '2.0.5' }]);
    expect(m[0]!.fixedVersions).toEqual(['1.0.5', '2.0.5']);
  });

  it('explicit versions lists match exactly, also equal-but-differently-written PyPI versions', () => {
    const a = adv('LIST', [{ package: { ecosystem: 'PyPI', name: 'Django' }, versions: ['1.0', '1.1.2'] }]);
    expect(matches(comp('PyPI', 'django', '1.1.2'), [a])).toEqual(['LIST']);
    expect(matches(comp('PyPI', 'django', '1.0.0'), [a])).toEqual(['LIST']);
    expect(matches(comp('PyPI', 'django', '1.1.1'), [a])).toEqual([]);
  });

  it('GIT ranges never match a package version and are counted', () => {
    const a = adv('GIT', [{ package: { ecosystem: 'PyPI', name: 'pkg' }, ranges: [{ type: 'GIT', repo: 'https://example.invalid/r', events: [{ introduced: '0' }, { fixed: 'abc123' }] }] }]);
    const stats = newStats();
    expect(matchComponent(comp('PyPI', 'pkg', '1.0'), ecosystemByOsvName('PyPI')!, [a], stats)).toEqual([]);
    expect(stats.gitRangesSkipped).toBe(1);
  });

  it('malformed ranges are reported, not matched, and do not stop other ranges', () => {
    const a = adv('BAD', [
      {
        package: { ecosystem: 'npm', name: 'pkg' },
        ranges: [eco('SEMVER', [{ introduced: 'not a version' }, { fixed: '1.0.0' }]), eco('SEMVER', [{ fixed: '1.0.0' }]), eco('SEMVER', [{ introduced: '0' }, { fixed: '2.0.0' }])],
      },
    ]);
    const stats = newStats();
    expect(matchComponent(comp('npm', 'pkg', '1.5.0'), ecosystemByOsvName('npm')!, [a], stats).map((m) => m.advisory.id)).toEqual(['BAD']);
    expect(stats.malformedRanges.map((m) => m.id)).toEqual(['BAD', 'BAD']);
  });

  it('an empty fixed event (seen in GHSA-mh6f-8j2x-4483) leaves the range open', () => {
    const a = adv('EMPTYFIX', [{ package: { ecosystem: 'npm', name: 'flatmap-stream' }, ranges: [eco('ECOSYSTEM', [{ introduced: '0' }, { fixed: '' }])] }]);
    expect(matches(comp('npm', 'flatmap-stream', '0.1.1'), [a])).toEqual(['EMPTYFIX']);
  });

  it('withdrawn advisories are never reported', () => {
    const a = adv('GONE', [{ package: { ecosystem: 'npm', name: 'pkg' }, ranges: [eco('SEMVER', [{ introduced: '0' }])] }], { withdrawn: '2024-02-01T00:00:00Z' });
    expect(matches(comp('npm', 'pkg', '1.0.0'), [a])).toEqual([]);
  });
});

describe('names and ecosystems', () => {
  it('compares PyPI names after PEP 503 normalisation', () => {
    const a = adv('PEP503', [{ package: { ecosystem: 'PyPI', name: 'Zope.Interface' }, ranges: [eco('ECOSYSTEM', [{ introduced: '0' }, { fixed: '5.0' }])] }]);
    expect(matches(comp('PyPI', 'zope-interface', '4.1'), [a])).toEqual(['PEP503']);
    expect(matches(comp('PyPI', 'zope_interface', '4.1'), [a])).toEqual(['PEP503']);
  });

  it('Maven names are group:artifact; a different group does not match', () => {
    const a = adv('MVN', [
      { package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' }, ranges: [eco('ECOSYSTEM', [{ introduced: '2.0-beta9' }, { fixed: '2.15.0' }])] },
    ]);
    expect(matches(comp('Maven', 'org.apache.logging.log4j:log4j-core', '2.14.1'), [a])).toEqual(['MVN']);
    expect(matches(comp('Maven', 'org.apache.logging.log4j:log4j-api', '2.14.1'), [a])).toEqual([]);
    expect(matches(comp('Maven', 'org.apache.logging.log4j:log4j-core', '2.15.0'), [a])).toEqual([]);
  });

  it('npm names are case-sensitive (jQuery is a different legacy package from jquery)', () => {
    const a = adv('CASE', [{ package: { ecosystem: 'npm', name: 'jQuery' }, ranges: [eco('SEMVER', [{ introduced: '0' }])] }]);
    expect(matches(comp('npm', 'jquery', '1.0.0'), [a])).toEqual([]);
    expect(matches(comp('npm', 'jQuery', '1.0.0'), [a])).toEqual(['CASE']);
  });

  it('ecosystem suffixes: Debian:11 never covers Debian:12; a bare base covers its suffixes', () => {
    expect(ecosystemCovers('Debian:11', 'Debian:12')).toBe(false);
    expect(ecosystemCovers('Debian', 'Debian:12')).toBe(true);
    expect(ecosystemCovers('Packagist:https://packages.drupal.org/8', 'Packagist')).toBe(true);
    expect(ecosystemCovers('npm', 'PyPI')).toBe(false);
  });

  it('an entry for another ecosystem with the same name does not match', () => {
    const a = adv('OTHER', [{ package: { ecosystem: 'PyPI', name: 'requests' }, ranges: [eco('ECOSYSTEM', [{ introduced: '0' }])] }]);
    expect(matches(comp('npm', 'requests', '1.0.0'), [a])).toEqual([]);
  });
});
