import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { apiGetAll } from '../api/client';
import type { Project } from '../api/types';
import { formatAge, matchesProject } from '../lib/format';
import { QueryView } from '../components/ui';
import { VirtualTable, type Features } from '../components/VirtualTable';
const route = getRouteApi('/projects');

const col = createColumnHelper<Features, Project>();
const columns = col.columns([
  col.accessor('name', {
    header: 'Project',
    sortFn: 'alphanumeric',
    cell: (c) => (
      <Link to="/projects/$name" params={{ name: c.getValue() }} search={{}}>
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor((p) => (p.tags ?? []).join(', '), { id: 'tags', header: 'Tags', sortFn: 'text' }),
  col.accessor((p) => (p.owners ?? []).join(', '), { id: 'owners', header: 'Owners', sortFn: 'text' }),
  col.accessor((p) => p.parent ?? '', { id: 'parent', header: 'Parent', sortFn: 'text' }),
  col.accessor((p) => p.currentVersion ?? '', { id: 'version', header: 'Current version', sortFn: 'alphanumeric' }),
  // issue 15: open findings of the current version (numbers sort descending first: the worst on top)
  ...(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const).map((s) =>
    col.accessor((p) => p.open?.[s] ?? 0, { id: s.toLowerCase(), header: s[0] + s.slice(1).toLowerCase(), sortFn: 'basic', cell: (c) => <span className={c.getValue() ? `count sev-${s.toLowerCase()}` : 'count zero'}>{c.getValue()}</span> }),
  ),
  col.accessor((p) => p.open?.kev ?? 0, { id: 'kev', header: 'KEV', sortFn: 'basic' }),
  col.accessor((p) => p.lastUpload ?? '', { id: 'upload', header: 'Last upload', sortFn: 'text', cell: (c) => (c.getValue() ? <span title={c.getValue()}>{formatAge(c.getValue())}</span> : 'never') }),
  col.accessor((p) => p.createdAt ?? '', { id: 'created', header: 'Created', sortFn: 'text', cell: (c) => <span title={c.getValue()}>{formatAge(c.getValue())}</span> }),
]);

export function ProjectsPage() {
  const { q: text = '' } = route.useSearch();
  const navigate = useNavigate({ from: '/projects' });
  const q = useQuery({ queryKey: ['projects'], queryFn: () => apiGetAll<Project>('/api/v1/projects') });
  const all = q.data?.items;
  const shown = useMemo(() => (all ?? []).filter((p) => matchesProject(p, text)), [all, text]);
  return (
    <section>
      <h1>Projects</h1>
      <div className="toolbar">
        <label htmlFor="pfilter">Filter</label>
        <input
          id="pfilter"
          type="search"
          placeholder="name, tag or owner"
          value={text}
          onChange={(e) => void navigate({ search: { q: e.target.value || undefined }, replace: true })}
        />
        {all && (
          <span role="status" data-testid="projects-shown">
            {shown.length} of {all.length} projects{q.data?.truncated ? ' (list cut at 100,000)' : ''}
          </span>
        )}
      </div>
      <QueryView q={q} label="projects">
        {() => <VirtualTable data={shown} columns={columns} label="Projects" rowKey={(p) => p.name} />}
      </QueryView>
    </section>
  );
}
