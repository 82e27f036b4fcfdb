// One host as its agent reports it: facts, interfaces, neighbours, switch links, services (with
// their clients), dependencies both ways, what the agent could not do, and each module's changes.
import { useMemo } from 'react';
import { get } from '../api';
import { ErrorBox } from '../components/layout';
import { ago, HOST_STALE_AFTER_MS, time } from '../format';
import { useInterval, useLoad } from '../hooks';
import type { GraphDependency, GraphService, HostDetail, HostList } from '../types';
import { HostStatus } from './hosts-page';
import { CapabilitiesSection, DependenciesSection, HistorySection, InterfacesSection, NeighboursSection, ServicesSection, SwitchLinksSection } from './host-sections';

const HISTORY = 8;
const SECTIONS: [string, string][] = [
  ['interfaces', 'Interfaces'],
  ['neighbours', 'Neighbours'],
  ['switch-links', 'Switch links'],
  ['services', 'Services'],
  ['dependencies', 'Dependencies'],
  ['capabilities', 'Capabilities'],
  ['history', 'Change history'],
];

export function HostPage({ hostId }: { hostId: string }) {
  const base = `/api/v1/hosts/${encodeURIComponent(hostId)}`;
  const detail = useLoad((signal) => get<HostDetail>(base, { history: HISTORY }, signal), [base]);
  const services = useLoad((signal) => get<{ items: GraphService[] }>('/api/v1/services', { host: hostId }, signal), [hostId]);
  const outbound = useLoad((signal) => get<{ items: GraphDependency[] }>('/api/v1/dependencies', { client: hostId }, signal), [hostId]);
  const inbound = useLoad((signal) => get<{ items: GraphDependency[] }>('/api/v1/dependencies', { server: hostId }, signal), [hostId]);
  // Hostnames of the other hosts named in services and dependencies.
  const all = useLoad((signal) => get<HostList>('/api/v1/hosts', {}, signal), []);
  useInterval(detail.reload, 30_000);
  const names = useMemo(() => new Map((all.data?.items ?? []).map((h) => [h.hostId, h.hostname])), [all.data]);

  const d = detail.data;
  const facts = d?.modules.host?.body;
  const status = d && Date.now() - d.lastTs > HOST_STALE_AFTER_MS ? 'down' : 'up';
  return (
    <>
      <div className="page-head">
        <h1>
          {facts?.hostname ?? hostId} {facts && facts.hostname !== hostId && <span className="muted small mono">{hostId}</span>}
        </h1>
        {d && <HostStatus status={status} lastTs={d.lastTs} />}
        {d && (
          <span className="muted">
            last report {ago(d.lastTs)} (report #{d.lastSeq}), site {d.site}
          </span>
        )}
      </div>
      <ErrorBox error={detail.error} />
      {facts && (
        <dl className="kv" aria-label="Host facts">
          <dt>OS</dt>
          <dd>
            {facts.os.name} {facts.os.version}, kernel {facts.os.kernel}
          </dd>
          <dt>CPU</dt>
          <dd>
            {facts.cpu.model} × {facts.cpu.cores}
          </dd>
          <dt>Memory</dt>
          <dd>{(facts.memoryBytes / 2 ** 30).toFixed(1)} GiB</dd>
          <dt>Booted</dt>
          <dd>{time(facts.bootTs)}</dd>
          <dt>Machine id</dt>
          <dd className="mono">{facts.machineId}</dd>
          <dt>Agent</dt>
          <dd>{facts.agentVersion}</dd>
        </dl>
      )}
      {d && (
        <>
          <nav className="tabs" aria-label="Host sections">
            {SECTIONS.map(([id, t]) => (
              <a key={id} href={`#${id}`}>
                {t}
              </a>
            ))}
          </nav>
          <section aria-labelledby="interfaces">
            <h2 id="interfaces">Interfaces</h2>
            <InterfacesSection doc={d.modules.interfaces?.body} />
          </section>
          <section aria-labelledby="neighbours">
            <h2 id="neighbours">Neighbours</h2>
            <NeighboursSection doc={d.modules.neighbours?.body} />
          </section>
          <section aria-labelledby="switch-links">
            <h2 id="switch-links">Switch links</h2>
            <SwitchLinksSection doc={d.modules.switchLinks?.body} />
          </section>
          <section aria-labelledby="services">
            <h2 id="services">Services</h2>
            <ErrorBox error={services.error} />
            <ServicesSection services={services.data?.items ?? []} names={names} />
          </section>
          <section aria-labelledby="dependencies">
            <h2 id="dependencies">Dependencies</h2>
            <ErrorBox error={outbound.error ?? inbound.error} />
            <DependenciesSection outbound={outbound.data?.items ?? []} inbound={inbound.data?.items ?? []} names={names} />
          </section>
          <section aria-labelledby="capabilities">
            <h2 id="capabilities">Capabilities</h2>
            <CapabilitiesSection doc={d.modules.capabilities?.body} resend={d.resend} />
          </section>
          <section aria-labelledby="history">
            <h2 id="history">Change history</h2>
            <HistorySection detail={d} />
          </section>
        </>
      )}
    </>
  );
}
