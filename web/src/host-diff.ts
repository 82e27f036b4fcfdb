// What changed between two versions of a host's module document, as lines an operator reads
// ("+ eth0 10.0.0.5/24"). Each module is reduced to a set of item strings; the diff is set
// difference. Volatile fields (lastSeenTs, a client's ephemeral port) are left out of the items.
import type { ModuleDocument, ModuleName } from './types';

type Items = (body: never) => string[];

const ITEMS: { [M in ModuleName]: (body: ModuleDocument<M>) => string[] } = {
  host: (b) => [`hostname ${b.hostname}`, `os ${b.os.name} ${b.os.version}`, `kernel ${b.os.kernel}`, `cpu ${b.cpu.model} × ${b.cpu.cores}`, `memory ${Math.round(b.memoryBytes / 2 ** 20)} MiB`, `booted ${new Date(b.bootTs).toISOString()}`, `agent ${b.agentVersion}`],
  interfaces: (b) => [
    ...b.interfaces.flatMap((i) => [`${i.name} ${i.mac || '(no MAC)'} ${i.operState} mtu ${i.mtu}${i.master ? ` in ${i.master}` : ''}`, ...i.addresses.map((a) => `${i.name} ${a.addr}/${a.prefixLen}`)]),
    ...b.gateways.map((g) => `gateway ${g.gateway} via ${g.iface}`),
  ],
  neighbours: (b) => b.neighbours.map((n) => `${n.ip} ${n.mac} on ${n.iface} (${n.source})`),
  switchLinks: (b) => b.links.map((l) => `${l.iface} ${l.protocol} ${l.systemName ?? l.chassisId} ${l.portId}${l.portDescription ? ` "${l.portDescription}"` : ''}`),
  services: (b) => b.services.map((s) => `${s.proto} ${s.ip}:${s.port}${s.exe ? ` ${s.exe}` : ''}`),
  dependencies: (b) => b.connections.map((c) => `${c.proto} → ${c.remoteIp}:${c.remotePort}${c.exe ? ` ${c.exe}` : ''}`),
  capabilities: (b) => b.missing.map((m) => `${m.module}: ${m.reason}`),
};

export interface ModuleChange {
  added: string[];
  removed: string[];
}

/** Items of one module document (deduplicated); [] for an unknown module. */
export function moduleItems(module: string, body: unknown): string[] {
  const f = (ITEMS as Record<string, Items | undefined>)[module];
  if (!f || body === null || typeof body !== 'object') return [];
  try {
    return [...new Set(f(body as never))];
  } catch {
    // A document of an older agent version without some field: show no item rather than fail the page.
    return [];
  }
}

/** The change from `older` to `newer` (older undefined: the first version, everything added). */
export function moduleChange(module: string, newer: unknown, older: unknown): ModuleChange {
  const now = moduleItems(module, newer);
  const before = new Set(older === undefined ? [] : moduleItems(module, older));
  const nowSet = new Set(now);
  return { added: now.filter((x) => !before.has(x)), removed: [...before].filter((x) => !nowSet.has(x)) };
}
