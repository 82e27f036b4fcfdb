// The Remediator port: runs a clear command on one fabric node. Adapters: the APIC over SSH
// (apic-ssh-remediator.ts, as operators do it by hand) and the built-in simulator (sim-remediator.ts).
import type { EndpointType } from '../core/types.js';
import type { ClearNodeResult } from '../store/store.js';

/** One node to clear one endpoint on, with everything an adapter needs to reach it. */
export interface ClearTarget {
  fabric: string;
  /** Key vnid: BD vnid for a MAC, VRF vnid for an IP. */
  vnid: number;
  addr: string;
  type: EndpointType;
  /** A physical node id (vPC pairs are cleared member by member). */
  node: number;
  /** The node's TEP address ('' when the tables do not know it). */
  tep: string;
  /** The command to run on the node (clear-command.ts). */
  command: string;
}

/** Clears endpoints on fabric nodes. */
export interface Remediator {
  /** Runs target.command on target.node. Failures are results (ok false), never rejections. */
  clear(target: ClearTarget): Promise<ClearNodeResult>;
  /** Releases connections. */
  close(): Promise<void>;
}
