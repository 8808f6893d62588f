/**
 * Settings (admin tokens only; the link is hidden for others and the API answers them 403):
 * API tokens (list, create with a role and an optional project list or tag — the secret shown
 * once — and revoke), notification rules with their delivery log (the signing secret shown once),
 * and the advisory refresh (queue a refresh or a re-match; the latest change it made; the last
 * refresh job's outcome — when it failed, its error).
 */
import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiGetAll, enc } from '../api/client';
import { apiSend } from '../api/send';
import type { PortfolioEvent, Page } from '../api/types';
import type { AdvisoryStatus, Delivery, Rule, RuleCreated, RuleInput, Subscription, SubscriptionInput, Token, TokenCreated, TokenInput } from '../api/response';
import { formatAge, latestEvents } from '../lib/format';
import { ErrorBox, QueryView } from '../components/ui';
import { useIsAdmin } from '../components/useIsAdmin';

export function SettingsPage() {
  const admin = useIsAdmin();
  if (admin.data !== true) {
    return (
      <section>
        <h1>Settings</h1>
        {admin.isError ? <ErrorBox error={admin.error} /> : <p className="loading" role="status">Loading…</p>}
      </section>
    );
  }
  return (
    <section>
      <h1>Settings</h1>
      <Tokens />
      <Rules />
      <Advisories />
      <Subscriptions />
    </section>
  );
}

const ROLES = ['viewer', 'maintainer', 'uploader', 'admin'] as const;

function Tokens() {
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => apiGet<Page<Token>>('/api/v1/tokens') });
  const [name, setName] = useState('');
  const [role, setRole] = useState<TokenInput['role']>('viewer');
  const [limit, setLimit] = useState<'none' | 'projects' | 'tag'>('none');
  const [projects, setProjects] = useState('');
  const [tag, setTag] = useState('');
  const [created, setCreated] = useState<TokenCreated & { name: string }>();
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<string>();

  async function create(e: FormEvent): Promise<void> {
    e.preventDefault();
    setError(undefined);
    setCreated(undefined);
    const list = projects.split(/[\s,]+/).filter(Boolean);
    const body: TokenInput = { name: name.trim(), role, ...(limit === 'projects' && list.length ? { projects: list } : {}), ...(limit === 'tag' && tag.trim() ? { tag: tag.trim() } : {}) };
    try {
      const t = await apiSend<TokenCreated>('POST', '/api/v1/tokens', body);
      setCreated({ ...t, name: body.name });
      setName('');
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    } catch (err) {
      setError(err);
    }
  }
  async function revoke(id: string): Promise<void> {
    setError(undefined);
    try {
      await apiSend<void>('DELETE', `/api/v1/tokens/${enc(id)}`);
      setConfirm(undefined);
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="panel">
      <h2>API tokens</h2>
      <QueryView q={tokens} label="tokens">
        {(t) => (
          <table data-testid="tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Limited to</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Revoke</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {t.items.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>{k.role}</td>
                  <td>{k.projects?.length ? `projects ${k.projects.join(', ')}` : k.tag ? `tag ${k.tag}` : 'everything'}</td>
                  <td title={k.createdAt}>{formatAge(k.createdAt)}</td>
                  <td>{k.revokedAt ? <span title={k.revokedAt}>revoked {formatAge(k.revokedAt)}</span> : 'active'}</td>
                  <td>
                    {!k.revokedAt &&
                      (confirm === k.id ? (
                        <>
                          <button type="button" className="danger" onClick={() => void revoke(k.id)}>
                            Confirm revoking {k.name}
                          </button>{' '}
                          <button type="button" onClick={() => setConfirm(undefined)}>
                            Keep
                          </button>
                        </>
                      ) : (
                        <button type="button" onClick={() => setConfirm(k.id)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
      <h3 className="small">Create a token</h3>
      <form className="toolbar" onSubmit={(e) => void create(e)}>
        <label htmlFor="tk-name">Name</label>
        <input id="tk-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="tk-role">Role</label>
        <select id="tk-role" value={role} onChange={(e) => setRole(e.target.value as TokenInput['role'])}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <label htmlFor="tk-limit">Limited to</label>
        <select id="tk-limit" value={limit} disabled={role === 'admin'} onChange={(e) => setLimit(e.target.value as 'none' | 'projects' | 'tag')}>
          <option value="none">everything</option>
          <option value="projects">projects</option>
          <option value="tag">a tag</option>
        </select>
        {limit === 'projects' && role !== 'admin' && (
          <>
            <label htmlFor="tk-projects">Projects (comma-separated)</label>
            <input id="tk-projects" required value={projects} onChange={(e) => setProjects(e.target.value)} />
          </>
        )}
        {limit === 'tag' && role !== 'admin' && (
          <>
            <label htmlFor="tk-tag">Tag</label>
            <input id="tk-tag" required value={tag} onChange={(e) => setTag(e.target.value)} />
          </>
        )}
        <button type="submit">Create token</button>
      </form>
      {created && (
        <div className="secret" role="status">
          <p>
            Token <strong>{created.name}</strong> created. Copy its secret now — it is not shown again:
          </p>
          <code data-testid="token-secret">{created.token}</code>
        </div>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}

const EVENTS = ['finding.new', 'finding.resolved', 'incident.opened', 'incident.updated'] as const;

function Rules() {
  const qc = useQueryClient();
  const rules = useQuery({ queryKey: ['rules'], queryFn: () => apiGet<{ items: Rule[] }>('/api/v1/notification-rules') });
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<ReadonlySet<string>>(new Set(['incident.opened', 'incident.updated']));
  const [minSeverity, setMin] = useState('');
  const [kevOnly, setKev] = useState(false);
  const [created, setCreated] = useState<RuleCreated>();
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState<number>();

  async function create(e: FormEvent): Promise<void> {
    e.preventDefault();
    setError(undefined);
    setCreated(undefined);
    const filters = { ...(minSeverity ? { minSeverity: minSeverity as NonNullable<NonNullable<RuleInput['filters']>['minSeverity']> } : {}), ...(kevOnly ? { kevOnly } : {}) };
    const body: RuleInput = { name: name.trim(), url: url.trim(), events: [...events] as RuleInput['events'], ...(Object.keys(filters).length ? { filters } : {}) };
    try {
      setCreated(await apiSend<RuleCreated>('POST', '/api/v1/notification-rules', body));
      setName('');
      setUrl('');
      void qc.invalidateQueries({ queryKey: ['rules'] });
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="panel">
      <h2>Notification rules</h2>
      <QueryView q={rules} label="notification rules">
        {(r) =>
          r.items.length === 0 ? (
            <p className="empty">No rule.</p>
          ) : (
            <table data-testid="rules">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Events</th>
                  <th scope="col">URL</th>
                  <th scope="col">Filters</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="sr-only">Deliveries</span>
                  </th>
                </tr>
              </thead>
              {r.items.map((x) => (
                <tbody key={x.id}>
                  <tr>
                    <td>{x.name}</td>
                    <td>{x.events.join(', ')}</td>
                    <td className="path">{x.url}</td>
                    <td>{Object.entries(x.filters).map(([k, v]) => `${k} ${String(v)}`).join(', ') || '—'}</td>
                    <td title={x.createdAt}>
                      {formatAge(x.createdAt)} by {x.createdBy}
                    </td>
                    <td>
                      <button type="button" aria-expanded={open === x.id} onClick={() => setOpen(open === x.id ? undefined : x.id)} aria-label={`Delivery log of ${x.name}`}>
                        Delivery log
                      </button>
                    </td>
                  </tr>
                  {open === x.id && (
                    <tr className="detail">
                      <td colSpan={6}>
                        <Deliveries rule={x.id} />
                      </td>
                    </tr>
                  )}
                </tbody>
              ))}
            </table>
          )
        }
      </QueryView>
      <h3 className="small">Add a webhook rule</h3>
      <form className="toolbar" onSubmit={(e) => void create(e)}>
        <label htmlFor="r-name">Name</label>
        <input id="r-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="r-url">URL</label>
        <input id="r-url" required type="url" placeholder="https://hooks.example.org/vouch" value={url} onChange={(e) => setUrl(e.target.value)} />
        <fieldset>
          <legend>Events</legend>
          {EVENTS.map((ev) => (
            <label key={ev}>
              <input
                type="checkbox"
                checked={events.has(ev)}
                onChange={(e) =>
                  setEvents((s) => {
                    const n = new Set(s);
                    if (e.target.checked) n.add(ev);
                    else n.delete(ev);
                    return n;
                  })
                }
              />{' '}
              {ev}{' '}
            </label>
          ))}
        </fieldset>
        <label htmlFor="r-sev">Severity at least</label>
        <select id="r-sev" value={minSeverity} onChange={(e) => setMin(e.target.value)}>
          <option value="">any</option>
          {['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label>
          <input type="checkbox" checked={kevOnly} onChange={(e) => setKev(e.target.checked)} /> KEV only
        </label>
        <button type="submit" disabled={events.size === 0}>
          Add rule
        </button>
      </form>
      {created?.secret && (
        <div className="secret" role="status">
          <p>
            Rule <strong>{created.name}</strong> added. Its signing secret (for the X-Vouch-Signature check) is shown this once:
          </p>
          <code data-testid="rule-secret">{created.secret}</code>
        </div>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}

function Deliveries({ rule }: { rule: number }) {
  const q = useQuery({ queryKey: ['deliveries', rule], queryFn: () => apiGet<{ items: Delivery[] }>(`/api/v1/notification-rules/${rule}/deliveries`) });
  return (
    <QueryView q={q} label="deliveries">
      {(d) =>
        d.items.length === 0 ? (
          <p className="empty">Nothing delivered yet.</p>
        ) : (
          <table data-testid="deliveries">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col" className="num">Attempt</th>
                <th scope="col">Answer</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((x) => (
                <tr key={`${x.eventId}-${x.attempt}`}>
                  <td title={x.at}>{formatAge(x.at)}</td>
                  <td>{x.eventType}</td>
                  <td>{x.state}</td>
                  <td className="num">{x.attempt}</td>
                  <td className="path">{x.status !== undefined ? `${x.status} ` : ''}{x.error ?? x.response ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </QueryView>
  );
}

function Advisories() {
  const [job, setJob] = useState<string>();
  const [error, setError] = useState<unknown>();
  // the events come oldest first: every page is read for the newest (as the Portfolio does)
  // while a queued job may still change it, the status is asked for again every few seconds
  const status = useQuery({
    queryKey: ['advisories', 'status'],
    queryFn: () => apiGet<AdvisoryStatus>('/api/v1/advisories/status'),
    refetchInterval: (q) => (job !== undefined || (q.state.data && q.state.data.jobs.queued + q.state.data.jobs.running > 0) ? 3000 : false),
  });
  const latest = useQuery({ queryKey: ['events', 'newest'], queryFn: async () => latestEvents((await apiGetAll<PortfolioEvent>('/api/v1/events', {}, 20_000)).items, 1)[0] ?? null });
  async function run(body: { rematchOnly?: boolean }): Promise<void> {
    setError(undefined);
    setJob(undefined);
    try {
      setJob((await apiSend<{ job: string }>('POST', '/api/v1/advisories/update', body)).job);
    } catch (err) {
      setError(err);
    }
  }
  const last = latest.data;
  return (
    <div className="panel">
      <h2>Advisory refresh</h2>
      <p>
        {last ? (
          <>
            Latest change from an advisory update: <span title={last.at}>{formatAge(last.at)}</span> ({last.type} {last.vuln} in {last.project}).
          </>
        ) : (
          'No finding has changed after an advisory update yet.'
        )}
      </p>
      <QueryView q={status} label="advisory status">
        {(st) => {
          const run = st.runs[0];
          const refresh = st.refreshes[0];
          return (
            <div data-testid="advisory-status">
              {refresh &&
                (refresh.ok ? (
                  <p data-testid="refresh-outcome">
                    Last refresh: <span title={refresh.finishedAt}>{formatAge(refresh.finishedAt)}</span>, loaded <code>{refresh.source}</code>.
                  </p>
                ) : (
                  <p className="error-text" data-testid="refresh-outcome">
                    Last refresh failed <span title={refresh.finishedAt}>{formatAge(refresh.finishedAt)}</span> loading <code>{refresh.source}</code>: {refresh.error ?? 'no reason given'}
                  </p>
                ))}
              <p>
                {run ? (
                  <>
                    Last re-match: <span title={run.at}>{formatAge(run.at)}</span>, against store generation{' '}
                    <code title={run.generation}>{run.generation.slice(0, 12)}</code>: {run.changed} advisories changed, {run.newFindings} new findings, {run.goneFindings} gone.
                  </>
                ) : (
                  'The portfolio has not been re-matched against an advisory update yet.'
                )}
              </p>
              <p className={st.jobs.failed ? 'error-text' : 'muted'}>
                Jobs: {st.jobs.queued} queued, {st.jobs.running} running, {st.jobs.failed} failed.
              </p>
            </div>
          );
        }}
      </QueryView>
      <div className="toolbar">
        <button type="button" onClick={() => void run({})}>
          Refresh advisories now
        </button>
        <button type="button" onClick={() => void run({ rematchOnly: true })}>
          Re-match only
        </button>
      </div>
      {job && (
        <p role="status">
          Queued as job <code>{job}</code>: findings that change are listed on the Portfolio.
        </p>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}

const EVERY = ['1h', '6h', '1d'] as const;

function Subscriptions() {
  const qc = useQueryClient();
  const subs = useQuery({ queryKey: ['subscriptions'], queryFn: () => apiGet<{ items: Subscription[] }>('/api/v1/feeds/subscriptions') });
  const [url, setUrl] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [every, setEvery] = useState<string>('6h');
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState<string>();
  const [confirm, setConfirm] = useState<number>();
  const refetch = (): void => void qc.invalidateQueries({ queryKey: ['subscriptions'] });

  async function add(e: FormEvent): Promise<void> {
    e.preventDefault();
    setError(undefined);
    setNote(undefined);
    const body: SubscriptionInput = { url: url.trim(), publicKey: publicKey.trim(), every, ...(token.trim() ? { token: token.trim() } : {}) };
    try {
      const s = await apiSend<Subscription>('POST', '/api/v1/feeds/subscriptions', body);
      setNote(`Subscribed to ${s.url}: the first load is queued.`);
      setUrl('');
      setPublicKey('');
      setToken('');
      refetch();
    } catch (err) {
      setError(err);
    }
  }
  async function act(method: 'POST' | 'DELETE', s: Subscription): Promise<void> {
    setError(undefined);
    setNote(undefined);
    try {
      if (method === 'POST') {
        const r = await apiSend<{ job: string }>('POST', `/api/v1/feeds/subscriptions/${s.id}/refresh`);
        setNote(`Refresh of ${s.url} queued as job ${r.job}.`);
      } else {
        await apiSend<void>('DELETE', `/api/v1/feeds/subscriptions/${s.id}`);
        setConfirm(undefined);
        setNote(`Unsubscribed from ${s.url}: its advisories leave the store and the portfolio is re-matched.`);
      }
      refetch();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="panel">
      <h2>Feed subscriptions</h2>
      <QueryView q={subs} label="feed subscriptions">
        {(d) =>
          d.items.length === 0 ? (
            <p className="muted">No subscription to a partner's advisory feed.</p>
          ) : (
            <table data-testid="subscriptions">
              <thead>
                <tr>
                  <th scope="col">Feed</th>
                  <th scope="col">Publisher</th>
                  <th scope="col">Records</th>
                  <th scope="col">Last load</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Next</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <code>{s.url}</code>
                    </td>
                    <td>{s.publisher ?? '—'}</td>
                    <td>{s.records}</td>
                    <td title={s.loadedAt}>{s.loadedAt ? formatAge(s.loadedAt) : 'never'}</td>
                    <td>{s.lastError ? <span className="error-text">{s.lastError}</span> : '—'}</td>
                    <td title={s.nextDue}>{formatAge(s.nextDue)}</td>
                    <td>
                      <button type="button" onClick={() => void act('POST', s)} aria-label={`Refresh ${s.url}`}>
                        Refresh
                      </button>{' '}
                      {confirm === s.id ? (
                        <button type="button" className="danger" onClick={() => void act('DELETE', s)}>
                          Confirm unsubscribing
                        </button>
                      ) : (
                        <button type="button" onClick={() => setConfirm(s.id)} aria-label={`Unsubscribe from ${s.url}`}>
                          Unsubscribe
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryView>
      <h3 className="small">Subscribe to a feed</h3>
      <form className="toolbar" onSubmit={(e) => void add(e)}>
        <label htmlFor="fs-url">Feed URL</label>
        <input id="fs-url" type="url" required maxLength={2000} value={url} onChange={(e) => setUrl(e.target.value)} />
        <label htmlFor="fs-key">Publisher's public key (PEM)</label>
        <textarea id="fs-key" required rows={3} value={publicKey} onChange={(e) => setPublicKey(e.target.value)} />
        <label htmlFor="fs-every">Every</label>
        <select id="fs-every" value={every} onChange={(e) => setEvery(e.target.value)}>
          {EVERY.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <label htmlFor="fs-token">Partner token (optional)</label>
        <input id="fs-token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
        <button type="submit">Subscribe</button>
      </form>
      {note && <p role="status">{note}</p>}
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}
