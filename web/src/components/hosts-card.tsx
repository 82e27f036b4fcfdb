// The dashboard's hosts card: how many agent hosts are up and down. Shown once an agent reports.
import { get } from '../api';
import { useInterval, useLoad } from '../hooks';
import { Link } from '../router';
import type { HostList } from '../types';
import { ErrorBox } from './layout';

export function HostsCard() {
  // One item is enough: the counts cover every host.
  const list = useLoad((signal) => get<HostList>('/api/v1/hosts', { limit: 1 }, signal), []);
  useInterval(list.reload, 15_000);
  const c = list.data?.counts;
  if (!list.error && (!c || c.total === 0)) return null;
  return (
    <article className="card" aria-labelledby="hosts-card">
      <header>
        <h2 id="hosts-card">
          <Link to="/hosts">Hosts</Link>
        </h2>
        <span className="muted">agents</span>
      </header>
      <ErrorBox error={list.error} />
      {c && (
        <dl className="figures">
          <div>
            <dt>Up</dt>
            <dd className="ok">{c.up.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Down</dt>
            <dd className={c.down > 0 ? 'error' : undefined}>
              {c.down > 0 ? <Link to="/hosts?status=down">{c.down.toLocaleString()}</Link> : '0'}
            </dd>
          </div>
          <div>
            <dt>Total</dt>
            <dd>{c.total.toLocaleString()}</dd>
          </div>
        </dl>
      )}
      <p>
        <Link to="/topology">Topology</Link> · <Link to="/dependencies">Service dependencies</Link>
      </p>
    </article>
  );
}
