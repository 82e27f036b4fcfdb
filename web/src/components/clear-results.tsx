// How a recorded clear reads: its outcome badge and, per node, the command sent and what the node
// answered (shared by the endpoint page and the fabric's Cleared table).
import { nodeLabel } from '../format';
import type { ClearRecord } from '../types';

export function Outcome({ r }: { r: Pick<ClearRecord, 'outcome'> }) {
  const cls = r.outcome === 'ok' ? 'ok' : r.outcome === 'dry-run' ? 'muted' : 'error';
  return <span className={`outcome ${cls}`}>{r.outcome}</span>;
}

export function ClearResults({ r, names = {} }: { r: ClearRecord; names?: Record<string, string> }) {
  if (r.results.length === 0) return <p className="muted">No node was asked.</p>;
  return (
    <table className="data results" aria-label={`Result per node of clear ${r.id}`}>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Result</th>
          <th scope="col">Command</th>
          <th scope="col">Output</th>
        </tr>
      </thead>
      <tbody>
        {r.results.map((n, i) => (
          <tr key={`${n.node}/${i}`}>
            <td>{nodeLabel(n.node, names)}</td>
            <td className={n.ok ? 'ok' : 'error'}>{n.ok ? 'ok' : `failed${n.error ? `: ${n.error}` : ''}`}</td>
            <td className="mono wrap">{n.command}</td>
            <td className="wrap">
              <pre className="output">{n.output}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One line of CSV per clear: the per-node results folded into text cells. */
export function clearCsvRow(r: ClearRecord): unknown[] {
  return [
    new Date(r.ts).toISOString(),
    r.vnid,
    r.addr,
    r.who,
    r.reason,
    r.nodes.join(' '),
    r.outcome,
    r.dryRun ? 'yes' : 'no',
    r.results.map((n) => `${n.node}: ${n.ok ? 'ok' : `failed ${n.error ?? ''}`} ${n.command}`.trim()).join('\n'),
    r.results.map((n) => `${n.node}: ${n.output}`).join('\n'),
  ];
}
export const CLEAR_CSV_HEADER = ['Time', 'vnid', 'Address', 'Who', 'Reason', 'Nodes', 'Outcome', 'Dry run', 'Commands', 'Output'];
