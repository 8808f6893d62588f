import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { apiFetch, apiGet } from '../api/client';
import type { MarketEngagement, MarketNeeds } from '../api/types';
import { ErrorBox, QueryView } from '../components/ui';

const route = getRouteApi('/marketplace');

/** The kinds of work a need asks for (src/marketplace/skills.ts AREAS). */
export const SKILLS = ['vulnerability-fixing', 'backporting', 'ci-security', 'fuzzing', 'release-engineering', 'security-policy', 'maintenance', 'code-review', 'testing', 'build', 'documentation'] as const;

const STATES = [
  ['proposed', 'Proposed'],
  ['accepted', 'Accepted'],
  ['in_progress', 'In progress'],
  ['done', 'Done (re-checked)'],
  ['dropped', 'Dropped'],
] as const;

const open = (e: MarketEngagement): boolean => e.state !== 'done' && e.state !== 'dropped';

/**
 * The marketplace (issue 16): the needs of the open source our projects use, ranked, each with why;
 * "I can help" proposes the signed-in token's name as the need's lead; the engagements board shows
 * where help is going. Reliance counts only the projects the token may see (docs/marketplace.md).
 */
export function MarketplacePage() {
  const { skill } = route.useSearch();
  const navigate = useNavigate({ from: '/marketplace' });
  const qc = useQueryClient();
  const [said, setSaid] = useState<string | undefined>();
  const needs = useQuery({ queryKey: ['market-needs', skill], queryFn: () => apiGet<MarketNeeds>('/api/v1/marketplace/needs', { skill, limit: 1000 }) });
  const engagements = useQuery({ queryKey: ['market-engagements'], queryFn: () => apiGet<{ items: MarketEngagement[] }>('/api/v1/marketplace/engagements') });
  const help = useMutation({
    mutationFn: async (need: string) => (await apiFetch('/api/v1/marketplace/engagements', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ need }) })).json() as Promise<MarketEngagement>,
    onSuccess: (e) => {
      setSaid(`Proposed: ${e.volunteer} → ${e.need.title} (${e.need.project.ecosystem}/${e.need.project.name}).`);
      void qc.invalidateQueries({ queryKey: ['market-engagements'] });
    },
  });
  const taken = new Map((engagements.data?.items ?? []).filter(open).map((e) => [e.need.id, e]));

  return (
    <section>
      <h1>Marketplace</h1>
      <p>What the open source our projects rely on needs, highest priority first: priority = reliance in the projects you can see × the project&apos;s criticality × the weight of the gap.</p>
      <form className="toolbar" role="search" aria-label="Filter needs" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="mskill">Skill</label>
        <select id="mskill" value={skill ?? ''} onChange={(e) => void navigate({ search: { skill: e.target.value || undefined } })}>
          <option value="">any</option>
          {SKILLS.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </form>
      {said && (
        <p role="status" data-testid="market-said">
          {said}
        </p>
      )}
      {help.isError && <ErrorBox error={help.error} />}
      <QueryView q={needs} label="the needs">
        {(d) =>
          d.needs.length === 0 ? (
            <p role="status" data-testid="needs-empty">
              {skill ? `No need asks for ${skill}.` : (d.empty ?? 'No needs.')}
            </p>
          ) : (
            <table className="vtable" aria-label="Needs, highest priority first" data-testid="needs-table">
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Project</th>
                  <th scope="col">Need</th>
                  <th scope="col">Effort</th>
                  <th scope="col">Skills</th>
                  <th scope="col">Help</th>
                </tr>
              </thead>
              <tbody>
                {d.needs.map((n) => {
                  const e = taken.get(n.id);
                  return (
                    <tr key={n.id} data-need={n.id}>
                      <td className="num">{n.priority.toFixed(3)}</td>
                      <td>
                        {n.project.ecosystem}/{n.project.name}
                      </td>
                      <td>
                        <strong>{n.title}</strong>
                        <div className="muted">why: {n.reason}</div>
                      </td>
                      <td>
                        {n.effort} · {n.hours} h
                      </td>
                      <td>{n.skills.areas.join(', ')}</td>
                      <td>
                        {e ? (
                          <span className="tag">
                            {e.volunteer}: {e.state.replace('_', ' ')}
                          </span>
                        ) : (
                          <button type="button" disabled={help.isPending} onClick={() => help.mutate(n.id)} aria-label={`I can help: ${n.title} (${n.project.name})`}>
                            I can help
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </QueryView>
      <h2 id="board-h">Engagements</h2>
      <QueryView q={engagements} label="the engagements">
        {(d) => (
          <div className="tiles" role="group" aria-labelledby="board-h" data-testid="board">
            {STATES.map(([state, label]) => {
              const list = d.items.filter((e) => e.state === state);
              return (
                <section key={state} className="panel" aria-label={label} data-state={state}>
                  <h3>
                    {label} <span className="muted">({list.length})</span>
                  </h3>
                  <ul>
                    {list.map((e) => (
                      <li key={e.id} data-engagement={e.id}>
                        <strong>{e.need.title}</strong> — {e.need.project.ecosystem}/{e.need.project.name}
                        <div className="muted">
                          {e.volunteer}
                          {e.company ? ` (${e.company})` : ''} · {e.hours.reduce((s, h) => s + h.hours, 0)} h logged
                        </div>
                      </li>
                    ))}
                  </ul>
                </section>
              );
            })}
          </div>
        )}
      </QueryView>
    </section>
  );
}
