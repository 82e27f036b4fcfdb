// Hosts that report through an agent: filtered by name, IP or MAC and by up/down, paged by the
// server. A host is down when it has not reported within the chosen window.
import { useState, type FormEvent } from 'react';
import { get } from '../api';
import { ErrorBox, Pager } from '../components/layout';
import { ago, hostPath, HOST_STALE_AFTER_MS, time } from '../format';
import { useInterval, useLoad } from '../hooks';
import { Link } from '../router';
import type { HostList, HostSummary } from '../types';

const PAGE = 50;
const WINDOWS: [number, string][] = [
  [HOST_STALE_AFTER_MS, '3 min'],
  [900_000, '15 min'],
  [3_600_000, '1 hour'],
  [86_400_000, '1 day'],
];

export function HostStatus({ status, lastTs }: { status: 'up' | 'down'; lastTs: number }) {
  return (
    <span className={`state state-${status === 'up' ? 'running' : 'error'}`} title={`last report ${time(lastTs)}`}>
      {status}
    </span>
  );
}

/** Addresses worth showing in a summary (not loopback or link-local). */
const shown = (ips: string[]) => ips.filter((ip) => !/^(127\.|::1$|fe80:)/i.test(ip));

function links(h: HostSummary): string {
  if (h.switchLinks.length === 0) return '—';
  return h.switchLinks.map((l) => `${l.iface} → ${l.switchName} ${l.portId}`).join('; ');
}

export function HostsPage({ status = '' }: { status?: string }) {
  const [draft, setDraft] = useState({ q: '', status: status === 'up' || status === 'down' ? status : '', staleAfter: HOST_STALE_AFTER_MS });
  const [filters, setFilters] = useState(draft);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad((signal) => get<HostList>('/api/v1/hosts', { q: filters.q.trim(), status: filters.status, staleAfter: filters.staleAfter, cursor, limit: PAGE }, signal), [filters, cursor]);
  useInterval(list.reload, 15_000);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setCursors([]);
  };
  const c = list.data?.counts;
  return (
    <>
      <div className="page-head">
        <h1>Hosts</h1>
        {c && (
          <span className="muted" data-testid="host-counts">
            {c.total} hosts · <span className="ok">{c.up} up</span> · <span className={c.down ? 'error' : undefined}>{c.down} down</span>
          </span>
        )}
        <Link to="/topology">Topology graph</Link>
        <Link to="/dependencies">Dependency graph</Link>
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filter hosts">
        <label>
          Name, IP or MAC
          <input value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} spellCheck={false} placeholder="web, 10.0.1., 02:00…" />
        </label>
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">all</option>
            <option value="up">up</option>
            <option value="down">down</option>
          </select>
        </label>
        <label>
          Down after no report for
          <select value={draft.staleAfter} onChange={(e) => setDraft({ ...draft, staleAfter: Number(e.target.value) })}>
            {WINDOWS.map(([ms, t]) => (
              <option key={ms} value={ms}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply filter</button>
      </form>
      <ErrorBox error={list.error} />
      <div className="table-wrap">
        <table className="data" aria-busy={list.loading}>
          <caption className="sr-only">Hosts reporting through an agent, by hostname</caption>
          <thead>
            <tr>
              {['Hostname', 'Status', 'OS', 'Interfaces', 'Addresses', 'Switch links (LLDP/CDP)', 'Last report', 'Site'].map((t) => (
                <th key={t} scope="col">
                  {t}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((h) => (
              <tr key={h.hostId} data-host={h.hostId}>
                <td>
                  <Link to={hostPath(h.hostId)}>{h.hostname}</Link>
                  {h.hostname !== h.hostId && <span className="muted small"> {h.hostId}</span>}
                </td>
                <td>
                  <HostStatus status={h.status} lastTs={h.lastTs} />
                </td>
                <td>{h.os ?? '—'}</td>
                <td>{h.interfaces}</td>
                <td className="mono" title={h.ips.join(', ')}>
                  {h.addresses}
                  {shown(h.ips).length > 0 && (
                    <span className="muted">
                      {' '}
                      ({shown(h.ips).slice(0, 2).join(', ')}
                      {shown(h.ips).length > 2 ? ', …' : ''})
                    </span>
                  )}
                </td>
                <td className="wrap">{links(h)}</td>
                <td title={time(h.lastTs)}>{ago(h.lastTs)}</td>
                <td>{h.site}</td>
              </tr>
            ))}
            {!list.loading && list.data?.items.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  {c?.total ? 'No host matches the filter.' : 'No host has reported yet. Issue an agent token (Agents) and start `ept agent` on a host.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager cursors={cursors} next={list.data?.nextCursor} setCursors={setCursors} />
    </>
  );
}
