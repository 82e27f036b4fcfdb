// Which host uses which service: client hosts -> services (host:port) -> the host running them, from
// the agents' established connections and listening sockets. Filter by host name or port.
import { useMemo, useState, type FormEvent } from 'react';
import { get } from '../api';
import { GraphView } from '../components/graph-view';
import { ErrorBox } from '../components/layout';
import { hostPath } from '../format';
import { DEPENDENCY_LAYOUT, DEPENDENCY_STYLE, dependencyElements, type DependencyFilter } from '../graph/dependency-elements';
import { useLoad } from '../hooks';
import { navigate } from '../router';
import type { GraphDependency, HostList } from '../types';

export function DependenciesPage() {
  const deps = useLoad((signal) => get<{ items: GraphDependency[] }>('/api/v1/dependencies', {}, signal), []);
  const hosts = useLoad((signal) => get<HostList>('/api/v1/hosts', {}, signal), []);
  const [draft, setDraft] = useState<DependencyFilter>({ host: '', port: '' });
  const [filter, setFilter] = useState(draft);
  const [portError, setPortError] = useState<string | null>(null);
  const [picked, setPicked] = useState<string | null>(null);

  const names = useMemo(() => new Map((hosts.data?.items ?? []).map((h) => [h.hostId, h.hostname])), [hosts.data]);
  const built = useMemo(() => (deps.data && hosts.data ? dependencyElements(deps.data.items, filter, names) : null), [deps.data, hosts.data, filter, names]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const p = draft.port.trim();
    if (p && !(/^\d{1,5}$/.test(p) && Number(p) <= 65535)) {
      setPortError('Port must be a number from 0 to 65535');
      return;
    }
    setPortError(null);
    setFilter({ ...draft, port: p });
  };
  const onTap = (n: Record<string, unknown>) => {
    const id = n['hostId'];
    if (typeof id === 'string' && id) navigate(hostPath(id));
    else setPicked(`${String(n['label'])}: no agent runs on this server; ${String(n['clients'])} client host(s)`);
  };

  return (
    <>
      <div className="page-head">
        <h1>Service dependencies</h1>
        {built && (
          <span className="muted" data-testid="dependency-counts">
            {built.hosts} hosts · {built.services} services · {built.edges} client→service edges
          </span>
        )}
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filter dependencies">
        <label>
          Host name (client or server)
          <input value={draft.host} onChange={(e) => setDraft({ ...draft, host: e.target.value })} spellCheck={false} />
        </label>
        <label>
          Server port
          <input value={draft.port} onChange={(e) => setDraft({ ...draft, port: e.target.value })} inputMode="numeric" size={6} aria-invalid={portError !== null} aria-describedby="port-error" />
        </label>
        <button type="submit">Apply filter</button>
        <span id="port-error" className="field-error" role={portError ? 'alert' : undefined}>
          {portError}
        </span>
        <span className="muted">Blue: hosts, brown: services (dashed: runs on), grey: servers without an agent. Click to open a host.</span>
      </form>
      <ErrorBox error={deps.error ?? hosts.error} />
      {picked && <p className="notice" role="status">{picked}</p>}
      {built && built.edges === 0 && <p className="muted">{deps.data?.items.length ? 'Nothing matches the filter.' : 'No agent has reported a connection to a service yet.'}</p>}
      {built && <GraphView label={`Service dependencies: ${built.hosts} hosts, ${built.services} services, ${built.edges} edges`} elements={built.elements} style={DEPENDENCY_STYLE} layout={DEPENDENCY_LAYOUT} onTapNode={onTap} />}
      {!built && !deps.error && <p className="muted">Loading…</p>}
    </>
  );
}
