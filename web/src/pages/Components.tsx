import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { apiGetAll } from '../api/client';
import type { ComponentUse } from '../api/types';
import { QueryView } from '../components/ui';
import { VirtualTable, type Features } from '../components/VirtualTable';

const route = getRouteApi('/components');

const col = createColumnHelper<Features, ComponentUse>();
const columns = col.columns([
  col.accessor('project', {
    header: 'Project',
    sortFn: 'alphanumeric',
    cell: (c) => (
      <Link to="/projects/$name" params={{ name: c.getValue() }} search={{ version: c.row.original.version }}>
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('version', { header: 'Project version', sortFn: 'alphanumeric', cell: (c) => <>{c.getValue()}{c.row.original.current && <span className="tag">current</span>}</> }),
  col.accessor('componentVersion', { header: 'Package version', sortFn: 'alphanumeric' }),
  col.accessor((u) => u.scope ?? '', { id: 'scope', header: 'Scope', sortFn: 'text' }),
  col.accessor((u) => (u.direct === undefined ? '' : u.direct ? 'direct' : 'transitive'), { id: 'direct', header: 'Dependency', sortFn: 'text' }),
]);

export function ComponentsPage() {
  const { purl, range } = route.useSearch();
  const navigate = useNavigate({ from: '/components' });
  const [p, setP] = useState(purl ?? '');
  const [r, setR] = useState(range ?? '');
  const q = useQuery({
    queryKey: ['components', purl, range],
    queryFn: () => apiGetAll<ComponentUse>('/api/v1/components', { purl, range }),
    enabled: purl !== undefined,
  });

  function submit(e: FormEvent): void {
    e.preventDefault();
    void navigate({ search: { purl: p.trim() || undefined, range: r.trim() || undefined } });
  }

  return (
    <section>
      <h1>Component search</h1>
      <p>Who has a package — and who has it below a version? A purl without version, and optionally a vers range.</p>
      <form className="toolbar" onSubmit={submit} role="search" aria-label="Find a component">
        <label htmlFor="cpurl">Package (purl)</label>
        <input id="cpurl" type="search" size={48} placeholder="pkg:maven/org.apache.logging.log4j/log4j-core" value={p} onChange={(e) => setP(e.target.value)} required />
        <label htmlFor="crange">Range</label>
        <input id="crange" type="search" placeholder="vers:maven/<2.17.1" value={r} onChange={(e) => setR(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {purl !== undefined && (
        <QueryView q={q} label="the projects using it">
          {(d) => (
            <>
              <p role="status" data-testid="components-found">
                {d.items.length === 0 ? 'No project version you can see uses it.' : `${d.items.length} project ${d.items.length === 1 ? 'version uses' : 'versions use'} it.`}
              </p>
              {d.items.length > 0 && <VirtualTable data={d.items} columns={columns} label="Project versions using the package" rowKey={(u) => `${u.project}\n${u.version}\n${u.purl}`} />}
            </>
          )}
        </QueryView>
      )}
    </section>
  );
}
