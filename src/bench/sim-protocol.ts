// Messages between the benchmark and the simulator child process (src/bench/sim-child.ts), over
// the IPC channel of child_process.fork. Every request carries an id the reply echoes.
import type { SimStats } from '../sim/index.js';

/** Requests the benchmark sends to the simulator child. */
export type SimRequest =
  | { id: number; op: 'start'; leafs: number; endpoints: number; remoteLearns?: number; churnPool?: number; seed: number }
  | { id: number; op: 'churn'; eventsPerSecond: number }
  | { id: number; op: 'stats' }
  | { id: number; op: 'close' };

/** What the child reports about itself besides the simulator counters. */
export interface SimProcessStats extends SimStats {
  /** Bytes queued on the simulator's websockets (its send backlog). */
  backlogBytes: number;
  rss: number;
  heapUsed: number;
  /** CPU time of the child since it started, ms (user + system). */
  cpuMs: number;
}

/** Replies of the child: ok with a value, or the error message. */
export type SimReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };

/** What 'start' answers. */
export interface SimStarted {
  url: string;
  username: string;
  password: string;
  leafs: number;
  hosts: number;
  buildMs: number;
}
