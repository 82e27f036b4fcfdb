// Routes of the UI. Admin-only pages render a notice for viewers (the server refuses their writes).
import type { ReactNode } from 'react';
import { Layout } from './components/layout';
import { KIND_PATHS } from './format';
import { AgentsPage } from './pages/agents-page';
import { DashboardPage } from './pages/dashboard-page';
import { DependenciesPage } from './pages/dependencies-page';
import { EndpointPage } from './pages/endpoint-page';
import { FabricForm } from './pages/fabric-form';
import { FabricPage, type FabricTab } from './pages/fabric-page';
import { FabricsPage } from './pages/fabrics-page';
import { HostPage } from './pages/host-page';
import { HostsPage } from './pages/hosts-page';
import { LoginPage } from './pages/login-page';
import { SearchPage } from './pages/search-page';
import { TopologyPage } from './pages/topology-page';
import { match, useRoute } from './router';
import { useIsAdmin, useSession } from './session';
import type { FindingKind } from './types';

const TAB_OF: Record<string, FabricTab> = { endpoints: 'endpoints', settings: 'settings', cleared: 'cleared' };
for (const [k, p] of Object.entries(KIND_PATHS)) TAB_OF[p] = k as FindingKind;

function AdminOnly({ children }: { children: ReactNode }) {
  return useIsAdmin() ? <>{children}</> : <p className="error">This page needs the admin role.</p>;
}

function Page() {
  const { path, params } = useRoute();
  let m: Record<string, string> | null;
  if (path === '/' || path === '') return <DashboardPage />;
  if (path === '/search') return <SearchPage q={params.get('q') ?? ''} />;
  if (match('/fabrics', path)) return <FabricsPage />;
  if (match('/hosts', path)) return <HostsPage key={params.get('status') ?? ''} status={params.get('status') ?? ''} />;
  if ((m = match('/hosts/:id', path))) return <HostPage key={m['id']} hostId={m['id'] as string} />;
  if (match('/topology', path)) return <TopologyPage />;
  if (match('/dependencies', path)) return <DependenciesPage />;
  if (match('/agents', path))
    return (
      <AdminOnly>
        <AgentsPage />
      </AdminOnly>
    );
  if (match('/fabrics/new', path))
    return (
      <AdminOnly>
        <FabricForm />
      </AdminOnly>
    );
  if ((m = match('/fabrics/:name/edit', path)))
    return (
      <AdminOnly>
        <FabricForm key={m['name']} name={m['name']} />
      </AdminOnly>
    );
  if ((m = match('/fabrics/:name/endpoints/:vnid/:addr', path)) && /^\d+$/.test(m['vnid'] ?? ''))
    return <EndpointPage key={path} fabric={m['name'] as string} vnid={Number(m['vnid'])} addr={m['addr'] as string} />;
  if ((m = match('/fabrics/:name', path))) return <FabricPage key={m['name']} name={m['name'] as string} tab="overview" />;
  if ((m = match('/fabrics/:name/:tab', path)) && TAB_OF[m['tab'] as string])
    return <FabricPage key={m['name']} name={m['name'] as string} tab={TAB_OF[m['tab'] as string] as FabricTab} />;
  return <p className="error">No page at {path}.</p>;
}

export function App() {
  const { session, loading } = useSession();
  if (loading) return <p className="muted">Loading…</p>;
  if (!session) return <LoginPage />;
  return (
    <Layout>
      <Page />
    </Layout>
  );
}
