// Bug pin: a kept-alive socket that the APIC closed while idle made the next request fail with
// "socket hang up" (ECONNRESET). Under load this turned into a gap and a full resync of a 1M
// endpoint fabric (found by `ept bench fabric`). httpRequest now resends once on a fresh socket.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApicAgents, httpRequest } from '../../src/fabric/apic-http.js';

let server: http.Server | null = null;
let agents: ApicAgents | null = null;

afterEach(async () => {
  agents?.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = agents = null;
});

/** A server that answers the first request of each socket and drops the socket on its second. */
async function serverDroppingReusedSockets(): Promise<{ base: string; served: () => number }> {
  const perSocket = new WeakMap<object, number>();
  let served = 0;
  server = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n > 1) {
      req.socket.destroy(); // what a server whose keep-alive timeout just fired looks like
      return;
    }
    served++;
    res.end('{"imdata":[]}');
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served: () => served };
}

describe('httpRequest on a reused socket the server dropped', () => {
  it('resends the request on a fresh socket instead of failing', async () => {
    const { base, served } = await serverDroppingReusedSockets();
    agents = new ApicAgents({ verifyTls: true });
    const opts = { method: 'GET' as const, timeoutMs: 5000 };
    await httpRequest(agents, base, '/api/class/fvTenant.json', opts);
    const second = await httpRequest(agents, base, '/api/class/fvTenant.json', opts);
    expect(second.status).toBe(200);
    expect(served()).toBe(2);
  });

  it('goes past several stale sockets of the pool to a fresh one', async () => {
    const { base, served } = await serverDroppingReusedSockets();
    agents = new ApicAgents({ verifyTls: true });
    const opts = { method: 'GET' as const, timeoutMs: 5000 };
    // Three requests at once leave three kept-alive sockets in the pool, all of which the server drops.
    await Promise.all([1, 2, 3].map(() => httpRequest(agents as ApicAgents, base, '/a', opts)));
    const next = await httpRequest(agents, base, '/b', opts);
    expect(next.status).toBe(200);
    expect(served()).toBe(4);
  });

  it('still fails when the fresh socket is dropped too (resends only on reused sockets, no loop)', async () => {
    server = http.createServer((req) => req.socket.destroy());
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    agents = new ApicAgents({ verifyTls: true });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await expect(httpRequest(agents, base, '/x', { method: 'GET', timeoutMs: 5000 })).rejects.toMatchObject({ code: 'apic_unreachable' });
  });
});
