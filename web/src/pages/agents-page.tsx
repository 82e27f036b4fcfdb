// Agent tokens (admin): issue one per host (shown once, copy it now), see which host each is bound
// to, revoke. The server keeps only a hash of each token.
import { useState, type FormEvent } from 'react';
import { api, ApiError, get } from '../api';
import { ErrorBox } from '../components/layout';
import { hostPath, time } from '../format';
import { useLoad } from '../hooks';
import { Link } from '../router';
import type { AgentView, IssuedAgent } from '../types';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Rows drawn at once: a fabric of hosts has thousands of agents. */
const ROWS = 100;

export function AgentsPage() {
  const list = useLoad((signal) => get<{ items: AgentView[] }>('/api/v1/agents', {}, signal), []);
  const [draft, setDraft] = useState({ name: '', site: '' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [issued, setIssued] = useState<IssuedAgent | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [copied, setCopied] = useState(false);
  const [q, setQ] = useState('');
  const [shown, setShown] = useState(ROWS);
  const t = q.trim().toLowerCase();
  // Newest first, so a token just issued is at the top.
  const rows = (list.data?.items ?? []).filter((a) => !t || a.name.toLowerCase().includes(t) || (a.hostId ?? '').toLowerCase().includes(t)).sort((a, b) => b.createdTs - a.createdTs);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!NAME.test(draft.name)) errs['name'] = 'Letters, digits, ".", "_" or "-", at most 64';
    if (draft.site && !NAME.test(draft.site)) errs['site'] = 'Letters, digits, ".", "_" or "-", at most 64';
    setFieldErrors(errs);
    if (Object.keys(errs).length) return;
    try {
      const body = draft.site ? { name: draft.name, site: draft.site } : { name: draft.name };
      setIssued(await api<IssuedAgent>('POST', '/api/v1/agents', body));
      setCopied(false);
      setError(null);
      setDraft({ name: '', site: '' });
      list.reload();
    } catch (err) {
      if (err instanceof ApiError && err.fields().length) setFieldErrors(Object.fromEntries(err.fields().map((f) => [f.field.replace(/^body\//, ''), f.message])));
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const revoke = async (a: AgentView) => {
    if (!confirm(`Revoke the token of agent '${a.name}'? Its host can no longer report.`)) return;
    try {
      await api('DELETE', `/api/v1/agents/${encodeURIComponent(a.id)}`);
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const copy = async () => {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(issued.token);
      setCopied(true);
    } catch {
      setError(new Error('The browser refused clipboard access; select the token and copy it by hand.'));
    }
  };

  return (
    <>
      <h1>Agent tokens</h1>
      <form className="filters" onSubmit={(e) => void create(e)} aria-label="Issue an agent token">
        <label>
          Agent name
          <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} aria-invalid={'name' in fieldErrors} aria-describedby="agent-name-error" spellCheck={false} />
        </label>
        <label>
          Site (optional)
          <input value={draft.site} onChange={(e) => setDraft({ ...draft, site: e.target.value })} placeholder="default" aria-invalid={'site' in fieldErrors} aria-describedby="agent-site-error" spellCheck={false} />
        </label>
        <button type="submit">Issue token</button>
        <span id="agent-name-error" className="field-error">
          {fieldErrors['name']}
        </span>
        <span id="agent-site-error" className="field-error">
          {fieldErrors['site']}
        </span>
      </form>
      <ErrorBox error={error} />
      {issued && (
        <div className="notice token" role="status" aria-label="New agent token">
          <p>
            Token of agent <strong>{issued.name}</strong> (site {issued.site}). It is shown only now: start the agent with it (<code>EPT_TOKEN=… ept --server … agent</code>).
          </p>
          <p>
            <code className="mono" data-testid="agent-token">
              {issued.token}
            </code>{' '}
            <button type="button" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>{' '}
            <button type="button" className="link" onClick={() => setIssued(null)}>
              Done
            </button>
          </p>
        </div>
      )}
      <ErrorBox error={list.error} />
      <div className="filters">
        <label>
          Find agent (name or host)
          <input value={q} onChange={(e) => { setQ(e.target.value); setShown(ROWS); }} spellCheck={false} />
        </label>
        <span className="muted">
          {rows.length} agent(s){rows.length > shown ? `, newest ${shown} shown` : ''}
        </span>
      </div>
      <div className="table-wrap">
        <table className="data" aria-busy={list.loading}>
          <caption className="sr-only">Agent tokens</caption>
          <thead>
            <tr>
              {['Name', 'Site', 'Host', 'Issued', 'State', 'Actions'].map((t) => (
                <th key={t} scope="col">
                  {t}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, shown).map((a) => (
              <tr key={a.id} data-agent={a.name} className={a.revokedTs ? 'gone' : undefined}>
                <td>{a.name}</td>
                <td>{a.site}</td>
                <td>{a.hostId ? <Link to={hostPath(a.hostId)}>{a.hostId}</Link> : <span className="muted">not used yet</span>}</td>
                <td>{time(a.createdTs)}</td>
                <td>{a.revokedTs ? `revoked ${time(a.revokedTs)}` : 'active'}</td>
                <td>
                  {!a.revokedTs && (
                    <button type="button" onClick={() => void revoke(a)} aria-label={`Revoke ${a.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {!list.loading && rows.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {t ? 'No agent matches.' : 'No agent token issued yet.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {rows.length > shown && (
        <p>
          <button type="button" onClick={() => setShown((n) => n + ROWS)}>
            Show {Math.min(ROWS, rows.length - shown)} more
          </button>
        </p>
      )}
    </>
  );
}
