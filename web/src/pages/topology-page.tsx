// The physical topology as the hosts' LLDP/CDP sees it: switches -> ports -> hosts. Filter by switch
// or host name; click a host to open it.
import { useMemo, useState, type FormEvent } from 'react';
import { get } from '../api';
import { GraphView } from '../components/graph-view';
import { ErrorBox } from '../components/layout';
import { hostPath } from '../format';
import { TOPOLOGY_STYLE, naturalCompare, topologyElements, type TopologyFilter } from '../graph/topology-elements';
import { useLoad } from '../hooks';
import { navigate } from '../router';
import type { HostList, Topology } from '../types';

const LAYOUT = { name: 'preset' } as const;

export function TopologyPage() {
  const topo = useLoad((signal) => get<Topology>('/api/v1/topology', {}, signal), []);
  const hosts = useLoad((signal) => get<HostList>('/api/v1/hosts', {}, signal), []);
  const [draft, setDraft] = useState<TopologyFilter>({ switchName: '', host: '', showPorts: true });
  const [filter, setFilter] = useState(draft);
  const [picked, setPicked] = useState<string | null>(null);

  const status = useMemo(() => new Map((hosts.data?.items ?? []).map((h) => [h.hostId, h.status])), [hosts.data]);
  const built = useMemo(() => (topo.data && hosts.data ? topologyElements(topo.data, filter, status) : null), [topo.data, hosts.data, filter, status]);
  const switches = useMemo(() => (topo.data?.switches ?? []).map((s) => s.name).sort(naturalCompare), [topo.data]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter(draft);
  };
  const onTap = (n: Record<string, unknown>) => {
    if (n['kind'] === 'host') navigate(hostPath(String(n['hostId'])));
    else setPicked(n['kind'] === 'switch' ? `Switch ${String(n['label'])}: ${String(n['ports'])} port(s) with a host` : `Port ${String(n['label'])} of ${String(n['switchName'])}`);
  };

  return (
    <>
      <div className="page-head">
        <h1>Topology</h1>
        {built && (
          <span className="muted" data-testid="topology-counts">
            {built.switches} switches · {built.ports} ports · {built.hosts} hosts
          </span>
        )}
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filter topology">
        <label>
          Switch
          <select value={draft.switchName} onChange={(e) => setDraft({ ...draft, switchName: e.target.value })}>
            <option value="">all switches</option>
            {switches.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Host name
          <input value={draft.host} onChange={(e) => setDraft({ ...draft, host: e.target.value })} spellCheck={false} />
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.showPorts} onChange={(e) => setDraft({ ...draft, showPorts: e.target.checked })} /> Show ports
        </label>
        <button type="submit">Apply filter</button>
        <span className="muted">Click a host to open it. Labels appear as you zoom in. Green: up, red: down.</span>
      </form>
      <ErrorBox error={topo.error ?? hosts.error} />
      {picked && <p className="notice" role="status">{picked}</p>}
      {built && built.hosts === 0 && <p className="muted">{topo.data?.hosts.length ? 'Nothing matches the filter.' : 'No host has reported yet.'}</p>}
      {built && <GraphView label={`Topology: ${built.switches} switches, ${built.ports} ports, ${built.hosts} hosts`} elements={built.elements} style={TOPOLOGY_STYLE} layout={LAYOUT} onTapNode={onTap} height={640} pinnedLabels='node[kind="switch"]' />}
      {!built && !topo.error && <p className="muted">Loading…</p>}
    </>
  );
}
