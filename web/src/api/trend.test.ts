import { describe, expect, it } from 'vitest';
import { trendChange, trendSeries } from './trend';

const day = (d: string, open: number, over: Partial<{ critical: number; high: number; kev: number; epss10: number }> = {}) => ({
  day: d,
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  other: 0,
  open,
  kev: 0,
  epss10: 0,
  ...over,
});

describe('trendSeries', () => {
  it('puts each snapshot day at its UTC midnight in seconds, the counts beside it', () => {
    const s = trendSeries({ days: [day('2026-12-05', 5, { critical: 1, kev: 2, epss10: 2 }), day('2026-12-07', 0)] });
    // 2026-12-05T00:00:00Z = 1796428800 (56 years with 14 leap days = 20,454 days, + 338 days into 2026 = 20,792 days × 86,400 s)
    expect(s.x).toEqual([1796428800, 1796428800 + 2 * 86400]);
    expect(s.open).toEqual([5, 0]);
    expect(s.critical).toEqual([1, 0]);
    expect(s.kev).toEqual([2, 0]);
    expect(s.epss10).toEqual([2, 0]);
  });

  it('skips a day it cannot read rather than drawing it at 1970', () => {
    expect(trendSeries({ days: [day('not-a-day', 3)] }).x).toEqual([]);
  });
});

describe('trendChange', () => {
  it('says the change from the first snapshot to the last', () => {
    expect(trendChange({ days: [day('2026-12-05', 5), day('2026-12-06', 4), day('2026-12-07', 7)] })).toEqual({ first: 5, last: 7, change: '+2' });
    expect(trendChange({ days: [day('2026-12-05', 5), day('2026-12-07', 0)] })?.change).toBe('−5');
    expect(trendChange({ days: [day('2026-12-07', 3)] })?.change).toBe('±0');
    expect(trendChange({ days: [] })).toBeUndefined();
  });
});
