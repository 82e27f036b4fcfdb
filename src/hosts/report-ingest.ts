// Agent report ingest: each module document is validated on its own against its schema, so one bad
// document costs only itself. Valid ones are stored (latest + capped history); bad ones and, after a
// seq gap, every module are asked for again in full.
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Type, type TSchema } from '@sinclair/typebox';
import { MODULE_SCHEMAS, type AgentReportAnswer, type ModuleName } from '../protocols/agent-report.js';
import type { AgentRecord, HostStore } from '../store/host-store.js';
import { EptError } from '../core/errors.js';

/** One rejected module document: which module, where in it, and why. */
export interface RejectedModule {
  module: string;
  /** JSON pointer into the report, e.g. /documents/services/body/services/3/port. */
  path: string;
  message: string;
}

/** The outcome of one report. */
export interface IngestResult extends AgentReportAnswer {
  rejected: RejectedModule[];
}

/** The envelope as the route receives it: documents are checked one by one here. */
export interface ReportEnvelope {
  hostId: string;
  seq: number;
  full: boolean;
  ts: number;
  documents: Record<string, unknown>;
}

const MODULES = Object.keys(MODULE_SCHEMAS) as ModuleName[];
const checkers = new Map<string, TypeCheck<TSchema>>(
  MODULES.map((m) => [m, TypeCompiler.Compile(Type.Object({ hash: Type.String({ maxLength: 64 }), body: MODULE_SCHEMAS[m] }, { additionalProperties: false }))]),
);

/** Validates one module document; null when valid. */
export function checkModule(module: string, doc: unknown): RejectedModule | null {
  const check = checkers.get(module);
  if (!check) return { module, path: `/documents/${module}`, message: `unknown module '${module}' (known: ${MODULES.join(', ')})` };
  if (check.Check(doc)) return null;
  const first = check.Errors(doc).First();
  return { module, path: `/documents/${module}${first?.path ?? ''}`, message: first?.message ?? 'is invalid' };
}

/** Options of ingestReport. */
export interface IngestOptions {
  /** Versions of each module document kept per host. */
  historyCap: number;
  now?: number;
}

/** Stores what is valid in a report and says what to resend. The token is bound to its first host. */
export async function ingestReport(hosts: HostStore, agent: AgentRecord, r: ReportEnvelope, o: IngestOptions): Promise<IngestResult> {
  if (agent.hostId !== null && agent.hostId !== r.hostId) {
    throw new EptError('forbidden', `this agent token is bound to host '${agent.hostId}', not '${r.hostId}'`);
  }
  if (agent.hostId === null) await hosts.putAgent({ ...agent, hostId: r.hostId });
  const prev = await hosts.getHost(r.hostId);
  const accepted: string[] = [];
  const rejected: RejectedModule[] = [];
  const docs = [];
  for (const [module, doc] of Object.entries(r.documents)) {
    const bad = checkModule(module, doc);
    if (bad) {
      rejected.push(bad);
      continue;
    }
    const d = doc as { hash: string; body: unknown };
    accepted.push(module);
    docs.push({ hostId: r.hostId, module, hash: d.hash, ts: r.ts, body: d.body });
  }
  if (docs.length) await hosts.putHostDocuments(docs, o.historyCap);
  // A gap in seq means a report (and the changes it carried) was lost: ask for every module in full.
  const gap = !r.full && (prev === null || r.seq !== prev.lastSeq + 1);
  const pending = new Set(r.full ? [] : (prev?.resend ?? []));
  for (const m of accepted) pending.delete(m);
  if (gap) for (const m of MODULES) if (!accepted.includes(m)) pending.add(m);
  for (const b of rejected) if (checkers.has(b.module)) pending.add(b.module);
  const resend = [...pending].sort();
  await hosts.putHost({ hostId: r.hostId, agentId: agent.id, site: agent.site, lastSeq: r.seq, lastTs: o.now ?? Date.now(), resend });
  return { accepted, resend, rejected };
}
