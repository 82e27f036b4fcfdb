// The sections of a host page, one component each: interfaces, neighbours, switch links, services,
// dependencies, capabilities and each module's change history. All text from the host goes in as
// React text (escaped), never as HTML.
import { useState, type ReactNode } from 'react';
import { hostPath, time, ago } from '../format';
import { moduleChange } from '../host-diff';
import { Link } from '../router';
import type { GraphDependency, GraphService, HostDetail, ModuleDocument, ModuleName } from '../types';

const NEIGHBOUR_ROWS = 500;

function Table({ caption, head, children, empty }: { caption: string; head: string[]; children: ReactNode[]; empty: string }) {
  return (
    <div className="table-wrap">
      <table className="data">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {children}
          {children.length === 0 && (
            <tr>
              <td colSpan={head.length} className="muted">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

const search = (ip: string) => <Link to={`/search?q=${encodeURIComponent(ip)}`} className="mono">{ip}</Link>;
const hostLink = (id: string | null, names: ReadonlyMap<string, string>) => (id ? <Link to={hostPath(id)}>{names.get(id) ?? id}</Link> : <span className="muted">no agent</span>);
const proc = (exe?: string, pid?: number) => (exe ? `${exe}${pid !== undefined ? ` (pid ${pid})` : ''}` : pid !== undefined ? `pid ${pid}` : '—');

export function InterfacesSection({ doc }: { doc: ModuleDocument<'interfaces'> | undefined }) {
  if (!doc) return <p className="muted">The agent has not reported interfaces.</p>;
  return (
    <>
      <Table caption="Interfaces and their addresses" head={['Name', 'MAC', 'State', 'Carrier', 'Speed', 'MTU', 'Kind', 'Member of', 'Addresses']} empty="No interface.">
        {doc.interfaces.map((i) => (
          <tr key={i.name}>
            <td className="mono">{i.name}</td>
            <td className="mono">{i.mac ? search(i.mac) : '—'}</td>
            <td>{i.operState}</td>
            <td>{i.carrier ? 'yes' : 'no'}</td>
            <td>{i.speedMbps !== undefined ? `${i.speedMbps} Mb/s${i.duplex ? ` ${i.duplex}` : ''}` : '—'}</td>
            <td>{i.mtu}</td>
            <td>{i.kind}</td>
            <td className="mono">{i.master ?? ''}</td>
            <td className="mono wrap">
              {i.addresses.map((a, k) => (
                <span key={a.addr}>
                  {k > 0 && ', '}
                  {search(a.addr)}/{a.prefixLen}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </Table>
      <h3>Gateways</h3>
      {doc.gateways.length === 0 ? (
        <p className="muted">No default gateway.</p>
      ) : (
        <ul>
          {doc.gateways.map((g) => (
            <li key={`${g.gateway}/${g.iface}`}>
              {search(g.gateway)} via <span className="mono">{g.iface}</span> ({g.family})
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function NeighboursSection({ doc }: { doc: ModuleDocument<'neighbours'> | undefined }) {
  const [q, setQ] = useState('');
  if (!doc) return <p className="muted">The agent has not reported neighbours.</p>;
  const t = q.trim().toLowerCase();
  const rows = t ? doc.neighbours.filter((n) => n.ip.startsWith(t) || n.mac.startsWith(t) || n.iface.toLowerCase() === t) : doc.neighbours;
  return (
    <>
      <div className="filters">
        <label>
          Filter neighbours (IP/MAC prefix or interface)
          <input value={q} onChange={(e) => setQ(e.target.value)} spellCheck={false} />
        </label>
        <span className="muted">
          {rows.length} of {doc.neighbours.length}
          {rows.length > NEIGHBOUR_ROWS ? `, first ${NEIGHBOUR_ROWS} shown` : ''}
        </span>
      </div>
      <Table caption="ARP/ND neighbours" head={['IP', 'MAC', 'Interface', 'State', 'Source', 'Last seen']} empty="No neighbour.">
        {rows.slice(0, NEIGHBOUR_ROWS).map((n) => (
          <tr key={`${n.ip}/${n.iface}/${n.mac}`}>
            <td>{search(n.ip)}</td>
            <td className="mono">{n.mac}</td>
            <td className="mono">{n.iface}</td>
            <td>{n.state}</td>
            <td>{n.source}</td>
            <td title={time(n.lastSeenTs)}>{ago(n.lastSeenTs)}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

export function SwitchLinksSection({ doc }: { doc: ModuleDocument<'switchLinks'> | undefined }) {
  if (!doc) return <p className="muted">The agent has not reported switch links.</p>;
  if (doc.links.length === 0) return <p className="muted">No LLDP or CDP neighbour heard on any interface.</p>;
  return (
    <div className="cards">
      {doc.links.map((l) => (
        <article key={`${l.iface}/${l.protocol}/${l.chassisId}/${l.portId}`} className="card" aria-label={`Switch link of ${l.iface}`}>
          <h3>
            <span className="mono">{l.iface}</span> → {l.systemName ?? l.chassisId} <span className="mono">{l.portId}</span> <span className="badge">{l.protocol.toUpperCase()}</span>
          </h3>
          <dl className="kv">
            <dt>Switch</dt>
            <dd>{l.systemName ?? '—'}</dd>
            <dt>Chassis id</dt>
            <dd className="mono">{l.chassisId}</dd>
            <dt>Port id</dt>
            <dd className="mono">{l.portId}</dd>
            <dt>Port description</dt>
            <dd>{l.portDescription ?? '—'}</dd>
            <dt>VLANs</dt>
            <dd>
              {l.vlans.length ? l.vlans.map((v) => (v.name ? `${v.id} (${v.name})` : String(v.id))).join(', ') : '—'}
              {l.pvid !== undefined && ` · PVID ${l.pvid}`}
              {l.nativeVlan !== undefined && ` · native ${l.nativeVlan}`}
            </dd>
            <dt>MTU / max frame</dt>
            <dd>{[l.mtu !== undefined ? `MTU ${l.mtu}` : '', l.maxFrameSize !== undefined ? `max frame ${l.maxFrameSize}` : ''].filter(Boolean).join(' · ') || '—'}</dd>
            <dt>Speed / duplex</dt>
            <dd>{l.mau ? `${l.mau.speedMbps ?? '?'} Mb/s ${l.mau.duplex ?? ''} (autoneg ${l.mau.autoneg ? 'on' : 'off'})` : (l.duplex ?? '—')}</dd>
            <dt>Management</dt>
            <dd className="mono">{l.mgmtAddresses.join(', ') || '—'}</dd>
            <dt>Capabilities</dt>
            <dd>{l.capabilities.join(', ') || '—'}</dd>
            <dt>Platform / version</dt>
            <dd>{[l.platform, l.version].filter(Boolean).join(' · ') || '—'}</dd>
            <dt>System description</dt>
            <dd className="wrap">{l.systemDescription ?? '—'}</dd>
            <dt>Heard</dt>
            <dd>
              {ago(l.lastSeenTs)} via {l.source}, TTL {l.ttl} s
            </dd>
          </dl>
        </article>
      ))}
    </div>
  );
}

export function ServicesSection({ services, names }: { services: GraphService[]; names: ReadonlyMap<string, string> }) {
  return (
    <Table caption="Listening services and their clients" head={['Protocol', 'Address', 'Port', 'Process', 'Clients']} empty="No listening service reported.">
      {services.map((s) => (
        <tr key={`${s.proto}/${s.ip}/${s.port}`} data-service={`${s.proto}/${s.port}`}>
          <td>{s.proto}</td>
          <td className="mono">{s.ip}</td>
          <td>{s.port}</td>
          <td className="mono">{proc(s.exe, s.pid)}</td>
          <td className="wrap">
            {s.clients.length === 0 && <span className="muted">none seen</span>}
            {s.clients.map((c, k) => (
              <span key={`${c.hostId ?? ''}/${c.ip}/${c.pid ?? ''}/${k}`}>
                {k > 0 && ', '}
                {c.hostId ? hostLink(c.hostId, names) : search(c.ip)}
                {c.exe && <span className="muted"> {c.exe.split('/').pop()}</span>}
              </span>
            ))}
          </td>
        </tr>
      ))}
    </Table>
  );
}

export function DependenciesSection({ outbound, inbound, names }: { outbound: GraphDependency[]; inbound: GraphDependency[]; names: ReadonlyMap<string, string> }) {
  return (
    <>
      <h3>Uses (outbound connections)</h3>
      <Table caption="Services this host connects to" head={['Server host', 'Server', 'Protocol', 'Server process', 'Client process']} empty="No outbound connection reported.">
        {outbound.map((d, k) => (
          <tr key={`${d.server.ip}/${d.server.port}/${d.client.port}/${k}`}>
            <td>{hostLink(d.server.hostId, names)}</td>
            <td className="mono">
              {search(d.server.ip)}:{d.server.port}
            </td>
            <td>{d.server.proto}</td>
            <td className="mono">{d.server.exe ?? '—'}</td>
            <td className="mono">{proc(d.client.exe, d.client.pid)}</td>
          </tr>
        ))}
      </Table>
      <h3>Used by (inbound connections)</h3>
      <Table caption="Hosts that connect to this host" head={['Client host', 'Client', 'Port', 'Protocol', 'Client process']} empty="No agent host reports connecting here.">
        {inbound.map((d, k) => (
          <tr key={`${d.client.hostId}/${d.client.ip}/${d.client.port}/${k}`}>
            <td>{hostLink(d.client.hostId, names)}</td>
            <td className="mono">{search(d.client.ip)}</td>
            <td>{d.server.port}</td>
            <td>{d.server.proto}</td>
            <td className="mono">{proc(d.client.exe, d.client.pid)}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

export function CapabilitiesSection({ doc, resend }: { doc: ModuleDocument<'capabilities'> | undefined; resend: string[] }) {
  return (
    <>
      {!doc && <p className="muted">The agent has not reported its capabilities.</p>}
      {doc && doc.missing.length === 0 && <p className="ok">The agent could run every module.</p>}
      {doc && doc.missing.length > 0 && (
        <ul aria-label="What the agent could not do">
          {doc.missing.map((m) => (
            <li key={`${m.module}/${m.reason}`}>
              <span className="flag">{m.module}</span> {m.reason}
            </li>
          ))}
        </ul>
      )}
      {resend.length > 0 && <p className="notice">The server asked the agent to resend: {resend.join(', ')} (a document was invalid or a report was missed).</p>}
    </>
  );
}

const MODULE_TITLES: Record<ModuleName, string> = { host: 'Host facts', interfaces: 'Interfaces', neighbours: 'Neighbours', switchLinks: 'Switch links', services: 'Services', dependencies: 'Dependencies', capabilities: 'Capabilities' };
const CHANGE_LINES = 12;

export function HistorySection({ detail }: { detail: HostDetail }) {
  const modules = (Object.keys(MODULE_TITLES) as ModuleName[]).filter((m) => detail.modules[m]);
  if (modules.length === 0) return <p className="muted">No document stored.</p>;
  return (
    <>
      {modules.map((m) => {
        const versions = detail.modules[m]?.history ?? [];
        return (
          <details key={m} className="history" open={m !== 'neighbours'}>
            <summary>
              {MODULE_TITLES[m]} <span className="muted">— {versions.length} version(s) kept, latest {time(detail.modules[m]?.ts ?? 0)}</span>
            </summary>
            <ol className="timeline" aria-label={`${MODULE_TITLES[m]} versions, newest first`}>
              {versions.map((v, i) => {
                const older = versions[i + 1];
                const ch = moduleChange(m, v.body, older?.body);
                const lines = [...ch.added.map((x) => ['+', x] as const), ...ch.removed.map((x) => ['−', x] as const)];
                return (
                  <li key={v.seq}>
                    <time dateTime={new Date(v.ts).toISOString()}>{time(v.ts)}</time> version {v.seq}
                    {older === undefined && i === versions.length - 1 ? <span className="muted"> (oldest kept)</span> : null}
                    {lines.length === 0 && <span className="muted"> no visible change</span>}
                    <ul className="changes">
                      {lines.slice(0, CHANGE_LINES).map(([s, x]) => (
                        <li key={s + x} className={s === '+' ? 'added' : 'removed'}>
                          {s} {x}
                        </li>
                      ))}
                      {lines.length > CHANGE_LINES && <li className="muted">… {lines.length - CHANGE_LINES} more</li>}
                    </ul>
                  </li>
                );
              })}
            </ol>
          </details>
        );
      })}
    </>
  );
}
