import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { apiGet, apiGetAll } from '../api/client';
import type { Portfolio, PortfolioEvent } from '../api/types';
import { eventsPerDay, formatAge, latestEvents, purlParts, severityRows } from '../lib/format';
import { EventsChart } from '../components/EventsChart';
import { QueryView, SeverityBadge } from '../components/ui';

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
