// One endpoint: where it is now (node or vPC, interface, encap, EPG, BD, VRF, MAC-IP binding), the
// per-node learns, the history timeline and its finding records; the agent hosts that own it; its
// clears, with the Clear action for admins.
import { get } from '../api';
import { EndpointClears } from '../components/endpoint-clears';
import { EndpointHosts } from '../components/endpoint-hosts';
import { ErrorBox } from '../components/layout';
import { endpointPath, KIND_TITLES, nodeLabel, time, ago } from '../format';
import { useFindingStream, useLoad } from '../hooks';
import { Link } from '../router';
import type { EndpointDetail, HistoryEvent, Page } from '../types';

const HISTORY = 200;

function useVnidNames(fabric: string, ids: number[]) {
  const key = ids.filter((v) => v > 0);
  return useLoad(
    (signal) => (key.length ? get<{ vnids: Record<string, string> }>(`/api/v1/fabrics/${encodeURIComponent(fabric)}/vnid-names`, { vnid: key }, signal) : Promise.resolve({ vnids: {} as Record<string, string> })),
    [fabric, key.join(',')],
  );
}

export function EndpointPage({ fabric, vnid, addr }: { fabric: string; vnid: number; addr: string }) {
  const base = `/api/v1/fabrics/${encodeURIComponent(fabric)}/endpoints/${vnid}/${encodeURIComponent(addr)}`;
  const ep = useLoad((signal) => get<EndpointDetail>(base, {}, signal), [base]);
  const hist = useLoad((signal) => get<Page<HistoryEvent>>(`${base}/history`, { limit: HISTORY }, signal), [base]);
  useFindingStream(fabric, (items) => {
    if (items.some((i) => i.addr === ep.data?.addr && i.vnid === vnid)) {
      ep.reload();
      hist.reload();
    }
  });
  const e = ep.data;
  const isMac = e?.type === 'mac';
  const firstLearn = e?.learns[0];
  const bd = isMac ? vnid : (e?.current?.rwBd || firstLearn?.bd || 0);
  const vrf = isMac ? (firstLearn?.vrf ?? 0) : vnid;
  const names = useVnidNames(fabric, [bd, vrf]).data?.vnids ?? {};
  const nodeNames = e?.names.nodes ?? {};

  return (
    <>
      <div className="page-head">
        <h1>
          <span className="mono">{e?.addr ?? addr}</span> <span className="muted small">{e?.type}</span>
        </h1>
        <Link to={`/fabrics/${encodeURIComponent(fabric)}`}>fabric {fabric}</Link>
      </div>
      <ErrorBox error={ep.error} />
      {e && (
        <section aria-labelledby="where">
          <h2 id="where">Current location</h2>
          <dl className="kv">
            <dt>Location</dt>
            <dd>{e.current ? nodeLabel(e.current.node, nodeNames) : e.deletedTs ? `deleted ${ago(e.deletedTs)}` : 'no local learn (remote only)'}</dd>
            <dt>Interface</dt>
            <dd className="mono">{e.current?.ifId || '—'}</dd>
            <dt>Encap</dt>
            <dd className="mono">{e.current?.encap || '—'}</dd>
            <dt>EPG</dt>
            <dd>{e.names.epg ?? (e.current?.pcTag ? `pcTag ${e.current.pcTag}` : '—')}</dd>
            <dt>BD</dt>
            <dd>{names[String(bd)] ?? (bd ? `vnid ${bd}` : '—')}</dd>
            <dt>VRF</dt>
            <dd>{names[String(vrf)] ?? (vrf ? `vnid ${vrf}` : '—')}</dd>
            <dt>{isMac ? 'Key' : 'MAC binding'}</dt>
            <dd>
              {isMac ? (
                `BD vnid ${vnid}`
              ) : e.current?.rwMac ? (
                <Link to={endpointPath(fabric, e.current.rwBd, e.current.rwMac)} className="mono">
                  {e.current.rwMac}
                </Link>
              ) : (
                'none'
              )}
            </dd>
            <dt>Since</dt>
            <dd>{e.current ? `${time(e.current.ts)} (${ago(e.current.ts)})` : '—'}</dd>
            <dt>Flags</dt>
            <dd>
              {e.flags.offsubnet.length > 0 && <span className="flag">offsubnet on {e.flags.offsubnet.map((n) => nodeLabel(n, nodeNames)).join(', ')}</span>}
              {e.flags.stale.length > 0 && <span className="flag">stale on {e.flags.stale.map((n) => nodeLabel(n, nodeNames)).join(', ')}</span>}
              {e.flags.rapidUntil > Date.now() && <span className="flag">rapid until {time(e.flags.rapidUntil)}</span>}
              {e.flags.offsubnet.length + e.flags.stale.length === 0 && e.flags.rapidUntil <= Date.now() && <span className="ok">nothing wrong</span>}
            </dd>
          </dl>
        </section>
      )}
      {e && <EndpointHosts addr={e.addr} />}
      {e && (
        <section aria-labelledby="per-node">
          <h2 id="per-node">Per node</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  {['Node', 'Present', 'Flags', 'Interface', 'Encap', 'pcTag', isMac ? 'VRF' : 'MAC (binding)', 'Points to', 'Updated'].map((h) => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {e.learns.map((l) => (
                  <tr key={l.node} className={l.present ? undefined : 'gone'}>
                    <td>{nodeLabel(l.node, nodeNames)}</td>
                    <td>{l.present ? 'yes' : 'deleted'}</td>
                    <td>{l.flags.join(', ')}</td>
                    <td className="mono">{l.ifId}</td>
                    <td className="mono">{l.encap}</td>
                    <td>{l.pcTag || ''}</td>
                    <td className="mono">{isMac ? l.vrf : l.rwMac}</td>
                    <td>{l.remote ? nodeLabel(l.remote, nodeNames) : ''}</td>
                    <td>{time(l.ts)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {e && (
        <section aria-labelledby="records">
          <h2 id="records">Moves, off-subnet, stale and rapid records</h2>
          {e.findings.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul className="records">
              {e.findings.map((f) => (
                <li key={`${f.kind}/${f.node}`}>
                  <span className={`kind kind-${f.kind}`}>{KIND_TITLES[f.kind]}</span> ×{f.count}, last {time(f.lastTs)}
                  {f.kind === 'move' && f.last.src && f.last.dst && (
                    <>
                      : {nodeLabel(f.last.src.node, nodeNames)} {f.last.src.ifId} → {nodeLabel(f.last.dst.node, nodeNames)} {f.last.dst.ifId}
                    </>
                  )}
                  {f.kind !== 'move' && f.node > 0 && <> on {nodeLabel(f.node, nodeNames)}</>}
                  {f.last.reason && <> ({f.last.reason})</>}
                  {f.last.rate !== undefined && <> ({Math.round(f.last.rate)} events/min)</>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {e && (
        <EndpointClears
          base={`/api/v1/fabrics/${encodeURIComponent(fabric)}/endpoints/${vnid}/${encodeURIComponent(e.addr)}`}
          learns={e.learns}
          names={nodeNames}
          onCleared={() => {
            ep.reload();
            hist.reload();
          }}
        />
      )}
      <section aria-labelledby="history">
        <h2 id="history">History</h2>
        <ErrorBox error={hist.error} />
        <ol className="timeline" aria-label={`History, newest first, at most ${HISTORY} events`}>
          {hist.data?.items.map((h) => (
            <li key={`${h.node}/${h.ts}/${h.status}/${h.ifId}`} className={`st-${h.status}`}>
              <time dateTime={new Date(h.ts).toISOString()}>{time(h.ts)}</time> <strong>{nodeLabel(h.node, nodeNames)}</strong> {h.status}{' '}
              <span className="mono">
                {h.ifId} {h.encap}
              </span>{' '}
              {h.rwMac && <span className="mono">→ {h.rwMac}</span>} {h.remote > 0 && <>points to {nodeLabel(h.remote, nodeNames)}</>} <span className="muted">{h.flags.join(',')}</span>
            </li>
          ))}
        </ol>
        {hist.data?.items.length === 0 && <p className="muted">No history.</p>}
      </section>
    </>
  );
}
