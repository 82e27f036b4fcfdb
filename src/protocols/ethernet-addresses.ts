// Text forms of link and network addresses read from frame bytes. Decoders keep addresses as
// offsets or numbers and call these only for fields somebody prints, so no strings are built for
// fields nobody reads.

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `aa:bb:cc:dd:ee:ff` from `len` bytes at `off` (len 6 for a MAC). */
export function formatMac(buf: Uint8Array, off: number, len = 6): string {
  let s = HEX[buf[off] ?? 0] as string;
  for (let i = 1; i < len; i++) s += `:${HEX[buf[off + i] ?? 0] as string}`;
  return s;
}

/** A 48-bit MAC held as a number (as the ARP decoder returns it) to `aa:bb:cc:dd:ee:ff`. */
export function formatMacNumber(mac: number): string {
  const hi = Math.floor(mac / 0x100000000);
  const lo = mac >>> 0;
  return `${HEX[(hi >>> 8) & 0xff] as string}:${HEX[hi & 0xff] as string}:${HEX[lo >>> 24] as string}:${HEX[(lo >>> 16) & 0xff] as string}:${HEX[(lo >>> 8) & 0xff] as string}:${HEX[lo & 0xff] as string}`;
}

/** Reads 6 bytes at `off` as a 48-bit number (exact in a double); cheap to compare and to use as a Map key. */
export function readMacNumber(buf: Uint8Array, off: number): number {
  return ((buf[off] as number) * 0x100 + (buf[off + 1] as number)) * 0x100000000 + readU32(buf, off + 2);
}

/** Big-endian unsigned 32-bit read. */
export function readU32(buf: Uint8Array, off: number): number {
  return (((buf[off] as number) << 24) | ((buf[off + 1] as number) << 16) | ((buf[off + 2] as number) << 8) | (buf[off + 3] as number)) >>> 0;
}

/** Big-endian unsigned 16-bit read. */
export function readU16(buf: Uint8Array, off: number): number {
  return ((buf[off] as number) << 8) | (buf[off + 1] as number);
}

/** Dotted quad from a uint32. */
export function formatIpv4Number(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

/** Dotted quad from 4 bytes at `off`. */
export function formatIpv4(buf: Uint8Array, off: number): string {
  return `${buf[off] ?? 0}.${buf[off + 1] ?? 0}.${buf[off + 2] ?? 0}.${buf[off + 3] ?? 0}`;
}

/** RFC 5952 text form (lower case, longest run of two or more zero groups compressed) of 16 bytes at `off`. */
export function formatIpv6(buf: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(readU16(buf, off + 2 * i));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIpv4(buf, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** Bytes as `0a:1b:…` (tshark's form for opaque fields). */
export function formatHex(buf: Uint8Array, off: number, len: number): string {
  return len <= 0 ? '' : formatMac(buf, off, len);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A text field: UTF-8 (ASCII in practice); invalid sequences become U+FFFD instead of failing. Some
 * devices NUL-terminate their strings inside the TLV; the text ends at the first NUL (as tshark shows it).
 */
export function readText(buf: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return utf8.decode(buf.subarray(off, end));
}
