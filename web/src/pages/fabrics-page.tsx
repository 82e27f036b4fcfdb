// Every configured fabric with its APIC and state; admins add and edit from here.
import { get } from '../api';
import { ErrorBox, StateBadge } from '../components/layout';
import { useLoad } from '../hooks';
import { Link } from '../router';
import { useIsAdmin } from '../session';
import type { FabricView, Page } from '../types';

export function FabricsPage() {
  const admin = useIsAdmin();
  const list = useLoad((signal) => get<Page<FabricView>>('/api/v1/fabrics', {}, signal), []);
  return (
    <>
      <div className="page-head">
        <h1>Fabrics</h1>
        {admin && (
          <Link to="/fabrics/new" className="button">
            Add fabric
          </Link>
        )}
      </div>
      <ErrorBox error={list.error} />
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">APIC</th>
              <th scope="col">User</th>
              <th scope="col">TLS</th>
              <th scope="col">Auto start</th>
              {admin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((f) => (
              <tr key={f.name}>
                <td>
                  <Link to={`/fabrics/${encodeURIComponent(f.name)}`}>{f.name}</Link> {f.simulated && <span className="badge">simulated</span>}
                </td>
                <td>
                  <StateBadge state={f.state} />
                </td>
                <td className="mono">{f.apic.urls.join(', ')}</td>
                <td>{f.apic.username}</td>
                <td>{f.apic.verifyTls ? 'verified' : 'not verified'}</td>
                <td>{f.autoStart ? 'yes' : 'no'}</td>
                {admin && (
                  <td>
                    <Link to={`/fabrics/${encodeURIComponent(f.name)}/edit`}>Edit</Link>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
