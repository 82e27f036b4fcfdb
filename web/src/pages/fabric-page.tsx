// A fabric: live status with start/stop and edit (admin), tabs for its finding tables, its
// endpoint clears, endpoints and settings.
import { useState } from 'react';
import { api, get } from '../api';
import { FabricState } from '../components/fabric-state';
import { ClearTable } from '../components/clear-table';
import { FindingTable } from '../components/finding-table';
import { ErrorBox } from '../components/layout';
import { ago, KIND_PATHS, KIND_TITLES } from '../format';
import { useInterval, useLoad } from '../hooks';
import { Link } from '../router';
import { useIsAdmin } from '../session';
import type { FabricSummary, FabricView, FindingKind } from '../types';
import { EndpointList } from './endpoint-list';
import { SettingsForm } from './settings-form';

export type FabricTab = 'overview' | 'endpoints' | 'settings' | 'cleared' | FindingKind;
const FINDING_TABS: FindingKind[] = ['move', 'offsubnet', 'stale', 'rapid'];

function Overview({ fabric, summary }: { fabric: FabricView; summary: FabricSummary | null }) {
  const s = summary?.status;
  return (
    <section aria-labelledby="ov">
      <h2 id="ov">Overview</h2>
      <dl className="kv">
        <dt>APIC</dt>
        <dd>
          {fabric.apic.urls.map((u) => (
            <div key={u} className="mono">
              {u}
            </div>
          ))}
        </dd>
        <dt>User</dt>
        <dd>{fabric.apic.username}</dd>
        <dt>TLS</dt>
        <dd>{fabric.apic.verifyTls ? `verified${fabric.apic.caFile ? ` with CA ${fabric.apic.caFile}` : ''}` : 'not verified'}</dd>
        <dt>Subscription</dt>
        <dd>{s ? `${s.subscription.connected ? 'connected' : 'disconnected'}${s.subscription.apic ? ` to ${s.subscription.apic}` : ''}, ${s.subscription.subscriptions} subscriptions, ${s.subscription.reconnects} reconnects` : '—'}</dd>
        <dt>Last event</dt>
        <dd>{s?.subscription.lastEventTs ? ago(s.subscription.lastEventTs) : '—'}</dd>
        <dt>Events</dt>
        <dd>{s ? `${s.eventRate.toFixed(1)}/s now; ${s.eventsProcessed.toLocaleString()} processed of ${s.eventsReceived.toLocaleString()} received; ${s.parseErrors} unusable` : '—'}</dd>
        <dt>Endpoints</dt>
        <dd>{summary ? `${summary.endpoints.active.toLocaleString()} active, ${summary.endpoints.total.toLocaleString()} known` : '—'}</dd>
      </dl>
    </section>
  );
}

export function FabricPage({ name, tab }: { name: string; tab: FabricTab }) {
  const admin = useIsAdmin();
  const base = `/api/v1/fabrics/${encodeURIComponent(name)}`;
  const fabric = useLoad((signal) => get<FabricView>(base, {}, signal), [base]);
  const summary = useLoad((signal) => get<FabricSummary>(`${base}/summary`, {}, signal), [base]);
  useInterval(summary.reload, 5000);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const state = summary.data?.status?.state ?? fabric.data?.state ?? 'stopped';

  const control = async (action: 'start' | 'stop') => {
    setBusy(true);
    setActionError(null);
    try {
      await api('POST', `${base}/${action}`);
      summary.reload();
    } catch (e) {
      setActionError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  const page = `/fabrics/${encodeURIComponent(name)}`;
  const tabs: [FabricTab, string, string][] = [
    ['overview', 'Overview', page],
    ...FINDING_TABS.map((k): [FabricTab, string, string] => [k, KIND_TITLES[k], `${page}/${KIND_PATHS[k]}`]),
    ['cleared', 'Cleared', `${page}/cleared`],
    ['endpoints', 'Endpoints', `${page}/endpoints`],
    ['settings', 'Settings', `${page}/settings`],
  ];
  return (
    <>
      <div className="page-head">
        <h1>
          Fabric {name} {fabric.data?.simulated && <span className="badge">simulated</span>}
        </h1>
        <FabricState status={summary.data?.status ?? null} state={state} />
        <span className="spacer" />
        {admin && (
          <div className="actions">
            {state === 'stopped' || state === 'error' ? (
              <button type="button" disabled={busy} onClick={() => void control('start')}>
                Start
              </button>
            ) : (
              <button type="button" disabled={busy} onClick={() => void control('stop')}>
                Stop
              </button>
            )}
            <Link to={`${page}/edit`} className="button">
              Edit
            </Link>
          </div>
        )}
      </div>
      <ErrorBox error={fabric.error ?? actionError} />
      <nav className="tabs" aria-label={`Fabric ${name}`}>
        {tabs.map(([id, title, to]) => (
          <Link key={id} to={to} aria-current={tab === id ? 'page' : undefined}>
            {title}
            {summary.data && FINDING_TABS.includes(id as FindingKind) && <span className="count">{summary.data.findings.day[id as FindingKind]}</span>}
          </Link>
        ))}
      </nav>
      {tab === 'overview' && fabric.data && <Overview fabric={fabric.data} summary={summary.data} />}
      {FINDING_TABS.includes(tab as FindingKind) && <FindingTable key={tab} fabric={name} kind={tab as FindingKind} />}
      {tab === 'cleared' && <ClearTable fabric={name} />}
      {tab === 'endpoints' && <EndpointList fabric={name} />}
      {tab === 'settings' && <SettingsForm fabric={name} />}
    </>
  );
}
