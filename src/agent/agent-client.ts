// HTTP to the ept server: POST a JSON body with the agent's bearer token.
import { Value } from '@sinclair/typebox/value';
import { AgentReportAnswer, type AgentObservations, type AgentReport } from '../protocols/agent-report.js';

export interface AgentClientOptions {
  /** Base URL of the ept server, e.g. https://ept.example:8443 */
  server: string;
  token: string;
  timeoutMs?: number;
}

/** A failed request, as a value: the reporter retries, it does not throw. */
export type PostResult<T> = { ok: true; value: T } | { ok: false; error: string; status?: number };

export class AgentClient {
  private readonly base: string;

  constructor(private readonly o: AgentClientOptions) {
    this.base = o.server.replace(/\/+$/, '');
  }

  async report(r: AgentReport): Promise<PostResult<AgentReportAnswer>> {
    const res = await this.post('/api/v1/agent/report', r);
    if (!res.ok) return res;
    // A 2xx without a valid answer still means "stored": resend nothing rather than loop.
    return { ok: true, value: Value.Check(AgentReportAnswer, res.value) ? res.value : { accepted: [], resend: [] } };
  }

  async observations(o: AgentObservations): Promise<PostResult<unknown>> {
    return this.post('/api/v1/agent/observations', o);
  }

  private async post(path: string, body: unknown): Promise<PostResult<unknown>> {
    const url = `${this.base}${path}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
      const text = await res.text();
      if (!res.ok) return { ok: false, status: res.status, error: `POST ${url}: HTTP ${res.status}: ${text.slice(0, 200)}` };
      try {
        return { ok: true, value: text ? (JSON.parse(text) as unknown) : {} };
      } catch {
        return { ok: true, value: {} };
      }
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return { ok: false, error: `POST ${url}: ${e.cause?.code ?? e.name}: ${e.message}` };
    }
  }
}
