/**
 * The triage dialog: one analysis (state, justification, response, detail) recorded on one or more
 * (project, component) pairs of a vulnerability, with each pair's history shown. One pair: POST
 * /projects/{name}/analyses. Several ("triage for all"): per package, the bulk route (one
 * transaction) when its reach — asked first from GET /components with the same package and
 * exact-version range — is exactly the chosen pairs; otherwise one call per pair, so no project
 * that was not chosen is touched.
 */
import { useState, type FormEvent } from 'react';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiGetAll, enc } from '../api/client';
import { apiSend } from '../api/send';
import type { ComponentUse } from '../api/types';
import type { Analysis, AnalysisInput, AnalysisState, BulkInput, BulkResult, Justification, ResponseAction } from '../api/response';
import { ANALYSIS_STATES, JUSTIFICATIONS, RESPONSES, reachKey, triageGroups, triagePlan, words, type Target } from '../lib/response';
import { formatAge, purlParts } from '../lib/format';
import { Dialog } from './Dialog';
import { ErrorBox } from './ui';

export interface TriageTarget extends Target {
  vuln: string;
}

/** Everything the dialog changes, refetched after an analysis is recorded. */
const TOUCHED = ['affected', 'findings', 'analyses', 'portfolio', 'incident', 'incidents'];

export function TriageDialog({ targets, onClose }: { targets: TriageTarget[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [state, setState] = useState<AnalysisState>('in_triage');
  const [justification, setJustification] = useState<Justification | ''>('');
  const [response, setResponse] = useState<ReadonlySet<ResponseAction>>(new Set());
  const [detail, setDetail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();

  const histories = useQueries({
    queries: targets.map((t) => ({
      queryKey: ['analyses', t.project, t.purl, t.vuln, 'history'],
      queryFn: () => apiGet<{ items: Analysis[] }>(`/api/v1/projects/${enc(t.project)}/analyses`, { history: true, purl: t.purl, vuln: t.vuln }),
    })),
  });

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    const fields = {
      state,
      ...(state === 'not_affected' && justification ? { justification } : {}),
      ...(response.size ? { response: [...response] } : {}),
      ...(detail.trim() ? { detail: detail.trim() } : {}),
    };
    try {
      let bulkCalls = 0;
      let recorded = 0;
      const vulns = [...new Set(targets.map((t) => t.vuln))];
      for (const vuln of vulns) {
        const mine = targets.filter((t) => t.vuln === vuln);
        if (mine.length === 1) {
          const t = mine[0]!;
          await apiSend<Analysis>('POST', `/api/v1/projects/${enc(t.project)}/analyses`, { purl: t.purl, vuln, ...fields } satisfies AnalysisInput);
          recorded++;
          continue;
        }
        // what the bulk route would reach for each package and exact-version range
        const reach = new Map<string, Target[]>();
        for (const g of triageGroups(mine)) {
          const uses = await apiGetAll<ComponentUse>('/api/v1/components', { purl: g.purl, range: g.range });
          reach.set(reachKey(g.purl, g.range), uses.items.map((u) => ({ project: u.project, purl: u.purl })));
        }
        const plan = triagePlan(mine, reach);
        for (const b of plan.bulk) {
          const r = await apiSend<BulkResult>('POST', '/api/v1/analyses/bulk', { purl: b.purl, range: b.range, vuln, ...fields } satisfies BulkInput);
          recorded += r.applied.length;
          bulkCalls++;
        }
        for (const t of plan.single) {
          await apiSend<Analysis>('POST', `/api/v1/projects/${enc(t.project)}/analyses`, { purl: t.purl, vuln, ...fields } satisfies AnalysisInput);
          recorded++;
        }
      }
      setDone(`Recorded “${words(state)}” on ${recorded} ${recorded === 1 ? 'component' : 'components'}${bulkCalls ? ` (${bulkCalls} bulk ${bulkCalls === 1 ? 'call' : 'calls'}, one transaction each)` : ''}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      for (const k of TOUCHED) void qc.invalidateQueries({ queryKey: [k] });
    }
  }

  const projects = new Set(targets.map((t) => t.project)).size;
  const title = targets.length === 1 ? `Triage ${targets[0]!.vuln} in ${targets[0]!.project}` : `Triage ${targets[0]?.vuln ?? ''} in ${projects} ${projects === 1 ? 'project' : 'projects'}`;
  return (
    <Dialog title={title} onClose={onClose} wide>
      <form className="triage" onSubmit={(e) => void submit(e)}>
        <label htmlFor="t-state">State</label>
        <select id="t-state" value={state} onChange={(e) => setState(e.target.value as AnalysisState)}>
          {ANALYSIS_STATES.map((s) => (
            <option key={s} value={s}>
              {words(s)}
            </option>
          ))}
        </select>
        <label htmlFor="t-just">Justification</label>
        <select id="t-just" value={justification} disabled={state !== 'not_affected'} aria-describedby="t-just-help" onChange={(e) => setJustification(e.target.value as Justification | '')}>
          <option value="">none</option>
          {JUSTIFICATIONS.map((j) => (
            <option key={j} value={j}>
              {words(j)}
            </option>
          ))}
        </select>
        <span id="t-just-help" className="muted small">
          for “not affected” only (VEX)
        </span>
        <fieldset>
          <legend>Response</legend>
          {RESPONSES.map((r) => (
            <label key={r}>
              <input
                type="checkbox"
                checked={response.has(r)}
                onChange={(e) =>
                  setResponse((s) => {
                    const n = new Set(s);
                    if (e.target.checked) n.add(r);
                    else n.delete(r);
                    return n;
                  })
                }
              />{' '}
              {words(r)}
            </label>
          ))}
        </fieldset>
        <label htmlFor="t-detail">Detail</label>
        <textarea id="t-detail" rows={3} maxLength={10000} value={detail} onChange={(e) => setDetail(e.target.value)} />
        <div className="toolbar">
          <button type="submit" disabled={busy}>
            {targets.length === 1 ? 'Record analysis' : `Apply to ${targets.length} selected`}
          </button>
          <button type="button" onClick={onClose}>
            {done ? 'Close' : 'Cancel'}
          </button>
          {busy && <span role="status">Recording…</span>}
        </div>
        {done && (
          <p role="status" className="ok">
            {done}
          </p>
        )}
        {error !== undefined && <ErrorBox error={error} />}
      </form>
      <h3 className="small">History</h3>
      <ul className="history">
        {targets.map((t, i) => {
          const h = histories[i]!;
          const p = purlParts(t.purl);
          return (
            <li key={`${t.project}\n${t.purl}\n${t.vuln}`}>
              <strong>{t.project}</strong> <span className="muted">{p.name}@{p.version ?? ''}</span>
              {h.isError ? (
                <ErrorBox error={h.error} />
              ) : !h.data ? (
                <span className="muted"> loading…</span>
              ) : h.data.items.length === 0 ? (
                <span className="muted"> — no analysis yet</span>
              ) : (
                <ol>
                  {h.data.items.map((a) => (
                    <li key={a.id}>
                      <span title={a.at}>{formatAge(a.at)}</span> — <strong>{words(a.state)}</strong>
                      {a.justification ? ` (${words(a.justification)})` : ''}
                      {a.response.length ? `, response: ${a.response.map(words).join(', ')}` : ''} by {a.author} via {a.source}
                      {a.detail ? <div className="details">{a.detail}</div> : null}
                    </li>
                  ))}
                </ol>
              )}
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}
