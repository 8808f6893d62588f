import { useEffect, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { apiGet, apiGetAll } from '../api/client';
import { type TrendSeries, trendChange, trendSeries } from '../api/trend';
import type { Portfolio, PortfolioEvent, Trend } from '../api/types';
import { eventsPerDay, formatAge, latestEvents, purlParts, severityRows } from '../lib/format';
import { EventsChart } from '../components/EventsChart';
import { QueryView, SeverityBadge } from '../components/ui';

/**
 * Open findings, critical, KEV and EPSS ≥ 10% per day from the server's daily snapshots, drawn by
 * uPlot (as EventsChart). The canvas is hidden from assistive technology: the figure's label says
 * the first and last day's numbers.
 */
function TrendChart({ s }: { s: TrendSeries }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || s.x.length === 0) return;
    const css = getComputedStyle(document.documentElement);
    const v = (name: string): string => css.getPropertyValue(name).trim();
    const axis = { stroke: v('--fg'), grid: { stroke: v('--line'), width: 1 }, ticks: { stroke: v('--line'), width: 1 } };
    const one = s.x.length === 1;
    // one day alone: drawn as a point between the days around it
    const pad = (xs: number[]): number[] => (one ? [xs[0]!, xs[0]!, xs[0]!] : xs);
    const x = one ? [s.x[0]! - 86_400, s.x[0]!, s.x[0]! + 86_400] : s.x;
    const line = (label: string, color: string, dash?: number[]) => ({ label, stroke: v(color), width: 2, ...(dash ? { dash } : {}), points: { show: one || s.x.length < 15, size: 6 } });
    const chart = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 220,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [axis, { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000] }],
        series: [{}, line('open', '--fg'), line('critical', '--crit'), line('KEV', '--kev', [6, 3]), line('EPSS ≥ 10%', '--high', [2, 3])],
      },
      [x, pad(s.open), pad(s.critical), pad(s.kev), pad(s.epss10)],
      el,
    );
    return () => chart.destroy();
  }, [s]);
  return (
    <div ref={ref} aria-hidden="true" />
  );
}

function TrendPanel() {
  const q = useQuery({ queryKey: ['portfolio-trend', 90], queryFn: () => apiGet<Trend>('/api/v1/portfolio/trend', { days: 90 }) });
  return (
    <div className="panel">
      <h2 id="tr-h">Trend (90 days)</h2>
      <QueryView q={q} label="the trend">
        {(t) => {
          const c = trendChange(t);
          if (!c) return <p>No daily snapshot yet: the server takes one every hour.</p>;
          const last = t.days.at(-1)!;
          return (
            <figure className="chart" role="img" aria-label={`Open findings per day over ${t.days.length} ${t.days.length === 1 ? 'day' : 'days'}: ${c.first} on ${t.days[0]!.day}, ${c.last} on ${last.day} (${c.change}); today ${last.critical} critical, ${last.kev} known exploited, ${last.epss10} with EPSS of 10% or more`}>
              <TrendChart s={trendSeries(t)} />
              <figcaption className="muted small" data-testid="trend-caption">
                Lines: open, critical, KEV (dashed), EPSS ≥ 10% (dotted). On {last.day}: {c.last} open ({c.change} since {t.days[0]!.day}), {last.critical} critical, {last.kev} KEV, {last.epss10} with EPSS ≥ 10%.
              </figcaption>
            </figure>
          );
        }}
      </QueryView>
    </div>
  );
}

function FreshnessPanel({ f }: { f: Portfolio['freshness'] }) {
  return (
    <div className="panel">
      <h2 id="fr-h">Not uploaded for {f.staleDays} days</h2>
      {f.stale === 0 ? (
        <p>Every project had an upload in the last {f.staleDays} days.</p>
      ) : (
        <>
          <p data-testid="stale-count">
            {f.stale} {f.stale === 1 ? 'project has' : 'projects have'} had no upload for {f.staleDays} days{f.stale > f.projects.length ? `; the ${f.projects.length} stalest:` : ':'}
          </p>
          <table aria-labelledby="fr-h">
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Last upload</th>
              </tr>
            </thead>
            <tbody>
              {f.projects.map((p) => (
                <tr key={p.project}>
                  <td>
                    <Link to="/projects/$name" params={{ name: p.project }} search={{}}>
                      {p.project}
                    </Link>
                  </td>
                  <td title={p.lastUpload ?? p.createdAt}>{p.lastUpload ? formatAge(p.lastUpload) : `never (created ${formatAge(p.createdAt)})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

export function PortfolioPage() {
  const q = useQuery({ queryKey: ['portfolio'], queryFn: () => apiGet<Portfolio>('/api/v1/portfolio') });
  const events = useQuery({
    queryKey: ['events'],
    queryFn: async () => {
      const all = (await apiGetAll<PortfolioEvent>('/api/v1/events', {}, 20_000)).items;
      return { latest: latestEvents(all, 15), perDay: eventsPerDay(all) };
    },
  });
  return (
    <section>
      <h1>Portfolio</h1>
      <QueryView q={q} label="the portfolio">
        {(p) => {
          const rows = severityRows(p.bySeverity);
          const max = Math.max(1, ...rows.map((r) => r.count));
          const open = rows.reduce((n, r) => n + r.count, 0);
          return (
            <>
              <div className="tiles">
                <div className="tile">
                  <span className="big" data-testid="projects-count">{p.projects}</span> projects
                </div>
                <div className="tile">
                  <span className="big" data-testid="open-count">{open}</span> open findings
                </div>
                <div className="tile kev-tile">
                  <span className="big" data-testid="kev-findings">{p.kev.findings}</span> known exploited (KEV) in <span data-testid="kev-projects">{p.kev.projects}</span>{' '}
                  {p.kev.projects === 1 ? 'project' : 'projects'}
                </div>
              </div>
              <div className="grid2">
                <div className="panel">
                  <h2 id="sev-h">Open findings by severity</h2>
                  <table className="bars" aria-labelledby="sev-h">
                    <tbody>
                      {rows.map((r) => (
                        <tr key={r.severity}>
                          <th scope="row">
                            <SeverityBadge s={r.severity} />
                          </th>
                          <td className="num">{r.count}</td>
                          <td className="barcell" aria-hidden="true">
                            <span className={`bar sev-${r.severity.toLowerCase()}`} style={{ width: `${(100 * r.count) / max}%` }} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div className="panel">
                  <h2 id="ma-h">Most affected packages</h2>
                  {p.mostAffected.length === 0 ? (
                    <p>No vulnerable package.</p>
                  ) : (
                    <table aria-labelledby="ma-h">
                      <thead>
                        <tr>
                          <th scope="col">Package</th>
                          <th scope="col" className="num">Projects</th>
                          <th scope="col" className="num">Findings</th>
                        </tr>
                      </thead>
                      <tbody>
                        {p.mostAffected.map((m) => {
                          const { type, name } = purlParts(m.purl);
                          return (
                            <tr key={m.purl}>
                              <td>
                                <Link to="/components" search={{ purl: m.purl.replace(/@[^@/]*$/, '') }}>
                                  {name}
                                </Link>{' '}
                                <span className="muted">{type}</span>
                              </td>
                              <td className="num">{m.projects}</td>
                              <td className="num">{m.findings ?? ''}</td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  )}
                </div>
              </div>
              <div className="grid2">
                <TrendPanel />
                <FreshnessPanel f={p.freshness} />
              </div>
              <div className="panel">
                <h2 id="oc-h">Oldest open critical findings</h2>
                {p.oldestCritical.length === 0 ? (
                  <p>No open critical finding.</p>
                ) : (
                  <table aria-labelledby="oc-h">
                    <thead>
                      <tr>
                        <th scope="col">Project</th>
                        <th scope="col">Version</th>
                        <th scope="col">Vulnerability</th>
                        <th scope="col">Package</th>
                        <th scope="col">Open since</th>
                      </tr>
                    </thead>
                    <tbody>
                      {p.oldestCritical.map((c) => (
                        <tr key={`${c.project}\n${c.version}\n${c.vuln}\n${c.purl}`}>
                          <td>
                            <Link to="/projects/$name" params={{ name: c.project }} search={{ version: c.version }}>
                              {c.project}
                            </Link>
                          </td>
                          <td>{c.version}</td>
                          <td>
                            <Link to="/vulnerabilities" search={{ id: c.vuln }}>
                              {c.vuln}
                            </Link>
                          </td>
                          <td>{purlParts(c.purl).name}@{purlParts(c.purl).version}</td>
                          <td title={c.firstSeen}>{formatAge(c.firstSeen)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            </>
          );
        }}
      </QueryView>
      <div className="panel">
        <h2 id="ev-h">Changes after advisory updates</h2>
        <QueryView q={events} label="changes">
          {({ latest: ev, perDay }) =>
            ev.length === 0 ? (
              <p>No finding appeared or went away since the projects were uploaded.</p>
            ) : (
              <>
              <EventsChart days={perDay.days} added={perDay.added} resolved={perDay.resolved} />
              <table aria-labelledby="ev-h" data-testid="events">
                <thead>
                  <tr>
                    <th scope="col">Change</th>
                    <th scope="col">Project</th>
                    <th scope="col">Vulnerability</th>
                    <th scope="col">Package</th>
                    <th scope="col">When</th>
                  </tr>
                </thead>
                <tbody>
                  {ev.map((e) => (
                    <tr key={e.id}>
                      <td>{e.type === 'finding.new' ? <span className="tag new">new</span> : e.type === 'finding.resolved' ? <span className="tag">resolved</span> : e.type}</td>
                      <td>
                        <Link to="/projects/$name" params={{ name: e.project }} search={{ version: e.version }}>
                          {e.project}
                        </Link>{' '}
                        <span className="muted">{e.version}</span>
                      </td>
                      <td>
                        <Link to="/vulnerabilities" search={{ id: e.vuln }}>
                          {e.vuln}
                        </Link>
                      </td>
                      <td>{purlParts(e.purl).name}@{purlParts(e.purl).version}</td>
                      <td title={e.at}>{formatAge(e.at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </>
            )
          }
        </QueryView>
      </div>
    </section>
  );
}
