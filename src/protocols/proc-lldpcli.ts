// `lldpcli -f json0 show neighbors details`: lldpd's neighbours (LLDP, and CDP/EDP/… it decoded).
// json0 is the stable form: every value is a list of objects, even when there is one.

/** One neighbour as lldpd reports it. */
export interface LldpcliNeighbour {
  iface: string;
  /** LLDP, CDPv1, CDPv2, EDP, FDP, SONMP. */
  via: string;
  chassisId: string;
  chassisIdType: string;
  portId: string;
  portIdType: string;
  systemName?: string;
  systemDescription?: string;
  portDescription?: string;
  mgmtAddresses: string[];
  /** Enabled capabilities, lower case (bridge, router, station, …). */
  capabilities: string[];
  vlans: { id: number; name?: string; pvid: boolean }[];
  ttl?: number;
  maxFrameSize?: number;
  autoneg?: { supported: boolean; enabled: boolean; current?: string };
}

type J = Record<string, unknown>;

const list = (v: unknown): J[] => (Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as J[]) : []);
const first = (v: unknown): J | undefined => list(v)[0];
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const value = (v: unknown): string | undefined => str(first(v)?.['value']);
const bool = (v: unknown): boolean => v === true || v === 'yes' || v === 'true';

/** Parses the json0 document. Throws SyntaxError on text that is not JSON (the caller reports it). */
export function parseLldpcliJson0(text: string): LldpcliNeighbour[] {
  const doc = JSON.parse(text) as J;
  const out: LldpcliNeighbour[] = [];
  for (const lldp of list(doc['lldp'])) {
    for (const itf of list(lldp['interface'])) {
      const n = neighbour(itf);
      if (n) out.push(n);
    }
  }
  return out;
}

function neighbour(itf: J): LldpcliNeighbour | null {
  const chassis = first(itf['chassis']);
  const port = first(itf['port']);
  const iface = str(itf['name']);
  if (!chassis || !port || !iface) return null;
  const cid = first(chassis['id']);
  const pid = first(port['id']);
  const n: LldpcliNeighbour = {
    iface,
    via: str(itf['via']) ?? 'unknown',
    chassisId: str(cid?.['value']) ?? '',
    chassisIdType: str(cid?.['type']) ?? '',
    portId: str(pid?.['value']) ?? '',
    portIdType: str(pid?.['type']) ?? '',
    mgmtAddresses: list(chassis['mgmt-ip']).map((m) => str(m['value'])).filter((s): s is string => s !== undefined),
    capabilities: list(chassis['capability'])
      .filter((c) => bool(c['enabled']))
      .map((c) => (str(c['type']) ?? '').toLowerCase())
      .filter((s) => s !== ''),
    vlans: list(itf['vlan']).flatMap((v) => {
      const id = Number(str(v['vlan-id']));
      if (!Number.isInteger(id) || id < 0 || id > 4095) return [];
      const name = str(v['value']);
      return [{ id, ...(name ? { name } : {}), pvid: bool(v['pvid']) }];
    }),
  };
  const opt = <K extends keyof LldpcliNeighbour>(k: K, v: LldpcliNeighbour[K] | undefined) => {
    if (v !== undefined) n[k] = v;
  };
  opt('systemName', value(chassis['name']));
  opt('systemDescription', value(chassis['descr']));
  opt('portDescription', value(port['descr']));
  // lldpd 1.0 moved ttl from chassis to port; accept both.
  const ttl = Number(value(port['ttl']) ?? value(chassis['ttl']));
  if (Number.isInteger(ttl) && ttl >= 0) n.ttl = ttl;
  const mfs = Number(value(port['mfs']));
  if (Number.isInteger(mfs) && mfs > 0) n.maxFrameSize = mfs;
  const an = first(port['auto-negotiation']);
  if (an) n.autoneg = { supported: bool(an['supported']), enabled: bool(an['enabled']), ...(value(an['current']) ? { current: value(an['current']) } : {}) };
  return n;
}
