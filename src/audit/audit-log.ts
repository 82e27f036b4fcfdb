// The audit log: who changed what and who did what (configuration changes, clears, test sends,
// logins), kept in the store. Recording never fails the action it records: errors are logged.
import type { Logger } from 'pino';
import type { AuditRecord, Store } from '../store/store.js';

/** An entry to record (id and time are filled in). */
export interface AuditEntry {
  who: string;
  action: string;
  fabric?: string | null;
  outcome?: AuditRecord['outcome'];
  details?: Record<string, unknown>;
}

/** Names of fields whose values are never recorded (only that they were set). */
const SECRET_RE = /pass(word)?|secret|token|pwd|key$/i;

/** A copy of details with secret values replaced by '[set]' (or '[empty]'), at any depth. */
export function withoutSecrets(details: unknown): unknown {
  if (Array.isArray(details)) return details.map(withoutSecrets);
  if (typeof details !== 'object' || details === null) return details;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    out[k] = SECRET_RE.test(k) ? (v === '' || v === null || v === undefined ? '[empty]' : '[set]') : withoutSecrets(v);
  }
  return out;
}

export class AuditLog {
  private readonly log: Logger;

  constructor(
    private readonly store: Store,
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.log = logger.child({ component: 'audit' });
  }

  /** Records an entry; resolves to it, or to null when the store failed (logged). */
  async record(e: AuditEntry): Promise<AuditRecord | null> {
    const entry = {
      ts: this.now(),
      who: e.who,
      action: e.action,
      fabric: e.fabric ?? null,
      outcome: e.outcome ?? 'ok',
      details: withoutSecrets(e.details ?? {}) as Record<string, unknown>,
    };
    try {
      return await this.store.addAudit(entry);
    } catch (err) {
      this.log.error({ err, action: e.action, who: e.who, fabric: entry.fabric }, 'audit entry could not be recorded');
      return null;
    }
  }
}
