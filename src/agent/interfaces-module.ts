// The interfaces document: /sys/class/net, `ip -j addr`, and default gateways from /proc/net/*route.
import { existsSync, readdirSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename } from 'node:path';
import type { ModuleDocument } from '../protocols/agent-report.js';
import { parseIpAddrJson, type IpAddress } from '../protocols/proc-ip-addr.js';
import { parseProcNetIpv6Route, parseProcNetRoute } from '../protocols/proc-net-route.js';
import { parseSysNetInterface } from '../protocols/proc-sys-net.js';
import { readLinkOr, readTextOr, runCommand } from './host-files.js';

export type InterfacesDocument = ModuleDocument<'interfaces'>;

export interface InterfacesOptions {
  sysNet?: string;
  procNet?: string;
  /** argv of `ip` (a prefix such as `ip netns exec NS` may come first). */
  ipCommand?: string[];
}

/** Reads the interfaces; `errors` receives what could not be read (the document is still built). */
export async function collectInterfaces(o: InterfacesOptions = {}, errors: string[] = []): Promise<InterfacesDocument> {
  const sys = o.sysNet ?? '/sys/class/net';
  const procNet = o.procNet ?? '/proc/net';
  let addrs = new Map<string, IpAddress[]>();
  const r = await runCommand([...(o.ipCommand ?? ['ip']), '-j', 'addr', 'show']);
  if (r.ok) {
    try {
      addrs = parseIpAddrJson(r.stdout);
    } catch (err) {
      errors.push(`ip -j addr: not JSON: ${(err as Error).message}`);
    }
  } else errors.push(r.error);
  let names: string[] = [];
  try {
    names = readdirSync(sys).sort();
  } catch (err) {
    errors.push(`${sys}: ${(err as Error).message}`);
  }
  const interfaces = names.slice(0, 4096).map((name) => {
    const d = `${sys}/${name}`;
    const read = (f: string) => readTextOr(`${d}/${f}`);
    const master = readLinkOr(`${d}/master`);
    const itf = parseSysNetInterface(name, {
      address: read('address'),
      carrier: read('carrier'),
      duplex: read('duplex'),
      mtu: read('mtu'),
      operstate: read('operstate'),
      speed: read('speed'),
      type: read('type'),
      uevent: read('uevent'),
      ...(master ? { master: basename(master) } : {}),
      hasDevice: existsSync(`${d}/device`),
      hasBonding: existsSync(`${d}/bonding`),
      hasBridge: existsSync(`${d}/bridge`),
    });
    return { ...itf, addresses: (addrs.get(name) ?? []).slice(0, 4096) };
  });
  const le = endianness() === 'LE';
  const gateways = [...parseProcNetRoute(readTextOr(`${procNet}/route`) ?? '', le), ...parseProcNetIpv6Route(readTextOr(`${procNet}/ipv6_route`) ?? '')]
    .sort((a, b) => a.metric - b.metric)
    .slice(0, 64)
    .map(({ gateway, iface, family }) => ({ gateway, iface, family }));
  return { interfaces, gateways };
}

/** Interfaces worth capturing LLDP/CDP on: physical NICs (bond members included) that are up. */
export function captureCandidates(doc: InterfacesDocument): string[] {
  return doc.interfaces.filter((i) => i.kind === 'physical' && i.operState === 'up').map((i) => i.name);
}
