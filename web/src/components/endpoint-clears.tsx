// The endpoint page's clears: the record of every clear of this endpoint (for everyone) and, for
// admins only, the Clear form: which nodes (the endpoint's learns, or every stale / off-subnet
// node), a required reason and a dry run, then the outcome per node with the command output.
import { useState, type FormEvent } from 'react';
import { api, ApiError, get } from '../api';
import { nodeLabel, time } from '../format';
import { useLoad } from '../hooks';
import { useIsAdmin } from '../session';
import type { ClearRecord, NodeLearn, Page } from '../types';
import { ClearResults, Outcome } from './clear-results';
import { ErrorBox } from './layout';

type Mode = 'nodes' | 'all-stale' | 'all-offsubnet';
const RECORDS = 20;

interface Props {
  /** …/endpoints/{vnid}/{addr} of the API. */
  base: string;
  learns: readonly NodeLearn[];
  names: Record<string, string>;
  /** Reloads the endpoint after a real clear (its learns change). */
  onCleared(): void;
}

function ClearForm({ base, learns, names, onDone }: Omit<Props, 'onCleared'> & { onDone(r: ClearRecord): void }) {
  const nodes = [...new Set(learns.map((l) => l.node))];
  const [mode, setMode] = useState<Mode>('nodes');
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [reason, setReason] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const [invalid, setInvalid] = useState<{ nodes?: string; reason?: string }>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const pick = (n: number, on: boolean) =>
    setPicked((s) => {
      const next = new Set(s);
      if (on) next.add(n);
      else next.delete(n);
      return next;
    });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const bad: { nodes?: string; reason?: string } = {};
    if (mode === 'nodes' && picked.size === 0) bad.nodes = 'Pick at least one node';
    if (!reason.trim()) bad.reason = 'A reason is required: it is recorded with the clear';
    setInvalid(bad);
    if (bad.nodes || bad.reason) return;
    setBusy(true);
    setError(null);
    try {
      const body = { nodes: mode === 'nodes' ? [...picked].sort((a, b) => a - b) : mode, reason: reason.trim(), dryRun };
      onDone(await api<ClearRecord>('POST', `${base}/clear`, body));
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="clear-form" onSubmit={(e) => void submit(e)} aria-label="Clear endpoint" noValidate>
      <fieldset aria-describedby="clear-nodes-error">
        <legend>Nodes</legend>
        <label className="check">
          <input type="radio" name="clear-mode" checked={mode === 'nodes'} onChange={() => setMode('nodes')} /> These nodes:
        </label>
        <div className="node-picks">
          {nodes.map((n) => (
            <label key={n} className="check">
              <input type="checkbox" checked={picked.has(n)} disabled={mode !== 'nodes'} onChange={(e) => pick(n, e.target.checked)} /> {nodeLabel(n, names)}
            </label>
          ))}
          {nodes.length === 0 && <span className="muted">no node holds a learn</span>}
        </div>
        <label className="check">
          <input type="radio" name="clear-mode" checked={mode === 'all-stale'} onChange={() => setMode('all-stale')} /> Every node where it is stale
        </label>
        <label className="check">
          <input type="radio" name="clear-mode" checked={mode === 'all-offsubnet'} onChange={() => setMode('all-offsubnet')} /> Every node where it is off-subnet
        </label>
        <span id="clear-nodes-error" className="field-error" role={invalid.nodes ? 'alert' : undefined}>
          {invalid.nodes}
        </span>
      </fieldset>
      <label className="block">
        Reason
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={1024} required aria-invalid={invalid.reason !== undefined} aria-describedby="clear-reason-error" />
      </label>
      <span id="clear-reason-error" className="field-error" role={invalid.reason ? 'alert' : undefined}>
        {invalid.reason}
      </span>
      <label className="check">
        <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run (record what would be sent, send nothing)
      </label>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Clearing…' : dryRun ? 'Run dry run' : 'Clear now'}
        </button>
      </div>
    </form>
  );
}

export function EndpointClears({ base, learns, names, onCleared }: Props) {
  const admin = useIsAdmin();
  const [formOpen, setFormOpen] = useState(false);
  const [last, setLast] = useState<ClearRecord | null>(null);
  const records = useLoad((signal) => get<Page<ClearRecord>>(`${base}/clears`, { limit: RECORDS }, signal), [base]);

  const done = (r: ClearRecord) => {
    setLast(r);
    setFormOpen(false);
    records.reload();
    if (!r.dryRun) onCleared();
  };
  return (
    <section aria-labelledby="clears">
      <div className="page-head">
        <h2 id="clears">Clears</h2>
        {admin && (
          <button type="button" aria-expanded={formOpen} onClick={() => setFormOpen((o) => !o)}>
            Clear
          </button>
        )}
      </div>
      {admin && formOpen && <ClearForm base={base} learns={learns} names={names} onDone={done} />}
      {last && (
        <div className="card clear-result" role="status" aria-label="Clear result">
          <p>
            Clear {last.id} of nodes {last.nodes.map((n) => nodeLabel(n, names)).join(', ')}: <Outcome r={last} />
          </p>
          <ClearResults r={last} names={names} />
        </div>
      )}
      <ErrorBox error={records.error} />
      {records.data && records.data.items.length === 0 && <p className="muted">Never cleared.</p>}
      {records.data && records.data.items.length > 0 && (
        <ul className="records" aria-label="Clears of this endpoint, newest first">
          {records.data.items.map((r) => (
            <li key={r.id}>
              {time(r.ts)} by <strong>{r.who}</strong> on {r.nodes.map((n) => nodeLabel(n, names)).join(', ')}: <Outcome r={r} />
              {r.dryRun && r.outcome !== 'dry-run' && ' (dry run)'} — <span className="reason">{r.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
