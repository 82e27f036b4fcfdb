// Test kit: builds ept's own captures and frames in the real wire formats (classic pcap, pcapng,
// Ethernet, LLDP, CDP, ARP, NDP), so committed tests need no third-party capture files.

export const bytes = (...parts: (number[] | Uint8Array)[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
export const u16be = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];
export const u32be = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16le = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff];
const u32le = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
export const ascii = (s: string): number[] => [...Buffer.from(s, 'utf8')];
export const mac = (s: string): number[] => s.split(':').map((x) => parseInt(x, 16));
export const ipv4 = (s: string): number[] => s.split('.').map(Number);
export function ipv6(s: string): number[] {
  const [head = '', tail] = s.split('::');
  const groups = (x: string) => (x ? x.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap(u16be);
}

export interface TestFrame {
  data: Uint8Array;
  tsSec?: number;
  /** Fraction in the file's unit (µs, or ns with `nanos`). */
  tsFrac?: number;
  /** Wire length when the capture was cut (defaults to data.length). */
  origLen?: number;
}

/** Classic pcap. */
export function writePcap(frames: TestFrame[], o: { linkType?: number; littleEndian?: boolean; nanos?: boolean; snapLen?: number } = {}): Uint8Array {
  const le = o.littleEndian ?? true;
  const w32 = le ? u32le : u32be;
  const w16 = le ? u16le : u16be;
  const magic = o.nanos ? 0xa1b23c4d : 0xa1b2c3d4;
  const parts: (number[] | Uint8Array)[] = [[...w32(magic), ...w16(2), ...w16(4), ...w32(0), ...w32(0), ...w32(o.snapLen ?? 262144), ...w32(o.linkType ?? 1)]];
  for (const f of frames) {
    parts.push([...w32(f.tsSec ?? 0), ...w32(f.tsFrac ?? 0), ...w32(f.data.length), ...w32(f.origLen ?? f.data.length)], f.data);
  }
  return bytes(...parts);
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** pcapng: one section, one interface; enhanced packet blocks (or simple ones with `simple`). */
export function writePcapng(frames: TestFrame[], o: { linkType?: number; littleEndian?: boolean; tsresol?: number; simple?: boolean; snapLen?: number } = {}): Uint8Array {
  const le = o.littleEndian ?? true;
  const w32 = le ? u32le : u32be;
  const w16 = le ? u16le : u16be;
  const block = (type: number, body: number[] | Uint8Array) => {
    const len = 12 + body.length + pad4(body.length);
    return bytes(w32(type), w32(len), body, new Array<number>(pad4(body.length)).fill(0), w32(len));
  };
  const shb = block(0x0a0d0d0a, [...w32(0x1a2b3c4d), ...w16(1), ...w16(0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  const opts = o.tsresol === undefined ? [] : [...w16(9), ...w16(1), o.tsresol, 0, 0, 0, ...w16(0), ...w16(0)];
  const idb = block(1, [...w16(o.linkType ?? 1), ...w16(0), ...w32(o.snapLen ?? 0), ...opts]);
  const parts = [shb, idb];
  for (const f of frames) {
    const ts = f.tsSec === undefined ? 0n : BigInt(f.tsSec) * (o.tsresol === 9 ? 1_000_000_000n : 1_000_000n) + BigInt(f.tsFrac ?? 0);
    if (o.simple) parts.push(block(3, bytes(w32(f.origLen ?? f.data.length), f.data)));
    else parts.push(block(6, bytes(w32(0), w32(Number(ts >> 32n)), w32(Number(ts & 0xffffffffn)), w32(f.data.length), w32(f.origLen ?? f.data.length), f.data)));
  }
  return bytes(...parts);
}

/** Ethernet II frame, with 802.1Q tags when `vlans` is given. */
export function ethernet(dst: string, src: string, etherType: number, payload: number[] | Uint8Array, vlans: number[] = []): Uint8Array {
  return bytes(mac(dst), mac(src), vlans.flatMap((v) => [...u16be(0x8100), ...u16be(v)]), u16be(etherType), payload);
}

/** 802.3 frame with LLC/SNAP (how CDP travels). */
export function snapFrame(dst: string, src: string, oui: number, pid: number, payload: number[] | Uint8Array): Uint8Array {
  const llc = [0xaa, 0xaa, 0x03, (oui >>> 16) & 0xff, (oui >>> 8) & 0xff, oui & 0xff, ...u16be(pid)];
  return bytes(mac(dst), mac(src), u16be(llc.length + payload.length), llc, payload);
}

export const lldpTlv = (type: number, value: number[]): number[] => [(type << 1) | ((value.length >>> 8) & 1), value.length & 0xff, ...value];
export const lldpOrg = (oui: number, subtype: number, value: number[]): number[] => lldpTlv(127, [(oui >>> 16) & 0xff, (oui >>> 8) & 0xff, oui & 0xff, subtype, ...value]);
export const LLDP_END = [0, 0];

/** CDP PDU with a correct checksum (RFC 1071 over an even-length PDU; pad odd ones with care). */
export function cdpPdu(version: number, ttl: number, tlvs: [number, number[]][]): Uint8Array {
  const body = tlvs.flatMap(([t, v]) => [...u16be(t), ...u16be(v.length + 4), ...v]);
  const pdu = bytes([version, ttl, 0, 0], body);
  const sum = internetChecksum(pdu, 0);
  pdu[2] = sum >>> 8;
  pdu[3] = sum & 0xff;
  return pdu;
}

/** RFC 1071 checksum of `data` plus an initial partial sum. */
export function internetChecksum(data: Uint8Array | number[], initial: number): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += ((data[i] as number) << 8) | (data[i + 1] as number);
  if (data.length % 2) sum += (data[data.length - 1] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function arpPacket(a: { op: number; sha: string; spa: string; tha: string; tpa: string; hlen?: number }): number[] {
  const hlen = a.hlen ?? 6;
  const pad = (m: string) => [...mac(m), ...new Array<number>(Math.max(0, hlen - 6)).fill(0)].slice(0, hlen);
  return [...u16be(1), ...u16be(0x0800), hlen, 4, ...u16be(a.op), ...pad(a.sha), ...ipv4(a.spa), ...pad(a.tha), ...ipv4(a.tpa)];
}

/** IPv6 packet carrying an ICMPv6 message (checksum filled in). */
export function icmp6Packet(src: string, dst: string, icmp: number[], hopLimit = 255): number[] {
  const s = ipv6(src);
  const d = ipv6(dst);
  const msg = [...icmp];
  const pseudo = [...s, ...d, ...u32be(msg.length), 0, 0, 0, 58];
  const sum = internetChecksum([...pseudo, ...msg], 0);
  msg[2] = sum >>> 8;
  msg[3] = sum & 0xff;
  return [0x60, 0, 0, 0, ...u16be(msg.length), 58, hopLimit, ...s, ...d, ...msg];
}
