// Clears endpoints through a fabric's Remediator and records every clear (who, why, when, nodes,
// outcome, output), dry runs included, in the store and the audit log.
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import { EptError } from '../core/errors.js';
import { FabricTables } from '../core/fabric-tables.js';
import type { EndpointState } from '../core/types.js';
import type { ClearNodeResult, ClearRecord, Store } from '../store/store.js';
import { planClear, resolveNodes, type ClearNodes } from './clear-plan.js';
import type { Remediator } from './remediator.js';

/** A request to clear one endpoint. */
export interface ClearRequest {
  fabric: string;
  vnid: number;
  addr: string;
  nodes: ClearNodes;
  reason: string;
  /** Record what would be done without doing it. */
  dryRun?: boolean;
  /** Username, or 'auto'. */
  who: string;
}

/** Options of EndpointClearer. */
export interface EndpointClearerOptions {
  store: Store;
  logger: Logger;
  /** The endpoint's current state: the pipeline's memory first, the store otherwise. */
  state: (fabric: string, vnid: number, addr: string) => Promise<EndpointState | null>;
  /** The fabric's tables (node TEPs, VRF names); undefined loads them from the store. */
  tables?: (fabric: string) => FabricTables | undefined;
  /** The fabric's Remediator, or null when it has none (the clear is recorded as failed). */
  remediator: (fabric: string) => Promise<Remediator | null>;
  audit?: AuditLog;
  now?: () => number;
}

function outcomeOf(results: readonly ClearNodeResult[], dryRun: boolean): ClearRecord['outcome'] {
  if (dryRun) return 'dry-run';
  const ok = results.filter((r) => r.ok).length;
  return ok === results.length ? 'ok' : ok === 0 ? 'failed' : 'partial';
}

export class EndpointClearer {
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: EndpointClearerOptions) {
    this.log = opts.logger.child({ component: 'clearer' });
    this.now = opts.now ?? Date.now;
  }

  /** Clears (or dry-runs) and records. not_found / bad_request when there is nothing to clear. */
  async clear(req: ClearRequest): Promise<ClearRecord> {
    const state = await this.opts.state(req.fabric, req.vnid, req.addr);
    if (!state) throw new EptError('not_found', `endpoint ${req.addr} (vnid ${req.vnid}) is not known in fabric '${req.fabric}'`);
    const nodes = resolveNodes(state, req.nodes);
    const tables = this.opts.tables?.(req.fabric) ?? (await this.storedTables(req.fabric));
    const plan = planClear(state, nodes, tables);
    const ts = this.now();
    const dryRun = req.dryRun === true;
    const remediator = dryRun ? null : await this.opts.remediator(req.fabric);
    const results = await Promise.all(
      plan.map(async (p): Promise<ClearNodeResult> => {
        if ('error' in p) return { node: p.node, command: '', ok: false, output: '', error: p.error };
        if (dryRun) return { node: p.target.node, command: p.target.command, ok: true, output: '[dry run: not sent]' };
        if (!remediator) return { node: p.target.node, command: p.target.command, ok: false, output: '', error: `fabric '${req.fabric}' has no way to clear endpoints configured` };
        return remediator.clear(p.target);
      }),
    );
    const record = await this.opts.store.addClear({
      fabric: req.fabric,
      vnid: req.vnid,
      addr: state.addr,
      nodes,
      who: req.who,
      reason: req.reason,
      ts,
      dryRun,
      outcome: outcomeOf(results, dryRun),
      results,
    });
    this.log.info({ fabric: req.fabric, vnid: req.vnid, addr: state.addr, nodes, who: req.who, dryRun, outcome: record.outcome, id: record.id }, 'endpoint clear recorded');
    await this.opts.audit?.record({
      who: req.who,
      action: 'endpoint.clear',
      fabric: req.fabric,
      outcome: record.outcome === 'failed' ? 'failed' : 'ok',
      details: { clearId: record.id, vnid: req.vnid, addr: state.addr, nodes, reason: req.reason, dryRun, result: record.outcome },
    });
    return record;
  }

  private async storedTables(fabric: string): Promise<FabricTables> {
    return FabricTables.fromRows(await this.opts.store.loadFabricObjects(fabric));
  }
}
