/**
 * Incidents: the list (GET /incidents, newest first; open one for a vulnerability or a package and
 * vers range), and an incident's page (GET /incidents/{id}, in the token's scope): its totals and
 * times, the burndown, the tasks by owner and state (each movable: mitigated, patched, not
 * affected with a VEX justification), the timeline, containment steps when the server gives them,
 * and the post-incident review as a Markdown or HTML download.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router';
import { apiGet, download, enc } from '../api/client';
import { apiSend } from '../api/send';
import type { Incident, IncidentEvent, IncidentInput, IncidentSummary, IncidentTask, Justification, TaskMove } from '../api/response';
import { formatAge, pathLabel } from '../lib/format';
import { JUSTIFICATIONS, TASK_STATES, burndownSeries, formatDuration, groupTasks, words } from '../lib/response';
import { ErrorBox, QueryView } from '../components/ui';
import { BurndownChart } from '../components/BurndownChart';
import { Dialog } from '../components/Dialog';

export function IncidentsPage() {
  const list = useQuery({ queryKey: ['incidents'], queryFn: () => apiGet<{ items: IncidentSummary[] }>('/api/v1/incidents') });
  return (
    <section>
      <h1>Incidents</h1>
      <QueryView q={list} label="incidents">
        {(l) =>
          l.items.length === 0 ? (
            <p className="empty">No incident you can see.</p>
          ) : (
            <table className="incidents">
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">For</th>
                  <th scope="col">Opened</th>
                  <th scope="col" className="num">Tasks</th>
                  <th scope="col" className="num">Open</th>
                </tr>
              </thead>
              <tbody>
                {l.items.map((i) => (
                  <tr key={i.id}>
                    <td>
                      <Link to="/incidents/$id" params={{ id: String(i.id) }}>
                        #{i.id} {i.title}
                      </Link>
                    </td>
                    <td>{i.vuln ?? i.purl ?? ''}</td>
                    <td title={i.createdAt}>{formatAge(i.createdAt)}</td>
                    <td className="num">{i.tasks}</td>
                    <td className="num">{i.open}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryView>
      <OpenIncident />
    </section>
  );
}

function OpenIncident() {
  const [kind, setKind] = useState<'vuln' | 'package'>('vuln');
  const [title, setTitle] = useState('');
  const [vuln, setVuln] = useState('');
  const [purl, setPurl] = useState('');
  const [range, setRange] = useState('');
  const [error, setError] = useState<unknown>();
  const qc = useQueryClient();
  const navigate = useNavigate();
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setError(undefined);
    const body: IncidentInput = {
      ...(title.trim() ? { title: title.trim() } : {}),
      ...(kind === 'vuln' ? { vuln: vuln.trim() } : { purl: purl.trim(), ...(range.trim() ? { range: range.trim() } : {}) }),
    };
    try {
      const inc = await apiSend<Incident>('POST', '/api/v1/incidents', body);
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      void navigate({ to: '/incidents/$id', params: { id: String(inc.id) } });
    } catch (err) {
      setError(err);
    }
  }
  return (
    <details className="panel">
      <summary>Open an incident</summary>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <fieldset>
          <legend>For</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'vuln'} onChange={() => setKind('vuln')} /> a vulnerability
          </label>{' '}
          <label>
            <input type="radio" name="kind" checked={kind === 'package'} onChange={() => setKind('package')} /> a package and range (a zero-day)
          </label>
        </fieldset>
        <label htmlFor="i-title">Title</label>
        <input id="i-title" value={title} maxLength={500} onChange={(e) => setTitle(e.target.value)} />
        {kind === 'vuln' ? (
          <>
            <label htmlFor="i-vuln">OSV id or alias</label>
            <input id="i-vuln" required placeholder="CVE-2021-44228" value={vuln} onChange={(e) => setVuln(e.target.value)} />
          </>
        ) : (
          <>
            <label htmlFor="i-purl">Package (purl without version)</label>
            <input id="i-purl" required placeholder="pkg:maven/org.apache.logging.log4j/log4j-core" value={purl} onChange={(e) => setPurl(e.target.value)} />
            <label htmlFor="i-range">Range (vers)</label>
            <input id="i-range" placeholder="vers:maven/<2.17.1" value={range} onChange={(e) => setRange(e.target.value)} />
          </>
        )}
        <button type="submit">Open incident</button>
        {error !== undefined && <ErrorBox error={error} />}
      </form>
    </details>
  );
}

const route = getRouteApi('/incidents/$id');

/** Rows of a long list (an owner's tasks, the timeline) shown before "Show all". */
const FIRST_ROWS = 100;

/** What the server may add to an incident (H5's playbooks): shown when present, in whichever shape it comes. */
type Extra = { containment?: unknown; playbook?: unknown };

export function IncidentPage() {
  const { id } = route.useParams();
  // an incident is watched while it runs: a push that patches a task shows within seconds
  const inc = useQuery({ queryKey: ['incident', id], queryFn: () => apiGet<Incident & Extra>(`/api/v1/incidents/${enc(id)}`), refetchInterval: 5_000 });
  const [dlError, setDlError] = useState<unknown>();
  return (
    <section>
      <p className="crumbs">
        <Link to="/incidents">Incidents</Link> /
      </p>
      <QueryView q={inc} label="the incident">
        {(i) => (
          <>
            <h1>
              #{i.id} {i.title}
            </h1>
            <dl className="facts">
              {i.vuln && (
                <>
                  <dt>Vulnerability</dt>
                  <dd>
                    <Link to="/vulnerabilities" search={{ id: i.vuln }}>
                      {i.vuln}
                    </Link>
                  </dd>
                </>
              )}
              {i.purl && (
                <>
                  <dt>Package</dt>
                  <dd>
                    <code>{i.purl}</code> {i.range && <code>{i.range}</code>}
                  </dd>
                </>
              )}
              <dt>Opened</dt>
              <dd>
                <span title={i.createdAt}>{formatAge(i.createdAt)}</span> by {i.openedBy}
              </dd>
            </dl>
            <div className="tiles">
              <Tile label="Tasks" value={i.totals.tasks} testId="total-tasks" />
              <Tile label="Open" value={i.totals.open} testId="total-open" />
              <Tile label="Mitigated" value={i.totals.mitigated} testId="total-mitigated" />
              <Tile label="Patched" value={i.totals.patched} testId="total-patched" />
              <Tile label="Not affected" value={i.totals.notAffected} testId="total-not-affected" />
              <Tile label="Mean time to mitigate" value={formatDuration(i.totals.meanTimeToMitigate)} />
              <Tile label="Mean time to patch" value={formatDuration(i.totals.meanTimeToPatch)} />
            </div>
            <div className="toolbar" role="group" aria-label="Export">
              {(['markdown', 'html'] as const).map((f) => (
                <button
                  key={f}
                  type="button"
                  onClick={() => {
                    setDlError(undefined);
                    download(`/api/v1/incidents/${enc(id)}/export?format=${f}`, `incident-${i.id}.${f === 'markdown' ? 'md' : 'html'}`).catch(setDlError);
                  }}
                >
                  Export {f === 'markdown' ? 'Markdown' : 'HTML'}
                </button>
              ))}
            </div>
            {dlError !== undefined && <ErrorBox error={dlError} />}
            <Containment extra={i} />
            <div className="grid2">
              <div className="panel">
                <h2>Burndown</h2>
                <Burndown points={i.burndown} />
              </div>
              <div className="panel">
                <h2>Timeline</h2>
                <Timeline events={i.timeline} tasks={i.tasks} />
              </div>
            </div>
            <h2>Tasks by owner</h2>
            <Tasks incident={i} />
          </>
        )}
      </QueryView>
    </section>
  );
}

function Tile({ label, value, testId }: { label: string; value: number | string; testId?: string }) {
  return (
    <div className="tile">
      <span className="big" data-testid={testId}>
        {value}
      </span>
      {label}
    </div>
  );
}

function Burndown({ points }: { points: Incident['burndown'] }) {
  const { x, y } = useMemo(() => burndownSeries(points), [points]);
  if (x.length === 0) return <p className="muted">No change yet.</p>;
  return <BurndownChart x={x} y={y} />;
}

/** Containment steps, if the server's incident carries them (a list of strings or of {title|text|step, done?}). */
function Containment({ extra }: { extra: Extra }) {
  const given = extra.containment ?? (extra.playbook as { steps?: unknown } | undefined)?.steps;
  // the server gives the playbook's entries as {key, steps: string[]}: one line per step, after its key
  const raw = Array.isArray(given)
    ? given.flatMap((s: unknown) => (s && typeof s === 'object' && Array.isArray((s as { steps?: unknown }).steps) ? ((s as { key?: unknown; steps: unknown[] }).steps.map((step) => `${String((s as { key?: unknown }).key ?? '')}: ${String(step)}`)) : [s]))
    : given;
  if (!Array.isArray(raw) || raw.length === 0) return null;
  const text = (s: unknown): string => {
    if (typeof s === 'string') return s;
    if (s && typeof s === 'object') {
      const o = s as Record<string, unknown>;
      for (const k of ['title', 'text', 'step', 'description']) if (typeof o[k] === 'string') return o[k] as string;
    }
    return JSON.stringify(s);
  };
  return (
    <div className="panel">
      <h2>Containment</h2>
      <ol>
        {raw.map((s, i) => (
          <li key={i}>
            {text(s)}
            {s && typeof s === 'object' && (s as { done?: unknown }).done === true ? <span className="tag">done</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

function Timeline({ events, tasks }: { events: IncidentEvent[]; tasks: IncidentTask[] }) {
  const taskName = new Map(tasks.map((t) => [t.id, `${t.project} ${t.version}`]));
  const detailText = (e: IncidentEvent): string => {
    const d = e.detail;
    const parts: string[] = [];
    for (const k of ['project', 'version', 'from', 'to', 'note', 'justification', 'title']) {
      const v = d[k];
      if (typeof v === 'string' || typeof v === 'number') parts.push(`${k} ${v}`);
    }
    return parts.join(', ');
  };
  const [all, setAll] = useState(false);
  const newestFirst = useMemo(() => [...events].reverse(), [events]);
  const shown = all ? newestFirst : newestFirst.slice(0, FIRST_ROWS);
  return (
    <>
      <ol className="timeline" data-testid="timeline">
        {shown.map((e) => (
          <li key={e.id}>
            <span title={e.at}>{formatAge(e.at)}</span> — <strong>{e.type}</strong>
            {e.taskId !== undefined && taskName.has(e.taskId) ? ` (${taskName.get(e.taskId)!})` : ''} by {e.actor}
            {detailText(e) ? <div className="muted small">{detailText(e)}</div> : null}
          </li>
        ))}
      </ol>
      {shown.length < newestFirst.length && (
        <button type="button" onClick={() => setAll(true)}>
          Show all {newestFirst.length} events
        </button>
      )}
    </>
  );
}

function Tasks({ incident }: { incident: Incident }) {
  const groups = useMemo(() => groupTasks(incident.tasks), [incident.tasks]);
  const [moving, setMoving] = useState<IncidentTask>();
  // an owner's first rows only until asked: an incident of thousands of tasks renders fast on a wall screen
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  if (groups.length === 0) return <p className="empty">No task you can see.</p>;
  return (
    <>
      {groups.map((g) => (
        <div className="panel" key={g.owner}>
          <h3>
            {g.owner} <span className="muted small">({g.total})</span>
          </h3>
          <table className="tasks">
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Project</th>
                <th scope="col">Version</th>
                <th scope="col">Package</th>
                <th scope="col">Opened</th>
                <th scope="col">Time to patch</th>
                <th scope="col">
                  <span className="sr-only">Move</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {TASK_STATES.flatMap((s) => g.byState[s])
                .slice(0, expanded.has(g.owner) ? undefined : FIRST_ROWS)
                .map((t) => (
                  <tr key={`${t.state}-${t.id}`} data-testid={`task-${t.project}`}>
                    <td>
                      <span className={`state state-${t.state}`} data-testid="task-state">
                        {words(t.state)}
                      </span>
                    </td>
                    <td>
                      <Link to="/projects/$name" params={{ name: t.project }} search={{ version: t.version }}>
                        {t.project}
                      </Link>
                    </td>
                    <td>{t.version}</td>
                    <td className="path">{t.purls.map((p) => pathLabel([p])[0]).join(', ')}</td>
                    <td title={t.createdAt}>{formatAge(t.createdAt)}</td>
                    <td>{formatDuration(t.timeToPatch)}</td>
                    <td>
                      {(t.state === 'open' || t.state === 'mitigated') && (
                        <button type="button" onClick={() => setMoving(t)} aria-label={`Move the task of ${t.project} ${t.version}`}>
                          Move
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          {!expanded.has(g.owner) && g.total > FIRST_ROWS && (
            <button type="button" onClick={() => setExpanded(new Set([...expanded, g.owner]))}>
              Show all {g.total} tasks of {g.owner}
            </button>
          )}
        </div>
      ))}
      {moving && <MoveTask incident={incident.id} task={moving} onClose={() => setMoving(undefined)} />}
    </>
  );
}

function MoveTask({ incident, task, onClose }: { incident: number; task: IncidentTask; onClose: () => void }) {
  const [state, setState] = useState<TaskMove['state']>(task.state === 'open' ? 'mitigated' : 'patched');
  const [justification, setJustification] = useState<Justification>('vulnerable_code_not_in_execute_path');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const qc = useQueryClient();
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setError(undefined);
    const body: TaskMove = { state, ...(state === 'not_affected' ? { justification: justification as NonNullable<TaskMove['justification']> } : {}), ...(note.trim() ? { note: note.trim() } : {}) };
    try {
      await apiSend<Incident>('PATCH', `/api/v1/incidents/${incident}/tasks/${task.id}`, body);
      for (const k of ['incident', 'incidents', 'analyses', 'findings', 'affected']) void qc.invalidateQueries({ queryKey: [k] });
      onClose();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <Dialog title={`Move the task of ${task.project} ${task.version}`} onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label htmlFor="m-state">New state</label>
        <select id="m-state" value={state} onChange={(e) => setState(e.target.value as TaskMove['state'])}>
          <option value="mitigated">mitigated</option>
          <option value="patched">patched</option>
          <option value="not_affected">not affected (records a VEX statement)</option>
        </select>
        {state === 'not_affected' && (
          <>
            <label htmlFor="m-just">Justification</label>
            <select id="m-just" value={justification} onChange={(e) => setJustification(e.target.value as Justification)}>
              {JUSTIFICATIONS.map((j) => (
                <option key={j} value={j}>
                  {words(j)}
                </option>
              ))}
            </select>
          </>
        )}
        <label htmlFor="m-note">Note</label>
        <textarea id="m-note" rows={3} maxLength={10000} value={note} onChange={(e) => setNote(e.target.value)} />
        <div className="toolbar">
          <button type="submit">Move</button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
        {error !== undefined && <ErrorBox error={error} />}
      </form>
    </Dialog>
  );
}
