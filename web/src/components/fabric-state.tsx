// A fabric's state as an operator needs it: building with progress, error with its cause.
import type { FabricStatus } from '../types';
import { StateBadge } from './layout';

/** Objects read / announced over every class of the current build, 0..1; null when unknown. */
export function buildProgress(s: FabricStatus): number | null {
  if (!s.build) return null;
  let read = 0;
  let total = 0;
  for (const c of Object.values(s.build.classes)) {
    read += Math.min(c.read, c.total);
    total += c.total;
  }
  return total > 0 ? read / total : null;
}

export function FabricState({ status, state }: { status: FabricStatus | null; state: string }) {
  const s = status?.state ?? state;
  const p = status && (s === 'building' || s === 'resyncing') ? buildProgress(status) : null;
  return (
    <span className="fabric-state">
      <StateBadge state={s} />
      {p !== null && (
        <>
          {' '}
          <progress max={1} value={p} aria-label={`${s} progress`} /> {Math.floor(p * 100)}%
        </>
      )}
      {status?.lastError && s === 'error' && <span className="error-cause"> {status.lastError.message}</span>}
      {status?.lastError && s !== 'error' && (
        <span className="muted" title={status.lastError.message}>
          {' '}
          (last error: {status.lastError.message})
        </span>
      )}
    </span>
  );
}
