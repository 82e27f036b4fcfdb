// A fabric's Cleared table: every recorded endpoint clear (who, why, when, nodes, outcome, dry run,
// command output), newest first, filtered by address prefix and paged by the server, CSV export.
// Live by polling page 1 every few seconds: a clear is a person's action, not a finding, so the
// finding stream does not announce it.
import { Fragment, useState, type FormEvent } from 'react';
import { get } from '../api';
import { download, endpointPath, nodeLabel, time, toCsv } from '../format';
import { useInterval, useLoad } from '../hooks';
import { Link } from '../router';
import type { ClearRecord, Page } from '../types';
import { CLEAR_CSV_HEADER, ClearResults, Outcome, clearCsvRow } from './clear-results';
import { ErrorBox, Pager } from './layout';

const PAGE = 50;
const EXPORT_MAX = 10_000;
export const CLEAR_POLL_MS = 5000;

export function ClearTable({ fabric }: { fabric: string }) {
  const [search, setSearch] = useState('');
  const [draft, setDraft] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [exporting, setExporting] = useState<string | null>(null);
  const path = `/api/v1/fabrics/${encodeURIComponent(fabric)}/clears`;
  const cursor = cursors[cursors.length - 1];
  const page = useLoad((signal) => get<Page<ClearRecord>>(path, { search: search.trim(), cursor, limit: PAGE }, signal), [path, search, cursor]);
  // Later pages stay put while read; page 1 follows new clears.
  useInterval(() => cursors.length === 0 && page.reload(), CLEAR_POLL_MS);
  const rows = page.data?.items ?? [];

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setSearch(draft);
    setCursors([]);
  };
  const toggle = (id: number) =>
    setOpen((s) => {
      const n = new Set(s);
      if (!n.delete(id)) n.add(id);
      return n;
    });
  const csvOf = (items: ClearRecord[]) => toCsv(CLEAR_CSV_HEADER, items.map(clearCsvRow));
  const exportAll = async () => {
    const all: ClearRecord[] = [];
    let next: string | undefined;
    try {
      do {
        setExporting(`Exporting… ${all.length} rows`);
        const p = await get<Page<ClearRecord>>(path, { search: search.trim(), cursor: next, limit: 1000 });
        all.push(...p.items);
        next = p.nextCursor ?? undefined;
      } while (next && all.length < EXPORT_MAX);
      download(`${fabric}-cleared.csv`, csvOf(all));
      setExporting(next ? `Exported the newest ${all.length} rows (limit ${EXPORT_MAX})` : null);
    } catch (e) {
      setExporting(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const headers = ['When', 'Address', 'Who', 'Reason', 'Nodes', 'Outcome', 'Dry run', 'Output'];
  return (
    <section aria-label="Cleared records">
      <form className="filters" onSubmit={apply} aria-label="Filter cleared">
        <label>
          Address prefix
          <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="MAC or IP" spellCheck={false} />
        </label>
        <button type="submit">Apply filter</button>
        <span className="spacer" />
        <span className="live on" title={`Page 1 is refreshed every ${CLEAR_POLL_MS / 1000} s`}>
          ⟳ every {CLEAR_POLL_MS / 1000} s
        </span>
        <button type="button" onClick={() => download(`${fabric}-cleared-page.csv`, csvOf(rows))} disabled={rows.length === 0}>
          CSV (this page)
        </button>
        <button type="button" onClick={() => void exportAll()} disabled={exporting?.startsWith('Exporting') === true}>
          CSV (all matching)
        </button>
      </form>
      {exporting && <p className="muted" role="status">{exporting}</p>}
      <ErrorBox error={page.error} />
      <div className="table-wrap">
        <table className="data" aria-busy={page.loading}>
          <caption className="sr-only">Endpoint clears of fabric {fabric}, newest first</caption>
          <thead>
            <tr>
              {headers.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <Fragment key={r.id}>
                <tr data-clear={r.id} data-addr={r.addr}>
                  <td>{time(r.ts)}</td>
                  <td>
                    <Link to={endpointPath(r.fabric, r.vnid, r.addr)} className="mono">
                      {r.addr}
                    </Link>
                  </td>
                  <td>{r.who}</td>
                  <td className="wrap">{r.reason}</td>
                  <td>{r.nodes.map((n) => nodeLabel(n)).join(', ')}</td>
                  <td>
                    <Outcome r={r} />
                  </td>
                  <td>{r.dryRun ? 'yes' : 'no'}</td>
                  <td>
                    <button type="button" className="link" aria-expanded={open.has(r.id)} onClick={() => toggle(r.id)}>
                      {open.has(r.id) ? 'Hide' : 'Show'} output of clear {r.id}
                    </button>
                  </td>
                </tr>
                {open.has(r.id) && (
                  <tr className="detail">
                    <td colSpan={headers.length}>
                      <ClearResults r={r} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
            {!page.loading && rows.length === 0 && (
              <tr>
                <td colSpan={headers.length} className="muted">
                  No clears{search.trim() ? ' match the filter' : ' recorded'}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager cursors={cursors} next={page.data?.nextCursor} setCursors={setCursors} info={`${PAGE} per page`} labels={['← Newer', 'Older →']} />
    </section>
  );
}
