// Integer reads in the byte order a capture file declares (pcap and pcapng may be either).

export function u32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16) | ((b[o + 3] as number) << 24)) >>> 0
    : (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
}

export function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? (b[o] as number) | ((b[o + 1] as number) << 8) : ((b[o] as number) << 8) | (b[o + 1] as number);
}
