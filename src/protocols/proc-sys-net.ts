// One interface from the files of /sys/class/net/<name>/. The caller reads the files; this decides
// what they mean (sysfs answers EINVAL for speed/duplex of a link that is down: those come as undefined).

/** What was read from /sys/class/net/<name>. */
export interface SysNetFiles {
  address?: string;
  carrier?: string;
  duplex?: string;
  mtu?: string;
  operstate?: string;
  speed?: string;
  type?: string;
  /** DEVTYPE= line of uevent (vlan, bridge, bond, wlan, …). */
  uevent?: string;
  /** Name the `master` link points to (bond or bridge). */
  master?: string;
  hasDevice: boolean;
  hasBonding: boolean;
  hasBridge: boolean;
}

export interface SysNetInterface {
  name: string;
  mac: string;
  mtu: number;
  operState: string;
  carrier: boolean;
  speedMbps?: number;
  duplex?: string;
  /** loopback, physical, bond, bridge, vlan, wlan, virtual, … */
  kind: string;
  master?: string;
}

const ARPHRD_LOOPBACK = 772;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function parseSysNetInterface(name: string, f: SysNetFiles): SysNetInterface {
  const mac = (f.address ?? '').trim().toLowerCase();
  const speed = Number((f.speed ?? '').trim());
  const duplex = (f.duplex ?? '').trim();
  const out: SysNetInterface = {
    name,
    mac: MAC.test(mac) ? mac : '',
    mtu: Number((f.mtu ?? '0').trim()) || 0,
    operState: (f.operstate ?? 'unknown').trim() || 'unknown',
    carrier: (f.carrier ?? '').trim() === '1',
    kind: kindOf(f),
  };
  if (Number.isInteger(speed) && speed > 0) out.speedMbps = speed; // -1 or 4294967295 = unknown
  if (duplex === 'full' || duplex === 'half') out.duplex = duplex;
  if (f.master) out.master = f.master;
  return out;
}

function kindOf(f: SysNetFiles): string {
  if (Number((f.type ?? '').trim()) === ARPHRD_LOOPBACK) return 'loopback';
  if (f.hasBonding) return 'bond';
  if (f.hasBridge) return 'bridge';
  const devtype = /^DEVTYPE=(.+)$/m.exec(f.uevent ?? '')?.[1]?.trim();
  if (devtype) return devtype;
  return f.hasDevice ? 'physical' : 'virtual';
}
