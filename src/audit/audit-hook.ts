// Records configuration changes and logins made through routes that do not record themselves
// (fabrics, settings, users, login), from the matched route, its params, the parsed body and the
// status, after the response is sent. Routes added with auditing built in are not listed here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntry } from './audit-log.js';

/** Where entries go (AuditLog, or anything with its record()). */
export interface AuditSink {
  record(e: AuditEntry): Promise<unknown>;
}

type Body = Record<string, unknown> | undefined;

/** What one audited route records: the action and its details. */
interface AuditRule {
  action: string;
  details?: (body: Body) => Record<string, unknown>;
}

const keys = (v: unknown): string[] => (v && typeof v === 'object' ? Object.keys(v).sort() : []);

const RULES: Record<string, AuditRule> = {
  'POST /api/v1/fabrics': {
    action: 'fabric.create',
    details: (b) => ({ apic: keys(b?.['apic']), urls: (b?.['apic'] as { urls?: unknown } | undefined)?.urls, settings: b?.['settings'] ?? {}, autoStart: b?.['autoStart'] }),
  },
  'PATCH /api/v1/fabrics/:fabric': {
    action: 'fabric.update',
    // APIC fields by name only (a password change shows as "password"), settings with values.
    details: (b) => ({ apic: keys(b?.['apic']), settings: b?.['settings'] ?? {}, autoStart: b?.['autoStart'] }),
  },
  'DELETE /api/v1/fabrics/:fabric': { action: 'fabric.delete' },
  'POST /api/v1/fabrics/:fabric/start': { action: 'fabric.start' },
  'POST /api/v1/fabrics/:fabric/stop': { action: 'fabric.stop' },
  'PUT /api/v1/fabrics/:fabric/settings': { action: 'settings.update', details: (b) => ({ settings: b ?? {} }) },
  'POST /api/v1/users': { action: 'user.create', details: (b) => ({ username: b?.['username'], role: b?.['role'] }) },
  'POST /api/v1/auth/login': { action: 'auth.login' },
};

function who(req: FastifyRequest, body: Body): string {
  if (req.principal) return req.principal.username;
  const name = body?.['username'];
  return typeof name === 'string' ? name.slice(0, 64) : 'anonymous';
}

/** The entry a finished request leaves in the audit log, or null when the route is not audited. */
export function auditEntryFor(req: FastifyRequest, status: number): AuditEntry | null {
  const rule = RULES[`${req.method} ${req.routeOptions.url ?? ''}`];
  if (!rule) return null;
  const body = (req.body && typeof req.body === 'object' ? req.body : undefined) as Body;
  const params = req.params as Record<string, string> | undefined;
  const fabric = params?.['fabric'] ?? (rule.action === 'fabric.create' && typeof body?.['name'] === 'string' ? body['name'] : null);
  const details: Record<string, unknown> = { status, ...(rule.details?.(body) ?? {}) };
  if (rule.action === 'auth.login') details['ip'] = req.ip;
  return { who: who(req, body), action: rule.action, fabric, outcome: status < 400 ? 'ok' : 'failed', details };
}

/** Adds the onResponse hook that records audited routes. */
export function installAuditHook(app: FastifyInstance, audit: AuditSink): void {
  app.addHook('onResponse', async (req, reply) => {
    const entry = auditEntryFor(req, reply.statusCode);
    if (entry) await audit.record(entry);
  });
}
