// Partitioning of the endpoint key space: hash(fabric, vnid, addr) mod P keeps per-endpoint order.

/** FNV-1a over the key text; stable across processes so cluster members agree. */
export function partitionOf(fabric: string, vnid: number, addr: string, partitions: number): number {
  let h = mix(0x811c9dc5, fabric);
  h ^= vnid & 0xffff;
  h = Math.imul(h, 0x01000193);
  h ^= vnid >>> 16;
  h = Math.imul(h, 0x01000193);
  return (mix(h, addr) >>> 0) % partitions;
}

/** One FNV-1a round per character of s (a plain function: a closure over h was allocated per event). */
function mix(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}
