// Partitioning of the endpoint key space: hash(fabric, vnid, addr) mod P keeps per-endpoint order.

/** FNV-1a over the key text; stable across processes so cluster members agree. */
export function partitionOf(fabric: string, vnid: number, addr: string, partitions: number): number {
  let h = 0x811c9dc5;
  const mix = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  };
  mix(fabric);
  h ^= vnid & 0xffff;
  h = Math.imul(h, 0x01000193);
  h ^= vnid >>> 16;
  h = Math.imul(h, 0x01000193);
  mix(addr);
  return (h >>> 0) % partitions;
}
