// A min-heap of items due at a time: the watcher's delayed queue (in-memory implementation).

export class DelayQueue<T> {
  private heap: { due: number; item: T }[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(due: number, item: T): void {
    const h = this.heap;
    h.push({ due, item });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as { due: number }).due <= due) break;
      [h[i], h[p]] = [h[p] as { due: number; item: T }, h[i] as { due: number; item: T }];
      i = p;
    }
  }

  /** Time the earliest item is due, or null when empty. */
  peekDue(): number | null {
    return this.heap[0]?.due ?? null;
  }

  /** Removes and returns every item due at or before now, earliest first. */
  popDue(now: number): T[] {
    const out: T[] = [];
    while (this.heap.length && (this.heap[0] as { due: number }).due <= now) out.push(this.pop());
    return out;
  }

  private pop(): T {
    const h = this.heap;
    const top = h[0] as { due: number; item: T };
    const last = h.pop() as { due: number; item: T };
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && (h[l] as { due: number }).due < (h[m] as { due: number }).due) m = l;
        if (r < h.length && (h[r] as { due: number }).due < (h[m] as { due: number }).due) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as { due: number; item: T }, h[i] as { due: number; item: T }];
        i = m;
      }
    }
    return top.item;
  }
}
