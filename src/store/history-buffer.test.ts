import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../core/types.js';
import { HistoryBuffer } from './history-buffer.js';

function event(i: number): HistoryEvent {
  return {
    fabric: i % 2 ? 'fab1' : 'fab2', vnid: 2_000_000 + i, addr: `10.0.0.${i}`, node: 101 + i, status: i % 3 ? 'created' : 'deleted', ts: 1_700_000_000_123 + i,
    flags: i % 2 ? ['local', 'vpc-attached'] : [], ifId: `eth1/${i}`, encap: `vlan-${i}`, pcTag: 49_000 + i, rwMac: i % 2 ? `00:00:00:00:00:${String(i).padStart(2, '0')}` : '',
    rwBd: 16_000_000 + i, remote: i % 4 ? 0 : 201, seq: 2 ** 40 + i,
  };
}

describe('HistoryBuffer', () => {
  it('gives back every row as it was pushed, with its endpoint id, across growth', () => {
    const b = new HistoryBuffer(1);
    const events = Array.from({ length: 37 }, (_, i) => event(i));
    events.forEach((e, i) => b.push(e, i * 3));
    expect(b.length).toBe(37);
    const { history, ids } = b.events();
    expect(history).toEqual(events);
    expect(history[1]!.flags).toBe(events[1]!.flags); // the same (interned) list, not a copy
    expect(ids).toEqual(events.map((_, i) => i * 3));
    expect(b.times()).toEqual(events.map((e) => e.ts));
  });

  it('puts a failed write\'s rows before the rows pushed since', () => {
    const failed = new HistoryBuffer(4);
    for (let i = 0; i < 3; i++) failed.push(event(i), 7);
    const now = new HistoryBuffer(2);
    for (let i = 10; i < 15; i++) now.push(event(i), 9);
    now.prepend(failed);
    now.prepend(new HistoryBuffer());
    const { history, ids } = now.events();
    expect(history.map((e) => e.node)).toEqual([101, 102, 103, 111, 112, 113, 114, 115]);
    expect(ids).toEqual([7, 7, 7, 9, 9, 9, 9, 9]);
    now.push(event(20), 1);
    expect(now.events().history.at(-1)).toEqual(event(20));
    expect(new HistoryBuffer(0).events()).toEqual({ history: [], ids: [] });
  });
});
