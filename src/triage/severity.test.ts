import { beforeAll, describe, expect, it } from 'vitest';
import type { Advisory } from '../model/advisory.js';
import { openZip } from '../io/zip.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
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

  it('takes a score computed in advance (the store\'s cvss table) before scoring the vector itself', () => {
    const adv = { ...base, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }, { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }] };
    // a stand-in table, to show which path decided: 4.2 is not what the vector scores
    expect(severityOf(adv, undefined, (v) => (v.startsWith('CVSS:3.1') ? 4.2 : undefined))).toMatchObject({ score: 4.2, rating: 'MEDIUM', source: 'CVSS_V3' });
    // null: the vector does not score, so the next one decides (v2, scored here)
    expect(severityOf(adv, undefined, (v) => (v.startsWith('CVSS:3.1') ? null : undefined))).toMatchObject({ score: 7.5, rating: 'HIGH', source: 'CVSS_V2' });
    // unknown to the table: scored here
    expect(severityOf(adv, undefined, () => undefined)).toMatchObject({ score: 10, rating: 'CRITICAL' });
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

describe('CVSS v2 (no record in ../shared/osv carries one)', () => {
  it('scores the v2 base vector AV:N/AC:L/Au:N/C:P/I:P/A:P as 7.5 (the v2 specification\'s formula)', () => {
    const s = severityOf({ ...base, severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }] });
    expect(s).toMatchObject({ rating: 'HIGH', score: 7.5, source: 'CVSS_V2' });
  });
});

describe.skipIf(!HAS_SHARED)('severity of real records (../shared/osv)', () => {
  const records = new Map<string, Advisory>();
  const wanted: Record<string, string[]> = {
    PyPI: ['PYSEC-2017-105', 'PYSEC-2017-107'],
    'crates.io': ['RUSTSEC-2026-0023', 'RUSTSEC-2019-0036'],
    npm: ['GHSA-pjwm-rvh2-c87w'],
    Maven: ['GHSA-jfh8-c2jp-5v3q'],
  };
  beforeAll(async () => {
    for (const [eco, ids] of Object.entries(wanted)) {
      const zip = await openZip(shared('osv', eco, 'all.zip'), eco);
      try {
        for await (const e of zip.entries()) {
          const id = e.name.replace(/\.json$/, '');
          if (e.kind === 'file' && ids.includes(id)) records.set(id, JSON.parse(e.data.toString('utf8')) as Advisory);
        }
      } finally {
        zip.close();
      }
    }
  });

  // Expected scores: the CVSS v3.x / v4.0 specifications' formulas for these well-known vectors.
  it.each`
    id                       | source                 | score  | rating
    ${'PYSEC-2017-105'}      | ${'CVSS_V3'}           | ${7.5} | ${'HIGH'}
    ${'PYSEC-2017-107'}      | ${'CVSS_V3'}           | ${6.1} | ${'MEDIUM'}
    ${'RUSTSEC-2019-0036'}   | ${'CVSS_V3'}           | ${9.8} | ${'CRITICAL'}
    ${'GHSA-jfh8-c2jp-5v3q'} | ${'CVSS_V3'}           | ${10}  | ${'CRITICAL'}
    ${'RUSTSEC-2026-0023'}   | ${'CVSS_V4'}           | ${0}   | ${'NONE'}
  `('$id: $source $score $rating', ({ id, source, score, rating }: { id: string; source: string; score: number; rating: string }) => {
    const s = severityOf(records.get(id)!);
    expect(s).toMatchObject({ source, score, rating });
  });

  it('PYSEC-2017-105 publishes a CVSS 3.0 vector; RUSTSEC-2026-0023 a 4.0 one with no impact at all', () => {
    expect(severityOf(records.get('PYSEC-2017-105')!).vector).toBe('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N');
    expect(severityOf(records.get('RUSTSEC-2026-0023')!).vector).toBe('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N');
  });

  it('a record with only a qualitative rating says so (GHSA-pjwm-rvh2-c87w, ua-parser-js malware)', () => {
    expect(severityOf(records.get('GHSA-pjwm-rvh2-c87w')!)).toEqual({ rating: 'CRITICAL', source: 'database_specific' });
  });
});
