// The class queries that re-read one endpoint (rapid refresh, rechecks). Filters may match more
// than the endpoint (wcard is a pattern, MAC case varies by release); results are filtered on the
// parsed observation by the caller.
import { addressType } from '../core/address.js';
import { nodeFilter } from './fabric-sync.js';

/** One query of an endpoint refresh. */
export interface RefreshQuery {
  cls: string;
  filter: string;
}

function withNodes(cls: string, filter: string, nodes: readonly number[] | undefined): string {
  return nodes?.length ? `and(${filter},${nodeFilter(cls, nodes)})` : filter;
}

/** Queries for a normalised MAC (epmMacEp) or IP (epmIpEp and its MAC bindings). */
export function endpointRefreshQueries(addr: string, nodes?: readonly number[]): RefreshQuery[] {
  if (addressType(addr) === 'mac') {
    const mac = addr;
    const f = `or(eq(epmMacEp.addr,"${mac.toUpperCase()}"),eq(epmMacEp.addr,"${mac}"))`;
    return [{ cls: 'epmMacEp', filter: withNodes('epmMacEp', f, nodes) }];
  }
  return [
    { cls: 'epmIpEp', filter: withNodes('epmIpEp', `eq(epmIpEp.addr,"${addr}")`, nodes) },
    { cls: 'epmRsMacEpToIpEpAtt', filter: withNodes('epmRsMacEpToIpEpAtt', `wcard(epmRsMacEpToIpEpAtt.dn,"${addr}")`, nodes) },
  ];
}
