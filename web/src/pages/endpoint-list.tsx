// Endpoints of a fabric (or search results across fabrics), filtered and paged by the server.
import { useState, type FormEvent } from 'react';
import { get } from '../api';
import { ErrorBox, Pager } from '../components/layout';
import { endpointPath, nodeLabel, time } from '../format';
import { useLoad } from '../hooks';
import { Link } from '../router';
import type { EndpointSummary, Page } from '../types';

const PAGE = 50;

export function EndpointTable({ items, loading, showFabric }: { items: EndpointSummary[]; loading: boolean; showFabric: boolean }) {
  return (
    <div className="table-wrap">
      <table className="data" aria-busy={loading}>
        <thead>
          <tr>
            {showFabric && <th scope="col">Fabric</th>}
            <th scope="col">Address</th>
            <th scope="col">Type</th>
            <th scope="col">Location</th>
            <th scope="col">Interface</th>
            <th scope="col">Encap</th>
            <th scope="col">Flags</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={`${e.fabric}/${e.vnid}/${e.addr}`}>
              {showFabric && <td>{e.fabric}</td>}
              <td>
                <Link to={endpointPath(e.fabric, e.vnid, e.addr)} className="mono">
                  {e.addr}
                </Link>
              </td>
              <td>{e.type}</td>
              <td>{e.current ? nodeLabel(e.current.node) : e.deletedTs ? 'deleted' : 'remote only'}</td>
              <td className="mono">{e.current?.ifId}</td>
              <td className="mono">{e.current?.encap}</td>
              <td>{[e.flags.offsubnet.length ? 'offsubnet' : '', e.flags.stale.length ? 'stale' : '', e.flags.rapidUntil > Date.now() ? 'rapid' : ''].filter(Boolean).join(', ')}</td>
              <td>{time(e.ts)}</td>
            </tr>
          ))}
          {!loading && items.length === 0 && (
            <tr>
              <td colSpan={showFabric ? 8 : 7} className="muted">
                No endpoints.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export function EndpointList({ fabric }: { fabric: string }) {
  const [draft, setDraft] = useState({ search: '', flag: '' });
  const [filters, setFilters] = useState(draft);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const path = `/api/v1/fabrics/${encodeURIComponent(fabric)}/endpoints`;
  const page = useLoad((signal) => get<Page<EndpointSummary>>(path, { search: filters.search.trim(), flag: filters.flag, cursor, limit: PAGE }, signal), [path, filters, cursor]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setCursors([]);
  };
  return (
    <section aria-label="Endpoints">
      <form className="filters" onSubmit={apply} aria-label="Filter endpoints">
        <label>
          Address prefix
          <input value={draft.search} onChange={(e) => setDraft({ ...draft, search: e.target.value })} spellCheck={false} />
        </label>
        <label>
          Only
          <select value={draft.flag} onChange={(e) => setDraft({ ...draft, flag: e.target.value })}>
            <option value="">all</option>
            <option value="active">active</option>
            <option value="offsubnet">offsubnet</option>
            <option value="stale">stale</option>
            <option value="rapid">rapid</option>
            <option value="deleted">deleted</option>
          </select>
        </label>
        <button type="submit">Apply filter</button>
      </form>
      <ErrorBox error={page.error} />
      <EndpointTable items={page.data?.items ?? []} loading={page.loading} showFabric={false} />
      <Pager cursors={cursors} next={page.data?.nextCursor} setCursors={setCursors} />
    </section>
  );
}
