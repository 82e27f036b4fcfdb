// Partitioning of the endpoint key space: hash(fabric, vnid, addr) mod P keeps per-endpoint order.

/** FNV-1a over the key text; stable across processes so cluster members agree. */
export function partitionOf(fabric: string, vnid: number, addr: string, partitions: number): number {
  // Loops written out: a helper closure over h was allocated for every event.
  let h = 0x811c9dc5;
  for (let i = 0; i < fabric.length; i++) {
    h ^= fabric.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= vnid & 0xffff;
  h = Math.imul(h, 0x01000193);
  h ^= vnid >>> 16;
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < addr.length; i++) {
    h ^= addr.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
