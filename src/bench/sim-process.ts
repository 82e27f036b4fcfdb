// The benchmark's handle on the simulator child process: forks dist/bench/sim-child.js and turns
// the IPC request/reply messages into promises.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EptError } from '../core/errors.js';
import type { SimProcessStats, SimReply, SimRequest, SimStarted } from './sim-protocol.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
/** A request without its id (distributes over the union). */
type RequestBody = SimRequest extends infer R ? (R extends SimRequest ? Omit<R, 'id'> : never) : never;

/** Options of SimProcess.spawn. */
export interface SimProcessOptions {
  /** Heap limit of the child, MiB. */
  maxOldSpaceMiB: number;
}

export class SimProcess {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: SimReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new EptError('internal', `simulator child: ${m.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      const err = new EptError('internal', `simulator child exited (code ${code}, signal ${signal})`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** Forks the simulator child (the compiled sim-child.js next to this module). */
  static spawn(o: SimProcessOptions): SimProcess {
    const path = fileURLToPath(new URL('./sim-child.js', import.meta.url));
    const child = fork(path, [], { execArgv: [`--max-old-space-size=${o.maxOldSpaceMiB}`], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new SimProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private request<T>(body: RequestBody): Promise<T> {
    if (this.exited) return Promise.reject(new EptError('internal', 'simulator child has exited'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...body, id } as SimRequest);
    });
  }

  start(o: { leafs: number; endpoints: number; remoteLearns?: number; churnPool?: number; seed: number }): Promise<SimStarted> {
    return this.request<SimStarted>({ op: 'start', ...o });
  }

  /** Sets the churn rate, endpoint events per second; 0 stops it. */
  churn(eventsPerSecond: number): Promise<void> {
    return this.request<void>({ op: 'churn', eventsPerSecond });
  }

  stats(): Promise<SimProcessStats> {
    return this.request<SimProcessStats>({ op: 'stats' });
  }

  /** Closes the simulator and waits for the child to exit (kills it if it does not within 5 s). */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    this.request<void>({ op: 'close' }).catch(() => undefined);
    await exited;
    clearTimeout(kill);
  }
}
