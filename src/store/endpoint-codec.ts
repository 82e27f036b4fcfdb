// Compact text encoding of an EndpointState for the PostgreSQL store (and SQLite rows written before
// schema v9; SQLite now writes bytes, endpoint-binary.ts): positional JSON arrays instead of
// objects, without the key (fabric, vnid, addr, type), which the row's own columns hold. About half
// the size of plain JSON and about twice as fast to write.
// Format 1: [1, learns, current, previous, deletedTs, offsubnet, stale, rapidUntil, lastMove,
//            bucketStart, c0, c1, c2, c3, rapidSkipped, ts]
import { EptError } from '../core/errors.js';
import { flagsText, intern, internFlags } from '../core/intern.js';
import { isPacked, unpackCurrent, unpackLearns } from '../core/packed-learns.js';
import { decodeEndpointBinary, storedState } from './endpoint-binary.js';
import type { EndpointKey, EndpointState, EndpointType, Location, NodeLearn } from '../core/types.js';

const FORMAT = 1;

type LocationTuple = [number, string, string, number, string, number, number];
type LearnTuple = [number, 0 | 1, string, string, string, number, number, number, string, number, number, number, number, number, number];

function encodeLocation(l: Location | null): LocationTuple | 0 {
  return l === null ? 0 : [l.node, l.ifId, l.encap, l.pcTag, l.rwMac, l.rwBd, l.ts];
}

function decodeLocation(t: LocationTuple | 0): Location | null {
  if (t === 0) return null;
  return { node: t[0], ifId: t[1], encap: t[2], pcTag: t[3], rwMac: t[4], rwBd: t[5], ts: t[6] };
}

function encodeLearn(l: NodeLearn): LearnTuple {
  return [l.node, l.present ? 1 : 0, flagsText(l.flags), l.ifId, l.encap, l.pcTag, l.bd, l.vrf, l.rwMac, l.rwBd, l.remote, l.ts, l.seq, l.seen, l.bindSeen];
}

function decodeLearn(t: LearnTuple): NodeLearn {
  return {
    node: t[0],
    present: t[1] === 1,
    flags: internFlags(t[2]),
    ifId: intern(t[3]),
    encap: intern(t[4]),
    pcTag: t[5],
    bd: t[6],
    vrf: t[7],
    rwMac: t[8],
    rwBd: t[9],
    remote: t[10],
    ts: t[11],
    seq: t[12],
    seen: t[13],
    bindSeen: t[14],
  };
}

/**
 * Encodes the state without its key. A state the pipeline holds packed (core/packed-learns.ts) has
 * its learns and current location read from the packed form. (Tuples for JSON.stringify rather
 * than text built by concatenation: many small strings concatenated make deep rope strings, which
 * cost the garbage collector several times the encoding.)
 */
export function encodeEndpointState(s: EndpointState): string {
  const learns = isPacked(s) ? unpackLearns(s.packed) : s.learns;
  const current = isPacked(s) ? unpackCurrent(s.packed) : s.current;
  return JSON.stringify([FORMAT, learns.map(encodeLearn), encodeLocation(current), ...afterLocation(s)]);
}

/** The tuple's fields after the current location. */
function afterLocation(s: EndpointState): unknown[] {
  const c = s.rate.counts;
  return [
    encodeLocation(s.previous),
    s.deletedTs,
    s.flags.offsubnet,
    s.flags.stale,
    s.flags.rapidUntil,
    s.lastMove === null ? 0 : [encodeLocation(s.lastMove.src), encodeLocation(s.lastMove.dst)],
    s.rate.bucketStart,
    c[0],
    c[1],
    c[2],
    c[3],
    s.rapidSkipped,
    s.ts,
  ];
}

/**
 * Decodes a stored state, given the key, type and id from the row: text from encodeEndpointState
 * (PostgreSQL, and SQLite rows written before schema v9), bytes from writeEndpointBinary (SQLite).
 */
export function decodeEndpointState(key: EndpointKey, type: EndpointType, stored: string | Uint8Array, id = 0): EndpointState {
  if (typeof stored !== 'string') return decodeEndpointBinary(key, type, stored, id);
  const t = JSON.parse(stored) as unknown[];
  if (!Array.isArray(t) || t[0] !== FORMAT || t.length !== 16) {
    throw new EptError('store_error', `endpoint ${key.fabric}/${key.vnid}/${key.addr}: stored state has an unknown format`);
  }
  const move = t[8] as 0 | [LocationTuple, LocationTuple];
  return storedState(key, type, id, {
    learns: (t[1] as LearnTuple[]).map(decodeLearn),
    current: decodeLocation(t[2] as LocationTuple | 0),
    previous: decodeLocation(t[3] as LocationTuple | 0),
    deletedTs: t[4] as number,
    offsubnet: t[5] as number[],
    stale: t[6] as number[],
    rapidUntil: t[7] as number,
    lastMove: move === 0 ? null : { src: decodeLocation(move[0]) as Location, dst: decodeLocation(move[1]) as Location },
    bucketStart: t[9] as number,
    counts: [t[10] as number, t[11] as number, t[12] as number, t[13] as number],
    rapidSkipped: t[14] as number,
    ts: t[15] as number,
  });
}
