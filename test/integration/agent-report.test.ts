// The agent's reports and observations against a real HTTP receiver that validates every body with
// the wire schemas (the contract with the server side).
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/agent/agent.js';
import { AgentClient } from '../../src/agent/agent-client.js';
import { ObservationBatcher } from '../../src/agent/observation-batcher.js';
import { Reporter, type ModuleDocuments, type ModuleSource } from '../../src/agent/reporter.js';
import type { AgentObservations, ModuleDocument } from '../../src/protocols/agent-report.js';
import { startAgentReceiver, waitFor, type AgentReceiver } from './agent-receiver.js';

const silent = pino({ level: 'silent' });
let rx: AgentReceiver;
let agent: RunningAgent | undefined;
let reporter: Reporter | undefined;

beforeEach(async () => {
  rx = await startAgentReceiver();
});
afterEach(async () => {
  reporter?.stop();
  reporter = undefined;
  await agent?.stop();
  agent = undefined;
  await rx.close();
});

/** A source whose services document the test changes. */
function servicesSource(state: { port: number }, intervalMs = 20): ModuleSource {
  return {
    name: 'svc',
    intervalMs,
    collect: (): Promise<ModuleDocuments> => Promise.resolve({ services: { services: [{ proto: 'tcp', ip: '0.0.0.0', port: state.port, netns: 1 }] } }),
  };
}
const hostDoc: ModuleDocument<'host'> = { hostname: 'h1', machineId: 'm1', os: { name: 'x', version: '1', kernel: '6' }, cpu: { model: 'c', cores: 2 }, memoryBytes: 1, bootTs: 1, agentVersion: '0' };
const hostSource: ModuleSource = { name: 'host', intervalMs: 60_000, collect: () => Promise.resolve({ host: hostDoc }) };

function newReporter(sources: ModuleSource[], minBackoffMs = 20): Reporter {
  const client = new AgentClient({ server: rx.url, token: 'tok-1' });
  return new Reporter({ hostId: 'm1', sources, send: (r) => client.report(r), logger: silent, minBackoffMs, maxBackoffMs: 200 });
}

describe('agent heartbeat', () => {
  it('sends an empty report when nothing changed for the heartbeat time, so a quiet host is not taken for dead', async () => {
    const client = new AgentClient({ server: rx.url, token: 'tok-1' });
    const r = new Reporter({ hostId: 'm1', sources: [hostSource], send: (x) => client.report(x), logger: silent, heartbeatMs: 1000 });
    reporter = r;
    await r.start();
    await waitFor(() => rx.reports().length >= 3, 5000, 'two heartbeats');
    const [first, ...beats] = rx.reports();
    expect(first?.full).toBe(true);
    expect(beats.slice(0, 2).map((b) => [b.full, Object.keys(b.documents).length])).toEqual([
      [false, 0],
      [false, 0],
    ]);
    expect(beats[0]!.seq).toBe(first!.seq + 1);
    expect(rx.received.every((x) => x.errors.length === 0)).toBe(true);
  });
});

describe('agent reports', () => {
  it("the real agent's startup report is full, schema-valid and carries the bearer token", async () => {
    agent = await startAgent({ server: rx.url, token: 'secret-token', logger: silent, capture: false, lldpcli: false, hostId: 'test-host' });
    await waitFor(() => rx.reports().length >= 1, 10_000, 'first report');
    const [first] = rx.received;
    expect(first?.errors).toEqual([]);
    expect(first?.auth).toBe('Bearer secret-token');
    const r = rx.reports()[0];
    expect(r?.full).toBe(true);
    expect(r?.seq).toBe(1);
    expect(r?.hostId).toBe('test-host');
    expect(Object.keys(r?.documents ?? {}).sort()).toEqual(['capabilities', 'dependencies', 'host', 'interfaces', 'neighbours', 'services', 'switchLinks']);
    expect(r?.documents.capabilities?.body.missing).toContainEqual({ module: 'switchLinks', reason: expect.stringContaining('--no-capture') as string });
    expect(r?.documents.interfaces?.body.interfaces.some((i) => i.kind === 'loopback')).toBe(true);
  });

  it('sends only changed modules, with increasing seq, and honours resend', async () => {
    const state = { port: 80 };
    reporter = newReporter([servicesSource(state), hostSource]);
    await reporter.start();
    await waitFor(() => rx.reports().length === 1, 5000, 'startup report');
    await new Promise((r) => setTimeout(r, 150)); // several polls, nothing changed
    expect(rx.reports()).toHaveLength(1);
    rx.script.push({ resend: ['host'] });
    state.port = 443;
    await waitFor(() => rx.reports().length === 3, 5000, 'change + resend');
    const [, second, third] = rx.reports();
    expect(second?.seq).toBe(2);
    expect(second?.full).toBe(false);
    expect(Object.keys(second?.documents ?? {})).toEqual(['services']);
    expect(second?.documents.services?.body.services[0]?.port).toBe(443);
    expect(third?.seq).toBe(3);
    expect(Object.keys(third?.documents ?? {})).toEqual(['host']);
    expect(rx.received.every((x) => x.errors.length === 0)).toBe(true);
  });

  it('retries with backoff while the server fails and then sends only the latest document', async () => {
    const state = { port: 1 };
    rx.script.push({ status: 503 }, { status: 503 }, { status: 503 });
    reporter = newReporter([servicesSource(state, 10), hostSource], 40);
    await reporter.start();
    state.port = 2;
    await new Promise((r) => setTimeout(r, 30));
    state.port = 3;
    await waitFor(() => reporter?.reportsSent === 1, 5000, 'delivery after the outage');
    const reports = rx.reports();
    // 3 failures with 40, 80, 160 ms (±20%) between them: no hammering.
    expect(reports).toHaveLength(4);
    const delivered = reports[3];
    expect(delivered?.full).toBe(true);
    expect(delivered?.documents.services?.body.services[0]?.port).toBe(3);
    expect(reports.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });
});

describe('observations', () => {
  it('batches, de-duplicates, survives a failed POST and stays bounded', async () => {
    const client = new AgentClient({ server: rx.url, token: 't' });
    let fail = true;
    const b = new ObservationBatcher({
      hostId: 'm1',
      logger: silent,
      flushMs: 20,
      maxPending: 3,
      send: (batch: AgentObservations) => (fail ? Promise.resolve({ ok: false as const, error: 'down' }) : client.observations(batch)),
    });
    const ob = (ip: string, ts: number) => ({ ts, iface: 'eth0', kind: 'arp' as const, ip, mac: '02:00:00:00:00:01' });
    b.add(ob('10.0.0.1', 1));
    b.add(ob('10.0.0.1', 2)); // same sighting, newer
    expect(b.pendingCount).toBe(1);
    b.add(ob('10.0.0.2', 3));
    b.add(ob('10.0.0.3', 4));
    b.add(ob('10.0.0.4', 5)); // over maxPending: the oldest (10.0.0.1) goes
    expect(b.pendingCount).toBe(3);
    expect(b.dropped).toBe(1);
    await b.flush(); // fails: kept
    expect(b.pendingCount).toBe(3);
    fail = false;
    await b.flush();
    b.stop();
    expect(b.pendingCount).toBe(0);
    const got = rx.received.filter((r) => r.path === '/api/v1/agent/observations');
    expect(got).toHaveLength(1);
    expect(got[0]?.errors).toEqual([]);
    expect((got[0]?.body as AgentObservations).observations.map((o) => o.ip)).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
  });
});
