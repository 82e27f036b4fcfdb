// What every Store adapter derives from an EndpointState to index it. Shared so that the flag
// semantics are the same whatever the backend.
import { anyPresent, currentNode, isPacked } from '../core/packed-learns.js';
import type { EndpointState, FindingKind } from '../core/types.js';

export const FINDING_KINDS: readonly FindingKind[] = ['move', 'offsubnet', 'stale', 'rapid'];

/**
 * Indexed columns of an endpoint row:
 * - deleted: no node holds a local learn (current is null); 'active' is its negation.
 * - goneTs: set (> 0) when no node holds any present learn, local or remote: the time purgeDeleted
 *   compares. It is deletedTs, or the last change when the endpoint never had a local learn
 *   (deletedTs 0), so such an endpoint is not purged the moment it disappears.
 */
export interface EndpointColumns {
  curNode: number;
  offsubnet: 0 | 1;
  stale: 0 | 1;
  deleted: 0 | 1;
  goneTs: number;
}

export function endpointColumns(s: EndpointState): EndpointColumns {
  // A state held by the pipeline has its learns and current location in the packed form.
  const packed = isPacked(s);
  const curNode = packed ? currentNode(s.packed) : (s.current?.node ?? null);
  const present = packed ? anyPresent(s.packed) : s.learns.some((l) => l.present);
  return {
    curNode: curNode ?? 0,
    offsubnet: s.flags.offsubnet.length > 0 ? 1 : 0,
    stale: s.flags.stale.length > 0 ? 1 : 0,
    deleted: curNode === null ? 1 : 0,
    goneTs: present ? 0 : Math.max(1, s.deletedTs || s.ts),
  };
}

/**
 * Normalises a search prefix (addresses are stored lower-case) and returns the exclusive upper bound
 * of the range of strings starting with it, so a prefix search is an index range scan.
 */
export function prefixRange(search: string): { lo: string; hi: string } | null {
  const lo = search.trim().toLowerCase();
  if (lo === '') return null;
  const last = lo.charCodeAt(lo.length - 1);
  return { lo, hi: lo.slice(0, -1) + String.fromCharCode(last + 1) };
}
