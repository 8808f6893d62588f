import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, getRouteApi } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { apiGet, download, enc, withQuery } from '../api/client';
import type { Finding, Page, Project, ProjectComponents, ProjectVersion, ScanReport, Severity } from '../api/types';
import { SEVERITIES, byPriority, filterFindings, fixText, formatAge, formatEpss, pathLabel, severityWeight } from '../lib/format';
import { ErrorBox, KevBadge, QueryView, SeverityBadge } from '../components/ui';
import { VirtualTable, type Features } from '../components/VirtualTable';
import { TriageDialog, type TriageTarget } from '../components/TriageDialog';

const route = getRouteApi('/projects/$name');

const DOWNLOADS = [
  { format: 'cyclonedx', label: 'CycloneDX', ext: 'cdx.json' },
  { format: 'sarif', label: 'SARIF', ext: 'sarif' },
  { format: 'openvex', label: 'OpenVEX', ext: 'openvex.json' },
  { format: 'html', label: 'HTML report', ext: 'html' },
  { format: 'markdown', label: 'Markdown report', ext: 'md' },
  { format: 'spdx', label: 'SPDX SBOM', ext: 'spdx.json' },
] as const;

type ProjectComponent = ProjectComponents['items'][number];

export function ProjectPage() {
  const { name } = route.useParams();
  const { version } = route.useSearch();
  const project = useQuery({ queryKey: ['project', name], queryFn: () => apiGet<Project>(`/api/v1/projects/${enc(name)}`) });
  const versions = useQuery({ queryKey: ['versions', name], queryFn: () => apiGet<Page<ProjectVersion>>(`/api/v1/projects/${enc(name)}/versions`) });
  const hasVersion = version !== undefined || project.data?.currentVersion !== undefined;
  const report = useQuery({
    queryKey: ['findings', name, version ?? ''],
    queryFn: () => apiGet<ScanReport>(`/api/v1/projects/${enc(name)}/findings`, { format: 'json', version }),
    enabled: project.isSuccess && hasVersion,
  });
  const [dlError, setDlError] = useState<unknown>();
  const shownVersion = version ?? project.data?.currentVersion;

  return (
    <section>
      <p className="crumbs">
        <Link to="/projects" search={{}}>Projects</Link> /
      </p>
      <h1>{name}</h1>
      <QueryView q={project} label="the project">
        {(p) => (
          <>
            <dl className="facts">
              {p.parent && (
                <>
                  <dt>Parent</dt>
                  <dd>
                    <Link to="/projects/$name" params={{ name: p.parent }} search={{}}>
                      {p.parent}
                    </Link>
                  </dd>
                </>
              )}
              <dt>Tags</dt>
              <dd>{p.tags.length ? p.tags.join(', ') : '—'}</dd>
              <dt>Owners</dt>
              <dd>{p.owners.length ? p.owners.join(', ') : '—'}</dd>
              {p.children && p.children.length > 0 && (
                <>
                  <dt>Children</dt>
                  <dd>
                    {p.children.map((c, i) => (
                      <span key={c}>
                        {i > 0 && ', '}
                        <Link to="/projects/$name" params={{ name: c }} search={{}}>
                          {c}
                        </Link>
                      </span>
                    ))}
                  </dd>
                </>
              )}
            </dl>
            {!hasVersion && <p>No version uploaded yet: <code>vouch push</code> one.</p>}
          </>
        )}
      </QueryView>

      <h2>Versions</h2>
      <QueryView q={versions} label="versions">
        {(v) =>
          v.items.length === 0 ? (
            <p>No version.</p>
          ) : (
            <table className="versions">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col" className="num">Components</th>
                  <th scope="col" className="num">Findings</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {v.items.map((x) => (
                  <tr key={x.version} aria-current={x.version === shownVersion ? 'true' : undefined}>
                    <td>
                      <Link to="/projects/$name" params={{ name }} search={{ version: x.version }}>
                        {x.version}
                      </Link>
                      {x.current && <span className="tag">current</span>}
                    </td>
                    <td className="num">{x.components ?? ''}</td>
                    <td className="num">{x.findings ?? ''}</td>
                    <td title={x.updatedAt ?? x.createdAt}>{formatAge(x.updatedAt ?? x.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryView>

      {hasVersion && (
        <>
          <h2>
            Findings <span className="muted">in {shownVersion}</span>
          </h2>
          <details className="menu">
            <summary>Downloads</summary>
            <div className="toolbar" role="group" aria-label="Downloads">
              {DOWNLOADS.map((d) => (
                <button
                  key={d.format}
                  type="button"
                  onClick={() => {
                    setDlError(undefined);
                    download(withQuery(`/api/v1/projects/${enc(name)}/findings`, { format: d.format, version }), `${name}-${shownVersion ?? 'current'}.${d.ext}`).catch(setDlError);
                  }}
                >
                  Download {d.label}
                </button>
              ))}
            </div>
          </details>
          {dlError !== undefined && <ErrorBox error={dlError} />}
          <QueryView q={report} label="findings">
            {(r) => <Findings project={name} report={r} />}
          </QueryView>
          <Components project={name} version={version} shown={shownVersion} />
        </>
      )}
    </section>
  );
}

const col = createColumnHelper<Features, Finding>();

function Findings({ project, report }: { project: string; report: ScanReport }) {
  const [triage, setTriage] = useState<TriageTarget>();
  const [text, setText] = useState('');
  const [minSeverity, setMin] = useState<Severity | ''>('');
  const [kevOnly, setKev] = useState(false);
  const [showSuppressed, setSup] = useState(false);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const key = (f: Finding): string => `${f.id}\n${f.purl}`;
  const toggle = (k: string): void =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });

  const sorted = useMemo(() => [...report.findings].sort(byPriority), [report]);
  const shown = useMemo(() => filterFindings(sorted, { text, ...(minSeverity ? { minSeverity } : {}), kevOnly, showSuppressed }), [sorted, text, minSeverity, kevOnly, showSuppressed]);

  const columns = useMemo(
    () =>
      col.columns([
        col.accessor((f) => f.priority?.rank ?? Number.MAX_SAFE_INTEGER, {
          id: 'rank',
          header: '#',
          sortFn: 'basic',
          cell: (c) => {
            const f = c.row.original;
            const k = key(f);
            const expanded = open.has(k);
            return (
              <button type="button" className="expander" aria-expanded={expanded} onClick={() => toggle(k)}>
                <span aria-hidden="true">{expanded ? '▾' : '▸'}</span> {f.priority?.rank ?? ''}
                <span className="sr-only">
                  : {expanded ? 'hide' : 'show'} paths of {f.id} in {f.name}
                </span>
              </button>
            );
          },
        }),
        col.accessor((f) => severityWeight(f.severity?.rating), {
          id: 'severity',
          header: 'Severity',
          sortFn: 'basic',
          cell: (c) => {
            const s = c.row.original.severity;
            return (
              <>
                <SeverityBadge s={s?.rating} /> {s?.score !== undefined ? <span className="muted">{s.score}</span> : null}
              </>
            );
          },
        }),
        col.accessor('id', {
          header: 'Vulnerability',
          sortFn: 'alphanumeric',
          cell: (c) => {
            const f = c.row.original;
            return (
              <>
                <Link to="/vulnerabilities" search={{ id: f.id }}>
                  {f.id}
                </Link>
                {f.kev && (
                  <>
                    {' '}
                    <KevBadge />
                  </>
                )}
                {f.aliases && f.aliases.length > 0 && <div className="muted small">{f.aliases.join(', ')}</div>}
              </>
            );
          },
        }),
        col.accessor((f) => `${f.name}@${f.version}`, { id: 'package', header: 'Package', sortFn: 'alphanumeric' }),
        col.accessor((f) => f.epss?.score ?? -1, { id: 'epss', header: 'EPSS', sortFn: 'basic', cell: (c) => formatEpss(c.row.original.epss?.score) }),
        col.accessor((f) => fixText(f), { id: 'fix', header: 'Fixed in', sortFn: 'alphanumeric' }),
        col.accessor((f) => (f.suppressed ? `${f.suppressed.status ?? 'suppressed'}` : 'open'), { id: 'state', header: 'State', sortFn: 'text' }),
        col.accessor((f) => f.summary ?? '', { id: 'summary', header: 'Summary', sortFn: 'text', cell: (c) => <span className="summary">{c.getValue()}</span> }),
        col.display({
          id: 'triage',
          header: () => <span className="sr-only">Triage</span>,
          cell: (c) => {
            const f = c.row.original;
            return (
              <button type="button" onClick={() => setTriage({ project, purl: f.purl, vuln: f.id })} aria-label={`Triage ${f.id} in ${f.name}@${f.version}`}>
                Triage
              </button>
            );
          },
        }),
      ]),
    [open, project],
  );

  return (
    <>
      <p className="summaryline">
        {report.summary.findings} findings in {report.summary.components} components
        {report.summary.kev ? `, ${report.summary.kev} known exploited` : ''}
        {report.summary.suppressed ? `, ${report.summary.suppressed} suppressed by VEX or policy` : ''}.
      </p>
      <div className="toolbar" role="search" aria-label="Filter findings">
        <label htmlFor="ftext">Filter</label>
        <input id="ftext" type="search" placeholder="id, alias, package or text" value={text} onChange={(e) => setText(e.target.value)} />
        <label htmlFor="fsev">Severity at least</label>
        <select id="fsev" value={minSeverity} onChange={(e) => setMin(e.target.value as Severity | '')}>
          <option value="">any</option>
          {SEVERITIES.filter((s) => s !== 'UNKNOWN' && s !== 'NONE').map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label>
          <input type="checkbox" checked={kevOnly} onChange={(e) => setKev(e.target.checked)} /> KEV only
        </label>
        <label>
          <input type="checkbox" checked={showSuppressed} onChange={(e) => setSup(e.target.checked)} /> show suppressed
        </label>
        <span role="status" data-testid="findings-shown">
          {shown.length} of {report.findings.length} shown
        </span>
      </div>
      <VirtualTable
        data={shown}
        columns={columns}
        label="Findings"
        rowKey={key}
        height={640}
        rowHeight={44}
        renderAfterRow={(row) => (open.has(row.id) ? <FindingDetail f={row.original} /> : null)}
      />
      {triage && <TriageDialog targets={[triage]} onClose={() => setTriage(undefined)} />}
    </>
  );
}

function FindingDetail({ f }: { f: Finding }) {
  return (
    <div className="finding-detail">
      {f.priority && <p className="muted">Why this rank: {f.priority.reason}</p>}
      {f.kev && (
        <p>
          <KevBadge /> since {f.kev.dateAdded ?? '?'}
          {f.kev.dueDate ? `, due ${f.kev.dueDate}` : ''}
          {f.kev.knownRansomwareUse ? ', known ransomware use' : ''}
        </p>
      )}
      {f.suppressed && (
        <p>
          Suppressed by {f.suppressed.by}: {f.suppressed.status ?? ''} {f.suppressed.justification ?? ''}
        </p>
      )}
      <h3 className="small">Dependency paths{f.pathsTotal && f.paths && f.pathsTotal > f.paths.length ? ` (${f.paths.length} of ${f.pathsTotal})` : ''}</h3>
      {f.paths && f.paths.length > 0 ? (
        <ol className="paths">
          {f.paths.map((p, i) => (
            <li key={i}>{pathLabel(p).join(' → ')}</li>
          ))}
        </ol>
      ) : (
        <p className="muted">No path recorded.</p>
      )}
    </div>
  );
}

const ccol = createColumnHelper<Features, ProjectComponent>();
const componentColumns = ccol.columns([
  ccol.accessor('purl', { header: 'Package', sortFn: 'alphanumeric' }),
  ccol.accessor('version', { header: 'Version', sortFn: 'alphanumeric' }),
  ccol.accessor('scope', { header: 'Scope', sortFn: 'text' }),
  ccol.accessor((c) => (c.direct ? 'direct' : 'transitive'), { id: 'direct', header: 'Dependency', sortFn: 'text' }),
  ccol.accessor((c) => c.licenses.join(' AND '), { id: 'licenses', header: 'Licences', sortFn: 'text', cell: (c) => c.getValue() || <span className="muted">none given</span> }),
]);

/**
 * Issue 15: the version's components with the licences its SBOM or lockfile gave — asked for (and
 * its table mounted) only when the section is opened: a large SBOM costs nothing until then.
 */
function Components({ project, version, shown }: { project: string; version: string | undefined; shown: string | undefined }) {
  const [opened, setOpened] = useState(false);
  return (
    <details className="components" onToggle={(e) => setOpened((e.target as HTMLDetailsElement).open)}>
      <summary>
        Components <span className="muted">in {shown}</span>
      </summary>
      {opened && <ComponentList project={project} version={version} />}
    </details>
  );
}

function ComponentList({ project, version }: { project: string; version: string | undefined }) {
  const q = useQuery({
    queryKey: ['components', project, version ?? ''],
    queryFn: () => apiGet<ProjectComponents>(`/api/v1/projects/${enc(project)}/components`, { version }),
  });
  const [text, setText] = useState('');
  const items = q.data?.items;
  const rows = useMemo(() => {
    const t = text.trim().toLowerCase();
    return (items ?? []).filter((c) => !t || c.purl.toLowerCase().includes(t) || c.licenses.some((l) => l.toLowerCase().includes(t)));
  }, [items, text]);
  return (
    <>
      <div className="toolbar">
        <label htmlFor="cfilter">Filter components</label>
        <input id="cfilter" type="search" placeholder="package or licence" value={text} onChange={(e) => setText(e.target.value)} />
        {items && (
          <span role="status" data-testid="components-shown">
            {rows.length} of {items.length} components
          </span>
        )}
      </div>
      <QueryView q={q} label="components">
        {() => <VirtualTable data={rows} columns={componentColumns} label="Components" rowKey={(c) => c.purl} />}
      </QueryView>
    </>
  );
}
