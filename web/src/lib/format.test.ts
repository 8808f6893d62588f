import { describe, expect, it } from 'vitest';
import type { Finding } from '../api/types';
import { byPriority, eventsPerDay, latestEvents, daysSince, filterFindings, fixText, formatAge, formatEpss, matchesProject, pathLabel, purlParts, safeHref, severityRows, severityWeight } from './format';

const f = (over: Partial<Finding> & { id: string }): Finding => ({ purl: 'pkg:npm/lodash@4.17.15', name: 'lodash', version: '4.17.15', ...over });

describe('safeHref', () => {
  it('lets only absolute http(s) URLs become links', () => {
    expect(safeHref('https://nvd.nist.gov/vuln/detail/CVE-2021-44228')).toBe('https://nvd.nist.gov/vuln/detail/CVE-2021-44228');
    expect(safeHref('http://example.com')).toBe('http://example.com/');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref(' JavaScript:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,<script>alert(1)</script>')).toBeUndefined();
    expect(safeHref('vbscript:msgbox')).toBeUndefined();
    expect(safeHref('/relative/path')).toBeUndefined();
    expect(safeHref('//evil.example/x')).toBeUndefined();
    expect(safeHref('')).toBeUndefined();
    expect(safeHref(undefined)).toBeUndefined();
  });
});

describe('formatting', () => {
  it('shows EPSS as a percentage', () => {
    expect(formatEpss(0.97123)).toBe('97.1%');
    expect(formatEpss(0.1)).toBe('10.0%');
    expect(formatEpss(0.00042)).toBe('0.04%');
    expect(formatEpss(0)).toBe('0%');
    expect(formatEpss(undefined)).toBe('');
  });

  it('says how long ago, in the largest whole unit', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    expect(formatAge('2026-12-07T11:59:30Z', now)).toBe('just now');
    expect(formatAge('2026-12-07T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatAge('2026-12-07T11:00:00Z', now)).toBe('1 hour ago');
    expect(formatAge('2026-12-04T12:00:00Z', now)).toBe('3 days ago');
    expect(formatAge('2026-10-01T12:00:00Z', now)).toBe('2 months ago');
    expect(formatAge('2021-12-10T00:00:00Z', now)).toBe('4 years ago');
    expect(formatAge('2027-01-01T00:00:00Z', now)).toBe('just now');
    expect(formatAge('not a date', now)).toBe('not a date');
    expect(daysSince('2026-11-07T12:00:00Z', now)).toBe(30);
    expect(daysSince('garbage', now)).toBeUndefined();
  });

  it('splits a purl for display, decoding its parts', () => {
    expect(purlParts('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')).toEqual({ type: 'maven', name: 'org.apache.logging.log4j/log4j-core', version: '2.14.1' });
    expect(purlParts('pkg:npm/%40babel/core@7.0.0?foo=bar')).toEqual({ type: 'npm', name: '@babel/core', version: '7.0.0' });
    expect(purlParts('pkg:pypi/requests')).toEqual({ type: 'pypi', name: 'requests' });
    expect(purlParts('not-a-purl')).toEqual({ type: '', name: 'not-a-purl' });
  });

  it('labels a dependency path: the root as it is, then name@version', () => {
    expect(pathLabel(['shop', 'pkg:npm/express@4.17.1', 'pkg:npm/qs@6.7.0'])).toEqual(['shop', 'express@4.17.1', 'qs@6.7.0']);
  });

  it('names the fix: the interval-closing versions first, else every fixed version, else none', () => {
    expect(fixText(f({ id: 'A', fixed: ['4.17.19'], fixedVersions: ['4.17.19', '5.0.0'] }))).toBe('4.17.19');
    expect(fixText(f({ id: 'A', fixedVersions: ['2.15.0', '2.12.2'] }))).toBe('2.15.0, 2.12.2');
    expect(fixText(f({ id: 'A' }))).toBe('no fix');
  });

  it('lists every severity in order, missing ones as 0', () => {
    expect(severityRows({ HIGH: 2, CRITICAL: 1 })).toEqual([
      { severity: 'CRITICAL', count: 1 },
      { severity: 'HIGH', count: 2 },
      { severity: 'MEDIUM', count: 0 },
      { severity: 'LOW', count: 0 },
      { severity: 'NONE', count: 0 },
      { severity: 'UNKNOWN', count: 0 },
    ]);
    expect(severityWeight('critical')).toBeGreaterThan(severityWeight('HIGH'));
    expect(severityWeight('HIGH')).toBeGreaterThan(severityWeight('LOW'));
    expect(severityWeight('bogus')).toBe(0);
  });
});

describe('findings', () => {
  const log4shell = f({ id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'], name: 'org.apache.logging.log4j:log4j-core', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', version: '2.14.1', severity: { rating: 'CRITICAL', score: 10 }, kev: { cve: 'CVE-2021-44228' }, priority: { rank: 1, reason: 'KEV' } });
  const medium = f({ id: 'GHSA-p6mc-m468-83gw', summary: 'Prototype Pollution in lodash', severity: { rating: 'MEDIUM' }, priority: { rank: 2, reason: '' } });
  const suppressed = f({ id: 'GHSA-29mw-wpgm-hmr9', severity: { rating: 'HIGH' }, suppressed: { by: 'vex', status: 'not_affected' }, priority: { rank: 3, reason: '' } });
  const unranked = f({ id: 'OSV-0', severity: { rating: 'LOW' } });
  const all = [unranked, suppressed, medium, log4shell];

  it('orders by the report rank, unranked last', () => {
    expect([...all].sort(byPriority).map((x) => x.id)).toEqual(['GHSA-jfh8-c2jp-5v3q', 'GHSA-p6mc-m468-83gw', 'GHSA-29mw-wpgm-hmr9', 'OSV-0']);
  });

  it('filters by text (id, alias, package, summary; every word), severity floor, KEV, suppressed', () => {
    const ids = (xs: Finding[]): string[] => xs.map((x) => x.id);
    expect(ids(filterFindings(all, {}))).toEqual(['OSV-0', 'GHSA-p6mc-m468-83gw', 'GHSA-jfh8-c2jp-5v3q']);
    expect(ids(filterFindings(all, { showSuppressed: true }))).toHaveLength(4);
    expect(ids(filterFindings(all, { text: 'cve-2021-44228' }))).toEqual(['GHSA-jfh8-c2jp-5v3q']);
    expect(ids(filterFindings(all, { text: 'prototype LODASH' }))).toEqual(['GHSA-p6mc-m468-83gw']);
    expect(ids(filterFindings(all, { text: 'prototype log4j' }))).toEqual([]);
    expect(ids(filterFindings(all, { minSeverity: 'MEDIUM' }))).toEqual(['GHSA-p6mc-m468-83gw', 'GHSA-jfh8-c2jp-5v3q']);
    expect(ids(filterFindings(all, { minSeverity: 'HIGH', showSuppressed: true }))).toEqual(['GHSA-29mw-wpgm-hmr9', 'GHSA-jfh8-c2jp-5v3q']);
    expect(ids(filterFindings(all, { kevOnly: true }))).toEqual(['GHSA-jfh8-c2jp-5v3q']);
  });
});

describe('projects filter', () => {
  it('matches every word against name, tags and owners', () => {
    const p = { name: 'billing-api', tags: ['payments', 'pci'], owners: ['team-money'] };
    expect(matchesProject(p, '')).toBe(true);
    expect(matchesProject(p, 'BILLING')).toBe(true);
    expect(matchesProject(p, 'pci money')).toBe(true);
    expect(matchesProject(p, 'pci shop')).toBe(false);
  });
});

describe('events', () => {
  it('shows the latest first, at most n', () => {
    expect(latestEvents([{ id: 1 }, { id: 7 }, { id: 3 }], 2)).toEqual([{ id: 7 }, { id: 3 }]);
    expect(latestEvents([], 5)).toEqual([]);
  });
});

describe('events per day', () => {
  it('counts new and resolved per UTC day, every day in between as 0', () => {
    const d = (iso: string): number => Date.parse(iso) / 1000;
    expect(
      eventsPerDay([
        { type: 'finding.new', at: '2026-12-01T23:59:59Z' },
        { type: 'finding.new', at: '2026-12-01T00:00:00Z' },
        { type: 'finding.resolved', at: '2026-12-01T10:00:00Z' },
        { type: 'finding.new', at: '2026-12-04T08:00:00Z' },
        { type: 'other', at: '2026-12-04T08:00:00Z' },
        { type: 'finding.new', at: 'not a time' },
      ]),
    ).toEqual({
      days: [d('2026-12-01T00:00:00Z'), d('2026-12-02T00:00:00Z'), d('2026-12-03T00:00:00Z'), d('2026-12-04T00:00:00Z')],
      added: [2, 0, 0, 1],
      resolved: [1, 0, 0, 0],
    });
    expect(eventsPerDay([])).toEqual({ days: [], added: [], resolved: [] });
  });
});
