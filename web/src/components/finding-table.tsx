// A finding table (moves, offsubnet, stale, rapid): filtered, sorted and paged by the server (the
// sort is part of the keyset cursor, so paging follows it), CSV export, refreshed live from the SSE
// stream without a reload.
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { get } from '../api';
import { download, KIND_PATHS, KIND_TITLES, PER_ENDPOINT_KINDS, toCsv } from '../format';
import { useFindingStream, useLoad } from '../hooks';
import type { FindingItem, FindingKind, Page } from '../types';
import { columnsFor, type FindingSort } from './finding-columns';
import { ErrorBox, Pager } from './layout';

const PAGE = 50;
const EXPORT_MAX = 10_000;
const WINDOWS: Record<string, number | undefined> = { all: undefined, hour: 3_600_000, day: 86_400_000 };

interface Filters {
  search: string;
  node: string;
  window: string;
}

interface Sort {
  sort: FindingSort;
  order: 'asc' | 'desc';
}
const DEFAULT_SORT: Sort = { sort: 'lastTs', order: 'desc' };
const SORT_NAMES: Record<FindingSort, string> = { lastTs: 'last seen', count: 'count', addr: 'address' };

/** A record's key; a live finding of a per-endpoint kind counts in its endpoint's record (node 0). */
const rowKey = (r: { kind: FindingKind; vnid: number; addr: string; node: number }) => `${r.vnid}/${r.addr}/${PER_ENDPOINT_KINDS.has(r.kind) ? 0 : r.node}`;

export function FindingTable({ fabric, kind }: { fabric: string; kind: FindingKind }) {
  const [filters, setFilters] = useState<Filters>({ search: '', node: '', window: 'all' });
  const [draft, setDraft] = useState<Filters>(filters);
  const [nodeError, setNodeError] = useState<string | null>(null);
  // Cursors of the pages before the current one; [] is the first (newest) page.
  const [cursors, setCursors] = useState<string[]>([]);
  const [sort, setSort] = useState<Sort>(DEFAULT_SORT);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [pendingNew, setPendingNew] = useState(0);
  const [exporting, setExporting] = useState<string | null>(null);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const columns = useMemo(() => columnsFor(kind), [kind]);
  const path = `/api/v1/fabrics/${encodeURIComponent(fabric)}/${KIND_PATHS[kind]}`;

  const query = (cursor: string | undefined, limit: number) => {
    const win = WINDOWS[filters.window];
    return { search: filters.search.trim(), node: filters.node, since: win ? Date.now() - win : undefined, sort: sort.sort, order: sort.order, cursor, limit };
  };
  const cursor = cursors[cursors.length - 1];
  const page = useLoad((signal) => get<Page<FindingItem>>(path, query(cursor, PAGE), signal), [path, filters, sort, cursor]);

  const live = useFindingStream(fabric, (items) => {
    const mine = items.filter((i) => i.kind === kind);
    if (mine.length === 0) return;
    if (cursors.length > 0) {
      setPendingNew((n) => n + mine.length);
      return;
    }
    setFresh((s) => new Set([...s, ...mine.map(rowKey)]));
    // At most one refresh a second however fast findings arrive.
    reloadTimer.current ??= setTimeout(() => {
      reloadTimer.current = null;
      page.reload();
    }, 1000);
  });

  const rows = page.data?.items ?? [];

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const n = draft.node.trim();
    if (n && !/^[1-9]\d{0,9}$/.test(n)) {
      setNodeError('Node must be a node id such as 101');
      return;
    }
    setNodeError(null);
    setFilters({ ...draft, node: n });
    setCursors([]);
  };
  // A new sort starts again at page 1 (a cursor only continues the sort that made it). Addresses
  // read best A→Z first, times and counts biggest first.
  const toggleSort = (by: FindingSort) => {
    setSort((s) => (s.sort === by ? { sort: by, order: s.order === 'desc' ? 'asc' : 'desc' } : { sort: by, order: by === 'addr' ? 'asc' : 'desc' }));
    setCursors([]);
    setPendingNew(0);
  };
  const csvOf = (items: FindingItem[]) => toCsv(columns.map((c) => c.title), items.map((r) => columns.map((c) => (c.id.endsWith('Ts') ? new Date(c.value(r) as number).toISOString() : c.value(r)))));

  const exportAll = async () => {
    const all: FindingItem[] = [];
    let next: string | undefined;
    try {
      do {
        setExporting(`Exporting… ${all.length} rows`);
        const p = await get<Page<FindingItem>>(path, query(next, 1000));
        all.push(...p.items);
        next = p.nextCursor ?? undefined;
      } while (next && all.length < EXPORT_MAX);
      download(`${fabric}-${KIND_PATHS[kind]}.csv`, csvOf(all));
      setExporting(next ? `Exported the first ${all.length} rows in this order (limit ${EXPORT_MAX})` : null);
    } catch (e) {
      setExporting(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const title = KIND_TITLES[kind];
  return (
    <section aria-label={`${title} records`}>
      <form className="filters" onSubmit={apply} aria-label={`Filter ${title.toLowerCase()}`}>
        <label>
          Address prefix
          <input value={draft.search} onChange={(e) => setDraft({ ...draft, search: e.target.value })} placeholder="MAC or IP" spellCheck={false} />
        </label>
        {PER_ENDPOINT_KINDS.has(kind) ? null : (
          <label>
            Node
            <input value={draft.node} onChange={(e) => setDraft({ ...draft, node: e.target.value })} inputMode="numeric" size={6} aria-invalid={nodeError !== null} aria-describedby="node-error" />
          </label>
        )}
        <label>
          Updated
          <select value={draft.window} onChange={(e) => setDraft({ ...draft, window: e.target.value })}>
            <option value="all">any time</option>
            <option value="hour">last hour</option>
            <option value="day">last day</option>
          </select>
        </label>
        <button type="submit">Apply filter</button>
        <span id="node-error" className="field-error" role={nodeError ? 'alert' : undefined}>
          {nodeError}
        </span>
        <span className="spacer" />
        <span className={live ? 'live on' : 'live'} title="Live updates over server-sent events">
          {live ? '● live' : '○ connecting'}
        </span>
        <button type="button" onClick={() => download(`${fabric}-${KIND_PATHS[kind]}-page.csv`, csvOf(rows))} disabled={rows.length === 0}>
          CSV (this page)
        </button>
        <button type="button" onClick={() => void exportAll()} disabled={exporting?.startsWith('Exporting') === true}>
          CSV (all matching)
        </button>
      </form>
      {exporting && <p className="muted" role="status">{exporting}</p>}
      {pendingNew > 0 && (
        <p className="notice" role="status">
          {pendingNew} new {title.toLowerCase()} record(s).{' '}
          <button type="button" className="link" onClick={() => { setCursors([]); setPendingNew(0); }}>
            {sort.sort === DEFAULT_SORT.sort && sort.order === DEFAULT_SORT.order ? 'Show newest' : 'Back to page 1'}
          </button>
        </p>
      )}
      <ErrorBox error={page.error} />
      <div className="table-wrap">
        <table className="data" aria-busy={page.loading}>
          <caption className="sr-only">
            {title} records of fabric {fabric}, sorted by {SORT_NAMES[sort.sort]} {sort.order === 'asc' ? 'ascending' : 'descending'}
          </caption>
          <thead>
            <tr>
              {columns.map((c) => {
                const by = c.sort;
                if (!by) {
                  return (
                    <th key={c.id} scope="col">
                      {c.title}
                    </th>
                  );
                }
                const on = sort.sort === by;
                return (
                  <th key={c.id} scope="col" aria-sort={on ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
                    <button type="button" className="sort" onClick={() => toggleSort(by)} title={`Sort by ${SORT_NAMES[by]} (on the server)`}>
                      {c.title}
                      <span aria-hidden="true">{on ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={rowKey(r)} className={fresh.has(rowKey(r)) ? 'fresh' : undefined} data-addr={r.addr}>
                {columns.map((c) => (
                  <td key={c.id}>{c.cell ? c.cell(r) : c.value(r)}</td>
                ))}
              </tr>
            ))}
            {!page.loading && rows.length === 0 && (
              <tr>
                <td colSpan={columns.length} className="muted">
                  No {title.toLowerCase()} records{filters.search || filters.node || filters.window !== 'all' ? ' match the filter' : ''}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager cursors={cursors} next={page.data?.nextCursor} setCursors={setCursors} info={`${PAGE} per page · by ${SORT_NAMES[sort.sort]} ${sort.order === 'asc' ? '▲' : '▼'}`} />
    </section>
  );
}
