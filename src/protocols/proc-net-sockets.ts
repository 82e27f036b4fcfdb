// Parser of /proc/net/{tcp,tcp6,udp,udp6}. Pure: text in, rows out. Addresses are hex words in the
// host's byte order (the kernel prints the 32-bit values with %08X), so the caller says which order.
import { formatIpv4, formatIpv6 } from './ethernet-addresses.js';

export type SocketProto = 'tcp' | 'udp';

/** TCP states as /proc prints them (hex); UDP uses 01 for connected and 07 for unconnected. */
export const TCP_ESTABLISHED = 0x01;
export const TCP_TIME_WAIT = 0x06;
export const TCP_LISTEN = 0x0a;
export const UDP_CONNECTED = 0x01;
export const UDP_UNCONNECTED = 0x07;

/** One socket line. inode 0 = no socket object any more (TIME_WAIT, request sockets). */
export interface ProcSocket {
  proto: SocketProto;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  state: number;
  uid: number;
  inode: number;
}

/** Hex address → text, with a cache: a host has few distinct addresses and many sockets. */
export class ProcAddressDecoder {
  private readonly cache = new Map<string, string>();
  private readonly bytes = new Uint8Array(16);

  /** `littleEndian`: the byte order of the host that wrote the file. */
  constructor(private readonly littleEndian = true) {}

  decode(hex: string): string | null {
    const hit = this.cache.get(hex);
    if (hit !== undefined) return hit;
    if (hex.length !== 8 && hex.length !== 32) return null;
    const b = this.bytes;
    for (let w = 0; w < hex.length / 8; w++) {
      for (let i = 0; i < 4; i++) {
        const v = parseInt(hex.substr(w * 8 + i * 2, 2), 16);
        if (Number.isNaN(v)) return null;
        b[w * 4 + (this.littleEndian ? 3 - i : i)] = v;
      }
    }
    const text = hex.length === 8 ? formatIpv4(b, 0) : formatIpv6(b, 0);
    if (this.cache.size > 65_536) this.cache.clear(); // bounded: a scan of a huge host must not grow it forever
    this.cache.set(hex, text);
    return text;
  }
}

/** Why a line was skipped, for the caller's log; parsing goes on. */
export interface ProcSocketParse {
  sockets: ProcSocket[];
  errors: string[];
}

/**
 * Parses one /proc/net/{tcp,udp}[6] file. `source` names the file in error messages. Lines that do
 * not parse are reported (at most 10) and skipped, never thrown: a newer kernel may add columns.
 */
export function parseProcNetSockets(text: string, proto: SocketProto, decoder: ProcAddressDecoder, source = `/proc/net/${proto}`): ProcSocketParse {
  const sockets: ProcSocket[] = [];
  const errors: string[] = [];
  let pos = text.indexOf('\n') + 1; // header line
  let lineNo = 1;
  while (pos > 0 && pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    lineNo++;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    if (line.trim() === '') continue;
    const s = parseLine(line, proto, decoder);
    if (typeof s === 'string') {
      if (errors.length < 10) errors.push(`${source}: line ${lineNo}: ${s}`);
    } else sockets.push(s);
  }
  return { sockets, errors };
}

function parseLine(line: string, proto: SocketProto, decoder: ProcAddressDecoder): ProcSocket | string {
  const f = line.trim().split(/\s+/);
  if (f.length < 10) return `expected at least 10 columns, got ${f.length}`;
  const local = endpoint(f[1] as string, decoder);
  const remote = endpoint(f[2] as string, decoder);
  if (!local || !remote) return `bad address '${f[1]}' or '${f[2]}'`;
  const state = parseInt(f[3] as string, 16);
  const uid = Number(f[7]);
  const inode = Number(f[9]);
  if (Number.isNaN(state) || !Number.isInteger(uid) || !Number.isInteger(inode)) return `bad state, uid or inode column`;
  return { proto, localIp: local[0], localPort: local[1], remoteIp: remote[0], remotePort: remote[1], state, uid, inode };
}

function endpoint(field: string, decoder: ProcAddressDecoder): [string, number] | null {
  const colon = field.indexOf(':');
  if (colon < 0) return null;
  const ip = decoder.decode(field.slice(0, colon));
  const port = parseInt(field.slice(colon + 1), 16);
  if (ip === null || Number.isNaN(port) || port < 0 || port > 65535) return null;
  return [ip, port];
}
