/**
 * The portfolio trend (GET /api/v1/portfolio/trend) as chart series: one point per snapshot day,
 * x in Unix seconds (uPlot's time scale), and the numbers the chart's label and table say.
 */
import type { Trend } from './types';

export interface TrendSeries {
  /** each day's midnight UTC, in seconds */
  x: number[];
  critical: number[];
  high: number[];
  open: number[];
  kev: number[];
  epss10: number[];
}

export function trendSeries(t: Pick<Trend, 'days'>): TrendSeries {
  const s: TrendSeries = { x: [], critical: [], high: [], open: [], kev: [], epss10: [] };
  for (const d of t.days) {
    const ms = Date.parse(`${d.day}T00:00:00Z`);
    if (Number.isNaN(ms)) continue;
    s.x.push(ms / 1000);
    s.critical.push(d.critical);
    s.high.push(d.high);
    s.open.push(d.open);
    s.kev.push(d.kev);
    s.epss10.push(d.epss10);
  }
  return s;
}

/** First and last snapshot's open findings, and the change between them ("+3", "−2", "±0"). */
export function trendChange(t: Pick<Trend, 'days'>): { first: number; last: number; change: string } | undefined {
  const first = t.days[0];
  const last = t.days.at(-1);
  if (!first || !last) return undefined;
  const d = last.open - first.open;
  return { first: first.open, last: last.open, change: d > 0 ? `+${d}` : d < 0 ? `−${-d}` : '±0' };
}
