/**
 * An incident's burndown — open tasks after each change, carried on to now — drawn by uPlot as a
 * step line. The canvas is hidden from assistive technology: the figure's label says where the
 * count started and where it is, and the timeline beside it lists every change.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function BurndownChart({ x, y }: { x: number[]; y: number[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || x.length === 0) return;
    const css = getComputedStyle(document.documentElement);
    const v = (name: string): string => css.getPropertyValue(name).trim();
    const axis = { stroke: v('--fg'), grid: { stroke: v('--line'), width: 1 }, ticks: { stroke: v('--line'), width: 1 } };
    const chart = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 220,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [axis, { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
        series: [{}, { label: 'open tasks', stroke: v('--accent'), fill: `${v('--accent')}33`, width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: true, size: 6 } }],
      },
      // one point alone: a second a minute later, so the line has a length
      x.length === 1 ? [[x[0]!, x[0]! + 60], [y[0]!, y[0]!]] : [x, y],
      el,
    );
    return () => chart.destroy();
  }, [x, y]);
  const start = y[0] ?? 0;
  const now = y[y.length - 1] ?? 0;
  return (
    <figure className="chart" role="img" aria-label={`Burndown: ${start} open ${start === 1 ? 'task' : 'tasks'} at the start, ${now} open now`}>
      <div ref={ref} aria-hidden="true" />
      <figcaption className="muted small">open tasks over time</figcaption>
    </figure>
  );
}
