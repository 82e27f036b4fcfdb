// The host side of an endpoint (on the endpoint page): which agent host owns the address, the switch
// port its LLDP/CDP reports, and whether that agrees with where the fabric learned it. A
// disagreement is highlighted (the server also records it as a host_mismatch finding).
import { get } from '../api';
import { hostPath, nodeLabel } from '../format';
import { useLoad } from '../hooks';
import { Link } from '../router';
import type { CrossView } from '../types';
import { ErrorBox } from './layout';

export function EndpointHosts({ addr }: { addr: string }) {
  const view = useLoad((signal) => get<CrossView>(`/api/v1/endpoints/${encodeURIComponent(addr)}/hosts`, {}, signal), [addr]);
  const v = view.data;
  return (
    <section aria-labelledby="owning-hosts">
      <h2 id="owning-hosts">Hosts (agents)</h2>
      <ErrorBox error={view.error} />
      {v && v.hosts.length === 0 && <p className="muted">No host running an agent has this address on an interface.</p>}
      {v && v.hosts.length > 0 && (
        <div className="table-wrap">
          <table className="data">
            <caption className="sr-only">Hosts owning {addr}, the switch port their agent reports, and the fabric&apos;s view</caption>
            <thead>
              <tr>
                {['Host', 'Interface', 'MAC', 'Switch port (LLDP/CDP)', 'Fabric learned on', 'Agreement'].map((t) => (
                  <th key={t} scope="col">
                    {t}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {v.hosts.map((h) => {
                const bad = v.mismatches.filter((m) => m.hostId === h.hostId && m.iface === h.nic);
                return (
                  <tr key={`${h.hostId}/${h.nic}`} className={bad.length ? 'mismatch' : undefined} data-host={h.hostId}>
                    <td>
                      <Link to={hostPath(h.hostId)}>{h.hostname}</Link>
                    </td>
                    <td className="mono">{h.nic}</td>
                    <td className="mono">{h.mac}</td>
                    <td>
                      {h.switchName ? (
                        <>
                          {h.switchName} <span className="mono">{h.portId}</span>
                          {h.portDescription && <span className="muted"> “{h.portDescription}”</span>}
                        </>
                      ) : (
                        <span className="muted">not reported (no LLDP/CDP heard)</span>
                      )}
                    </td>
                    <td>
                      {v.fabric.length === 0
                        ? '—'
                        : v.fabric.map((f) => (
                            <div key={`${f.fabric}/${f.vnid}/${f.node}`}>
                              {f.fabric}: {f.nodeName ? `${f.nodeName} (${f.node})` : nodeLabel(f.node)} <span className="mono">{f.ifId}</span>
                            </div>
                          ))}
                    </td>
                    <td>
                      {bad.length > 0 ? (
                        <span className="flag" role="status">
                          mismatch: {bad.map((m) => [m.detail?.['sameSwitch'] === false ? 'different switch' : '', m.detail?.['samePort'] === false ? 'different port' : ''].filter(Boolean).join(', ')).join('; ')}
                        </span>
                      ) : !h.switchName || v.fabric.every((f) => !f.nodeName) ? (
                        <span className="muted">nothing to compare</span>
                      ) : (
                        <span className="ok">agrees</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
