// Delivers model events to the websockets of one simulated APIC: matches them to subscriptions,
// batches many imdata entries per frame (one frame per subscription set), and applies websocket
// faults. Events for a session without an open socket are lost, as on a real APIC.
import type { WebSocket } from 'ws';
import { evalFilter } from './apic-filter.js';
import { imdataEntry } from './apic-query.js';
import type { SessionStore, SimSubscription } from './apic-sessions.js';
import type { SimMo } from './fabric-topology.js';

/**
 * A frame being filled for one subscription set: its bytes so far (the head written when it began),
 * the entries in it. Entries go straight into a buffer kept for the set, and a frame is copied out
 * of it when sent: an array of entry strings joined and then encoded copied every event twice more
 * (an eighth of the simulator's time at 100K events/s).
 */
interface Pending {
  head: Buffer;
  buf: Buffer;
  pos: number;
  entries: number;
}

/** A set's buffer starts with room for this many bytes and grows as frames need. */
const FIRST_BUFFER = 64 * 1024;

export class WebsocketHub {
  private readonly sockets = new Map<string, Set<WebSocket>>();
  private indexVersion = -1;
  private byClass = new Map<string, SimSubscription[]>();
  private moSubs: SimSubscription[] = [];
  private readonly pending = new Map<string, Map<string, Pending>>();
  private flushScheduled = false;
  /** Frames still to truncate (fault injection). */
  truncateNext = 0;
  eventsSent = 0;
  framesSent = 0;
  eventsLost = 0;

  constructor(
    private readonly sessions: SessionStore,
    private readonly batchSize = 2000,
  ) {}

  add(token: string, ws: WebSocket): void {
    let set = this.sockets.get(token);
    if (!set) this.sockets.set(token, (set = new Set()));
    set.add(ws);
    ws.on('close', () => {
      set.delete(ws);
      if (set.size === 0) this.sockets.delete(token);
    });
  }

  get socketCount(): number {
    let n = 0;
    for (const s of this.sockets.values()) n += s.size;
    return n;
  }

  /** Bytes queued in the sockets and not yet sent (the churn generator backs off on it). */
  bufferedBytes(): number {
    let n = 0;
    for (const set of this.sockets.values()) for (const ws of set) n += ws.bufferedAmount;
    return n;
  }

  /** Closes every socket abruptly (no close handshake), like an APIC dropping them. */
  dropAll(): void {
    for (const set of this.sockets.values()) for (const ws of set) ws.terminate();
    this.sockets.clear();
    this.pending.clear();
  }

  private reindex(): void {
    this.indexVersion = this.sessions.version;
    this.byClass = new Map();
    this.moSubs = [];
    for (const sub of this.sessions.subscriptions.values()) {
      if (sub.query.kind === 'class' && sub.query.queryTarget === 'self') {
        const list = this.byClass.get(sub.query.target) ?? [];
        list.push(sub);
        this.byClass.set(sub.query.target, list);
      } else if (sub.query.kind === 'mo') {
        this.moSubs.push(sub);
      }
    }
  }

  private moMatches(sub: SimSubscription, ev: SimMo, dn: string): boolean {
    const q = sub.query;
    if (q.subtreeClasses && !q.subtreeClasses.includes(ev.cls)) return false;
    if (dn === q.target) return true;
    return q.queryTarget !== 'self' && dn.startsWith(`${q.target}/`);
  }

  /** Queues events for the sockets whose subscriptions match them. */
  dispatch(events: readonly SimMo[]): void {
    if (this.sessions.version !== this.indexVersion) this.reindex();
    if (this.byClass.size === 0 && this.moSubs.length === 0) return;
    for (const ev of events) {
      const subs = this.byClass.get(ev.cls);
      let json: string | null = null;
      let matched: SimSubscription[] | null = null;
      if (subs) {
        for (const s of subs) {
          if (s.query.filter && !evalFilter(s.query.filter, ev.cls, ev.attrs)) continue;
          (matched ??= []).push(s);
        }
      }
      if (this.moSubs.length > 0) {
        const dn = ev.attrs['dn'] ?? '';
        for (const s of this.moSubs) if (this.moMatches(s, ev, dn)) (matched ??= []).push(s);
      }
      if (!matched) continue;
      json = imdataEntry(ev);
      if (matched.length === 1) {
        const s = matched[0] as SimSubscription;
        this.queue(s.token, s.id, json);
      } else {
        const byToken = new Map<string, string[]>();
        for (const s of matched) byToken.set(s.token, [...(byToken.get(s.token) ?? []), s.id]);
        for (const [token, ids] of byToken) this.queue(token, ids.join(','), json);
      }
    }
  }

  private queue(token: string, ids: string, json: string): void {
    if (!this.sockets.has(token)) {
      this.eventsLost++;
      return;
    }
    let byIds = this.pending.get(token);
    if (!byIds) this.pending.set(token, (byIds = new Map()));
    let p = byIds.get(ids);
    if (!p) {
      const head = Buffer.from(`{"subscriptionId":${JSON.stringify(ids.split(','))},"imdata":[`);
      const buf = Buffer.allocUnsafe(Math.max(FIRST_BUFFER, 2 * head.length));
      head.copy(buf, 0);
      byIds.set(ids, (p = { head, buf, pos: head.length, entries: 0 }));
    }
    // Room for the entry as UTF-8 (at most 3 bytes per UTF-16 unit), its comma and the frame's end.
    const need = p.pos + 3 * json.length + 3;
    if (need > p.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(2 * p.buf.length, need));
      p.buf.copy(next, 0, 0, p.pos);
      p.buf = next;
    }
    if (p.entries > 0) p.buf[p.pos++] = 0x2c;
    p.pos += p.buf.write(json, p.pos, 'utf8');
    p.entries++;
    if (p.entries >= this.batchSize) this.send(token, p);
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything queued. */
  flush(): void {
    this.flushScheduled = false;
    for (const [token, byIds] of this.pending) for (const p of byIds.values()) if (p.entries > 0) this.send(token, p);
  }

  private send(token: string, p: Pending): void {
    const n = p.entries;
    p.buf[p.pos++] = 0x5d;
    p.buf[p.pos++] = 0x7d;
    // A copy: the socket may hold the frame until it is written, and the buffer fills again.
    let frame = Buffer.allocUnsafe(p.pos);
    p.buf.copy(frame, 0, 0, p.pos);
    p.pos = p.head.length;
    p.entries = 0;
    const set = this.sockets.get(token);
    if (!set || set.size === 0) {
      this.eventsLost += n;
      return;
    }
    if (this.truncateNext > 0) {
      this.truncateNext--;
      // Cut at a character boundary: the frame stays text, only its JSON is broken.
      let cut = Math.floor(frame.length / 2);
      while (cut > 0 && ((frame[cut] as number) & 0xc0) === 0x80) cut--;
      frame = frame.subarray(0, cut);
    }
    // Text frames, as an APIC sends them.
    for (const ws of set) if (ws.readyState === ws.OPEN) ws.send(frame, { binary: false });
    this.eventsSent += n;
    this.framesSent++;
  }
}
