// What one services + dependencies pass costs on a host with 10,000 sockets: this process opens a
// listener and 5,000 loopback connections (5,000 client + 5,000 accepted sockets), then times
// SocketScanner.scan() in CPU (process.cpuUsage). It prints the figures (docs/agent.md records them)
// and checks what the pass found, not how fast it was.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketScanner } from '../../src/agent/socket-scan.js';

const CONNECTIONS = 5000;

describe('socket scan cost', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      s.on('error', () => {});
      sockets.push(s);
    });
    server.maxConnections = CONNECTIONS + 10;
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
    port = (server.address() as { port: number }).port;
    for (let i = 0; i < CONNECTIONS; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, () => new Promise<void>((resolve, reject) => {
          const c = createConnection(port, '127.0.0.1', () => resolve());
          c.on('error', reject);
          sockets.push(c);
        })),
      );
    }
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('one pass over 10,000 sockets', () => {
    const scanner = new SocketScanner();
    const passes: { cpuMs: number; wallMs: number }[] = [];
    let last = scanner.scan();
    for (let i = 0; i < 3; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      last = scanner.scan();
      const cpu = process.cpuUsage(cpu0);
      passes.push({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 });
    }
    const deps = last.dependencies.connections.filter((c) => c.pid === process.pid && c.remotePort === port);
    console.log(
      `socket scan: ${last.sockets} sockets in ${last.namespaces} namespaces, ${last.services.services.length} services, ${last.dependencies.connections.length} dependencies; ` +
        passes.map((p, i) => `pass ${i + 1}: ${p.cpuMs.toFixed(0)} ms CPU, ${p.wallMs.toFixed(0)} ms wall`).join('; '),
    );
    expect(last.sockets).toBeGreaterThanOrEqual(2 * CONNECTIONS);
    expect(deps).toHaveLength(CONNECTIONS);
    expect(last.services.services.filter((s) => s.port === port)).toHaveLength(1);
  });
});
