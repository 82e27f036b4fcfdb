// Which physical nodes a clear request addresses and the command for each. Pure: no I/O.
import { EptError } from '../core/errors.js';
import type { FabricTables } from '../core/fabric-tables.js';
import { nodeMembers, type EndpointState } from '../core/types.js';
import { clearCommand, tenantVrf, vlanNumber } from './clear-command.js';
import type { ClearTarget } from './remediator.js';

/** The nodes of a clear: a list, or every node with a confirmed stale / offsubnet learn. */
export type ClearNodes = number[] | 'all-stale' | 'all-offsubnet';

/** A planned target, or the reason it cannot be cleared (recorded as a failed node). */
export type PlannedTarget = { target: ClearTarget } | { node: number; error: string };

/** Physical node ids (vPC pseudo-nodes split into members), deduplicated, in order. */
export function resolveNodes(state: EndpointState, nodes: ClearNodes): number[] {
  let list: number[];
  if (nodes === 'all-stale') list = state.flags.stale;
  else if (nodes === 'all-offsubnet') list = state.flags.offsubnet;
  else list = nodes;
  if (list.length === 0) {
    const what = nodes === 'all-stale' ? 'no node with a confirmed stale learn' : nodes === 'all-offsubnet' ? 'no node with a confirmed offsubnet learn' : 'no node given';
    throw new EptError('bad_request', `nothing to clear for ${state.addr}: ${what}`, [{ field: 'body/nodes', message: what }]);
  }
  return [...new Set(list.flatMap(nodeMembers))];
}

/** The VLAN a MAC is learned in on a node: that node's learn, else the current location. */
function macVlan(state: EndpointState, node: number): number | null {
  const l = state.learns.find((x) => x.node === node && x.encap);
  return vlanNumber(l?.encap ?? state.current?.encap ?? '');
}

/** One target per node; nodes the tables do not know are errors, not guesses. */
export function planClear(state: EndpointState, nodes: readonly number[], tables: FabricTables | undefined): PlannedTarget[] {
  const vrf = state.type === 'mac' ? null : tenantVrf(tables?.vnidName(state.vnid) ?? '');
  return nodes.map((node) => {
    const info = tables?.node(node);
    if (tables && !info) return { node, error: `node ${node} is not a node of fabric ${state.fabric}` };
    const cmd = clearCommand({ type: state.type, addr: state.addr, vrf, vlan: state.type === 'mac' ? macVlan(state, node) : null });
    if ('error' in cmd) return { node, error: cmd.error };
    return { target: { fabric: state.fabric, vnid: state.vnid, addr: state.addr, type: state.type, node, tep: info?.tep ?? '', command: cmd.command } };
  });
}
