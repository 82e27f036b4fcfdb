// Routing filter: which findings a fabric notifies at all. Pure.
import { nodeMembers, type Finding } from '../core/types.js';
import type { FindingNames } from './notification.js';
import type { NotifyFilter } from './notification-settings.js';

/** The name part of a DN's last RN: uni/tn-a/ctx-v1 -> v1. */
function rnName(dn: string): string {
  const rn = dn.slice(dn.lastIndexOf('/') + 1);
  const dash = rn.indexOf('-');
  return dash < 0 ? rn : rn.slice(dash + 1);
}

/** A filter entry names a DN exactly, by a trailing part of it (tn-a/ctx-v1), or by its name (v1). */
function dnMatches(list: readonly string[] | undefined, dn: string): boolean {
  if (!list?.length) return true;
  if (!dn) return false;
  const name = rnName(dn);
  return list.some((v) => v === dn || v === name || dn.endsWith(`/${v}`));
}

function nodeMatches(list: readonly number[] | undefined, f: Finding): boolean {
  if (!list?.length) return true;
  const ids = [f.node, f.src?.node ?? 0, f.dst?.node ?? 0].filter(Boolean).flatMap(nodeMembers);
  return ids.some((id) => list.includes(id));
}

/** Whether a finding passes the filter (an empty filter passes everything). */
export function matchesFilter(filter: NotifyFilter, f: Finding, names: FindingNames): boolean {
  if (filter.kinds?.length && !filter.kinds.includes(f.kind)) return false;
  if (filter.tenants?.length && !filter.tenants.includes(names.tenant)) return false;
  return (
    dnMatches(filter.vrfs, names.vrf) &&
    dnMatches(filter.bds, names.bd) &&
    dnMatches(filter.epgs, names.epg) &&
    nodeMatches(filter.nodes, f)
  );
}

/** Whether the filter restricts anything (so names must be resolved before deciding). */
export function filterIsEmpty(filter: NotifyFilter): boolean {
  return !(
    filter.kinds?.length ||
    filter.tenants?.length ||
    filter.vrfs?.length ||
    filter.bds?.length ||
    filter.epgs?.length ||
    filter.nodes?.length
  );
}
