// Per-agent tokens: issued by an admin, shown once, stored as their sha256, revocable. An agent token
// grants only the ingest routes; a user token does not grant them (and the reverse).
import { randomBytes, randomUUID } from 'node:crypto';
import { EptError } from '../core/errors.js';
import { hashToken } from '../api/auth.js';
import type { AgentRecord, HostStore } from '../store/host-store.js';

/** A freshly issued agent: the only time its token is visible. */
export interface IssuedAgent {
  id: string;
  name: string;
  site: string;
  token: string;
  createdTs: number;
}

/** Agent tokens start with this, so a leaked one is recognisable (secret scanners, logs). */
const PREFIX = 'ept_agent_';

export async function issueAgentToken(hosts: HostStore, name: string, site: string, now = Date.now()): Promise<IssuedAgent> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const rec: AgentRecord = { id: randomUUID(), name, site, tokenHash: hashToken(token), hostId: null, createdTs: now, revokedTs: null };
  await hosts.putAgent(rec);
  return { id: rec.id, name, site, token, createdTs: now };
}

/** Resolves an Authorization header to a valid (not revoked) agent, or throws unauthorized. */
export async function authenticateAgent(hosts: HostStore, header: string | undefined): Promise<AgentRecord> {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) throw new EptError('unauthorized', 'missing "Authorization: Bearer <agent token>" header');
  const agent = await hosts.getAgentByToken(hashToken(m[1] as string));
  if (!agent) throw new EptError('unauthorized', 'invalid agent token (a user token does not work here: issue one with `ept agent-token create`)');
  if (agent.revokedTs !== null) throw new EptError('unauthorized', `agent token '${agent.name}' was revoked`);
  return agent;
}

/** The agent view that leaves the server (never the hash). */
export function agentView(a: AgentRecord): { id: string; name: string; site: string; hostId: string | null; createdTs: number; revokedTs: number | null } {
  return { id: a.id, name: a.name, site: a.site, hostId: a.hostId, createdTs: a.createdTs, revokedTs: a.revokedTs };
}
