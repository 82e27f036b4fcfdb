// Columns of the finding tables per kind: how a cell renders, which server sort it maps to, what
// goes to CSV.
import type { ReactNode } from 'react';
import { endpointPath, nodeLabel, time } from '../format';
import { Link } from '../router';
import type { FindingItem, FindingKind, Location } from '../types';

/** The orders the server can list findings in (GET …/moves?sort=&order=). */
export type FindingSort = 'lastTs' | 'count' | 'addr';

export interface Column {
  id: string;
  title: string;
  /** Set on the columns the server sorts by; the others are not sortable (a page-local sort would mislead). */
  sort?: FindingSort;
  value(r: FindingItem): string | number;
  cell?(r: FindingItem): ReactNode;
}

const loc = (l: Location | undefined): string => (l ? `${nodeLabel(l.node)} ${l.ifId} ${l.encap}`.trim() : '');
const nodeName = (r: FindingItem): string => (r.details.nodeName ? `${r.details.nodeName} (${r.details.node})` : nodeLabel(r.details.node));

const common: Column[] = [
  { id: 'lastTs', title: 'Last seen', sort: 'lastTs', value: (r) => r.lastTs, cell: (r) => time(r.lastTs) },
  {
    id: 'addr',
    title: 'Address',
    sort: 'addr',
    value: (r) => r.addr,
    cell: (r) => (
      <Link to={endpointPath(r.fabric, r.vnid, r.addr)} className="mono">
        {r.addr}
      </Link>
    ),
  },
  { id: 'type', title: 'Type', value: (r) => r.type },
];
const tail: Column[] = [
  { id: 'count', title: 'Count', sort: 'count', value: (r) => r.count },
  { id: 'firstTs', title: 'First seen', value: (r) => r.firstTs, cell: (r) => time(r.firstTs) },
];
const epg: Column = { id: 'epg', title: 'EPG', value: (r) => r.details.epg ?? '' };
const iface: Column = { id: 'ifId', title: 'Interface', value: (r) => r.details.ifId ?? '' };
const encap: Column = { id: 'encap', title: 'Encap', value: (r) => r.details.encap ?? '' };
const node: Column = { id: 'node', title: 'Node', value: nodeName };

const specific: Record<FindingKind, Column[]> = {
  move: [{ id: 'from', title: 'From', value: (r) => loc(r.details.from) }, { id: 'to', title: 'To', value: (r) => `${nodeName(r)} ${r.details.ifId ?? ''} ${r.details.encap ?? ''}`.trim() }, epg],
  offsubnet: [node, iface, encap, epg, { id: 'mac', title: 'MAC', value: (r) => r.details.mac ?? '' }],
  stale: [node, { id: 'reason', title: 'Reason', value: (r) => r.details.reason ?? '' }, { id: 'remote', title: 'Points to', value: (r) => (r.details.remote ? nodeLabel(r.details.remote) : '') }, iface, epg],
  rapid: [{ id: 'rate', title: 'Events/min', value: (r) => Math.round(r.details.rate ?? 0) }, node],
};

export function columnsFor(kind: FindingKind): Column[] {
  return [...common, ...specific[kind], ...tail];
}
