/**
 * New and resolved findings per day after advisory updates, drawn by uPlot (a ~50 KB canvas chart
 * library: small, fast on long series, no dependencies; see docs/dashboard.md). The canvas is
 * decorative for assistive technology: the figure's label says the totals and the table beside it
 * lists the changes.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function EventsChart({ days, added, resolved }: { days: number[]; added: number[]; resolved: number[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || days.length === 0) return;
    const css = getComputedStyle(document.documentElement);
    const v = (name: string): string => css.getPropertyValue(name).trim();
    const axis = { stroke: v('--fg'), grid: { stroke: v('--line'), width: 1 }, ticks: { stroke: v('--line'), width: 1 } };
    const chart = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 200,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [axis, { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
        series: [{}, { label: 'new', stroke: v('--crit'), width: 2, points: { show: true, size: 7 } }, { label: 'resolved', stroke: v('--low'), width: 2, points: { show: true, size: 7 } }],
      },
      // one day alone: shown between the empty days around it, so its point is not on the edge
      days.length === 1 ? [[days[0]! - 86_400, days[0]!, days[0]! + 86_400], [0, added[0]!, 0], [0, resolved[0]!, 0]] : [days, added, resolved],
      el,
    );
    return () => chart.destroy();
  }, [days, added, resolved]);
  const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return (
    <figure className="chart" role="img" aria-label={`New and resolved findings per day: ${total(added)} new, ${total(resolved)} resolved over ${days.length} ${days.length === 1 ? 'day' : 'days'}`}>
      <div ref={ref} aria-hidden="true" />
      <figcaption className="muted small">
        <span className="key key-new" aria-hidden="true" /> new <span className="key key-resolved" aria-hidden="true" /> resolved — per day
      </figcaption>
    </figure>
  );
}
