import { describe, expect, it } from 'vitest';
import { atLeast, ratingOfScore, severityOf } from './severity.js';

const base = { id: 'X', modified: '2024-01-01T00:00:00Z' };

describe('severity as published', () => {
  it('scores a CVSS v3.1 vector (Log4Shell: 10.0, critical)', () => {
    const s = severityOf({ ...base, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }] });
    expect(s).toEqual({ rating: 'CRITICAL', score: 10, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', source: 'CVSS_V3' });
  });

  it('prefers CVSS v4 over v3 when both are published', () => {
    const s = severityOf({
      ...base,
      severity: [
        { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N' },
        { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
      ],
    });
    expect(s.source).toBe('CVSS_V4');
    expect(s.score).toBe(9.3); // FIRST's v4.0 calculator gives 9.3 for this vector
  });

  it('a per-package severity wins over the top-level one', () => {
    const s = severityOf(
      {
        ...base,
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }],
        affected: [{ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N' }] }],
      },
      0,
    );
    expect(s.rating).toBe('LOW');
  });

  it('falls back to the qualitative rating a record carries, and says so', () => {
    expect(severityOf({ ...base, database_specific: { severity: 'MODERATE' } })).toEqual({ rating: 'MEDIUM', source: 'database_specific' });
  });

  it('an invalid vector is skipped, and no data at all is UNKNOWN', () => {
    expect(severityOf({ ...base, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/C:U' }] }).rating).toBe('UNKNOWN');
    expect(severityOf(base).rating).toBe('UNKNOWN');
  });

  it.each`
    score  | rating
    ${0}   | ${'NONE'}
    ${0.1} | ${'LOW'}
    ${3.9} | ${'LOW'}
    ${4.0} | ${'MEDIUM'}
    ${6.9} | ${'MEDIUM'}
    ${7.0} | ${'HIGH'}
    ${8.9} | ${'HIGH'}
    ${9.0} | ${'CRITICAL'}
  `('CVSS band of $score is $rating', ({ score, rating }) => {
    expect(ratingOfScore(score)).toBe(rating);
  });

  it('thresholds: unknown severity meets every threshold', () => {
    expect(atLeast('HIGH', 'MEDIUM')).toBe(true);
    expect(atLeast('MEDIUM', 'HIGH')).toBe(false);
    expect(atLeast('UNKNOWN', 'CRITICAL')).toBe(true);
  });
});
