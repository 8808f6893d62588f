import { describe, expect, it } from 'vitest';
import { comparePriority, epssBand, formatEpss, priorityReason, type Prioritised } from './priority.js';

describe('formatEpss rounds down, never overstating', () => {
  it.each([
    [1, '100%'],
    [0.99999, '99.9%'],
    [0.97906, '97.9%'],
    [0.29, '29.0%'],
    [0.01, '1.0%'],
    [0.00999, '0.99%'],
    [0.00043, '0.04%'],
    [0, '0.00%'],
  ] as const)('%s → %s', (score, want) => {
    expect(formatEpss(score)).toBe(want);
  });
});

const base: Prioritised = { id: 'GHSA-x', name: 'p', version: '1.0.0', ecosystem: 'npm', scope: 'prod', direct: true, severity: { rating: 'HIGH', score: 7.5 } };

describe('priorityReason', () => {
  it('names each deciding fact in order', () => {
    expect(
      priorityReason({
        ...base,
        scope: 'dev',
        direct: false,
        severity: { rating: 'HIGH', source: 'database_specific' },
        kev: { cve: 'CVE-1', dateAdded: '2024-01-02', knownRansomwareUse: true },
        epss: { cve: 'CVE-1', score: 0.15, percentile: 0.9 },
        suppressed: { by: 'ignore', status: 'ignored', source: 'vouch.yaml' },
      }),
    ).toBe('suppressed (ignore ignored); known exploited (KEV since 2024-01-02, ransomware); EPSS 15.0% (elevated); HIGH (published rating, no CVSS); dev, transitive');
  });
});

describe('comparePriority', () => {
  it('EPSS decides within a band only after severity, scope and directness', () => {
    const a = { ...base, epss: { cve: 'CVE-1', score: 0.9, percentile: 1 } };
    const b = { ...base, epss: { cve: 'CVE-2', score: 0.55, percentile: 1 }, severity: { rating: 'CRITICAL' as const, score: 9.1 } };
    expect(comparePriority(b, a)).toBeLessThan(0); // same band (high): CRITICAL first
    const c = { ...base, epss: { cve: 'CVE-3', score: 0.6, percentile: 1 } };
    expect(comparePriority(a, c)).toBeLessThan(0); // all else equal: the higher EPSS
  });

  it('an unscored published rating follows a scored one of the same rating', () => {
    expect(comparePriority({ ...base, severity: { rating: 'HIGH', score: 7.0 } }, { ...base, severity: { rating: 'HIGH', source: 'database_specific' } })).toBeLessThan(0);
  });
});

describe('epssBand', () => {
  it.each([
    [0.97, 'high'],
    [0.5, 'high'],
    [0.4999, 'elevated'],
    [0.1, 'elevated'],
    [0.0999, 'low'],
    [undefined, 'low'],
  ] as const)('%s → %s', (score, band) => {
    expect(epssBand(score)).toBe(band);
  });
});
