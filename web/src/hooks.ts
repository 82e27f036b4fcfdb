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

/** Parses "event: x\ndata: y" blocks out of an SSE text buffer; returns what is left unparsed. */
function parseEvents(buf: string, on: (event: string, data: string) => void): string {
  let i: number;
  while ((i = buf.indexOf('\n\n')) >= 0) {
    const block = buf.slice(0, i);
    buf = buf.slice(i + 2);
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data) on(event, data);
  }
  return buf;
}

/**
 * Subscribes to a fabric's live findings (server-sent events read with fetch, so the token goes in
 * the Authorization header and never into a URL or a log); reconnects after a drop. Returns whether
 * the stream is connected.
 */
export function useFindingStream(fabric: string, onBatch: (items: FindingBrief[], dropped: number) => void): boolean {
  const ref = useRef(onBatch);
  ref.current = onBatch;
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    const run = async (): Promise<void> => {
      while (!ac.signal.aborted) {
        try {
          const res = await fetch(withQuery('/api/v1/stream', { fabric }), { headers: { authorization: `Bearer ${getToken() ?? ''}` }, signal: ac.signal });
          if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buf = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf = parseEvents(buf + value, (event, data) => {
              if (event === 'ready') setConnected(true);
              if (event !== 'findings') return;
              const m = JSON.parse(data) as { items: FindingBrief[]; dropped: number };
              ref.current(m.items, m.dropped);
            });
          }
        } catch {
          // Dropped or refused: show the gap, then retry below.
        }
        setConnected(false);
        if (!ac.signal.aborted) await new Promise((r) => setTimeout(r, 3000));
      }
    };
    void run();
    return () => ac.abort();
  }, [fabric]);
  return connected;
}
