// Data hooks: a cancellable fetch with reload, polling, and the live finding stream (SSE).
import { useCallback, useEffect, useRef, useState } from 'react';
import { getToken, withQuery } from './api';
import type { FindingKind } from './types';

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload(): void;
}

/** Runs load() when deps change (aborting the previous call) and on reload(). */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, error: null, loading: false }),
      (error: unknown) => !ac.signal.aborted && setState((s) => ({ data: s.data, error: error instanceof Error ? error : new Error(String(error)), loading: false })),
    );
    return () => ac.abort();
    // load is a new closure every render; deps say when it changed.
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Calls f every ms while mounted and the tab is visible. */
export function useInterval(f: () => void, ms: number): void {
  const ref = useRef(f);
  ref.current = f;
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') ref.current();
    }, ms);
    return () => clearInterval(t);
  }, [ms]);
}

export interface FindingBrief {
  kind: FindingKind;
  vnid: number;
  addr: string;
  type: string;
  node: number;
  ts: number;
}

/** Subscribes to a fabric's live findings; returns whether the stream is connected. */
export function useFindingStream(fabric: string, onBatch: (items: FindingBrief[], dropped: number) => void): boolean {
  const ref = useRef(onBatch);
  ref.current = onBatch;
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const es = new EventSource(withQuery('/api/v1/stream', { fabric, token: getToken() }));
    es.addEventListener('ready', () => setConnected(true));
    es.addEventListener('findings', (e) => {
      const m = JSON.parse((e as MessageEvent<string>).data) as { items: FindingBrief[]; dropped: number };
      ref.current(m.items, m.dropped);
    });
    // EventSource reconnects by itself; show the gap meanwhile.
    es.onerror = () => setConnected(false);
    return () => es.close();
  }, [fabric]);
  return connected;
}
