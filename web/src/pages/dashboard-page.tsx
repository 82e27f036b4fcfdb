// Dashboard: every fabric with its state, event rate, endpoint counts and finding counts over the
// last hour and day. Polled every 5 s (one small summary request per fabric). Then agent hosts up/down.
import { get } from '../api';
import { FabricState } from '../components/fabric-state';
import { HostsCard } from '../components/hosts-card';
import { ErrorBox } from '../components/layout';
import { KIND_PATHS, KIND_TITLES } from '../format';
import { useInterval, useLoad } from '../hooks';
import { Link } from '../router';
import { useIsAdmin } from '../session';
import type { FabricSummary, FabricView, FindingKind, Page } from '../types';

const KINDS: FindingKind[] = ['move', 'offsubnet', 'stale', 'rapid'];

function FabricCard({ fabric }: { fabric: FabricView }) {
  const path = `/fabrics/${encodeURIComponent(fabric.name)}`;
  const sum = useLoad((signal) => get<FabricSummary>(`/api/v1${path}/summary`, {}, signal), [fabric.name]);
  useInterval(sum.reload, 5000);
  const s = sum.data;
  return (
    <article className="card" aria-labelledby={`fab-${fabric.name}`}>
      <header>
        <h2 id={`fab-${fabric.name}`}>
          <Link to={path}>{fabric.name}</Link>
          {fabric.simulated && <span className="badge">simulated</span>}
        </h2>
        <FabricState status={s?.status ?? null} state={fabric.state} />
      </header>
      <ErrorBox error={sum.error} />
      <dl className="figures">
        <div>
          <dt>Events/s</dt>
          <dd>{s?.status ? s.status.eventRate.toFixed(1) : '—'}</dd>
        </div>
        <div>
          <dt>Endpoints</dt>
          <dd>{s ? s.endpoints.active.toLocaleString() : '—'}</dd>
        </div>
        <div>
          <dt>Known (incl. deleted)</dt>
          <dd>{s ? s.endpoints.total.toLocaleString() : '—'}</dd>
        </div>
      </dl>
      <table className="counts">
        <caption className="sr-only">Finding records of {fabric.name} updated in the last hour and day</caption>
        <thead>
          <tr>
            <th scope="col">Findings</th>
            <th scope="col">Last hour</th>
            <th scope="col">Last day</th>
          </tr>
        </thead>
        <tbody>
          {KINDS.map((k) => (
            <tr key={k}>
              <th scope="row">
                <Link to={`${path}/${KIND_PATHS[k]}`}>{KIND_TITLES[k]}</Link>
              </th>
              <td className={s && s.findings.hour[k] > 0 ? 'hot' : undefined}>{s ? s.findings.hour[k] : '—'}</td>
              <td>{s ? s.findings.day[k] : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

export function DashboardPage() {
  const admin = useIsAdmin();
  const fabrics = useLoad((signal) => get<Page<FabricView>>('/api/v1/fabrics', {}, signal), []);
  useInterval(fabrics.reload, 15000);
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        {admin && (
          <Link to="/fabrics/new" className="button">
            Add fabric
          </Link>
        )}
      </div>
      <ErrorBox error={fabrics.error} />
      {fabrics.data?.items.length === 0 && <p>No fabric is configured yet.{admin ? ' Add one to start tracking endpoints.' : ''}</p>}
      <div className="cards">
        {fabrics.data?.items.map((f) => <FabricCard key={f.name} fabric={f} />)}
        <HostsCard />
      </div>
    </>
  );
}
