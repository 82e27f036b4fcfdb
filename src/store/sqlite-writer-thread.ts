// The main-thread side of the SQLite writer thread: posts encoded batches, resolves when committed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EptError } from '../core/errors.js';
import { batchTransferList, type EncodedBatch, type EncodedObjects } from './sqlite-batch-writer.js';

const WORKER = new URL('./sqlite-writer-worker.js', import.meta.url);

/**
 * Time between checkpoints. Rarer checkpoints write each hot page once for many commits (a
 * checkpoint every second took a quarter of the writer thread's time under load); the WAL grows to
 * a few seconds of writes.
 */
const DEFAULT_CHECKPOINT_MS = 5000;

type Reply = { type: 'done'; id: number; error?: string } | { type: 'closed' } | { type: 'warning'; message: string };

export class SqliteWriterThread {
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failed: Error | null = null;
  private closed: Promise<void> | null = null;
  private onClosed: (() => void) | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly path: string,
    warn: (message: string) => void,
  ) {
    worker.on('message', (m: Reply) => {
      if (m.type === 'warning') {
        warn(`SQLite store '${path}': ${m.message}`);
        return;
      }
      if (m.type === 'closed') {
        this.onClosed?.();
        return;
      }
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.error) p.reject(new EptError('store_error', `SQLite store '${path}': write failed: ${m.error}`, { path }));
      else p.resolve();
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (!this.closed || code !== 0) this.fail(new Error(`writer thread exited with code ${code}`));
      this.onClosed?.();
    });
  }

  /** False where the compiled worker is not available (running from sources). */
  static available(): boolean {
    return existsSync(fileURLToPath(WORKER));
  }

  /**
   * Starts a writer thread on a database whose schema is current (it prepares its statements as it
   * starts). Where it cannot start, every write is refused with the reason.
   */
  static start(path: string, o: { cacheMiB: number; checkpointMs?: number | undefined; warn?: (message: string) => void }): SqliteWriterThread {
    const workerData = { path, cacheMiB: o.cacheMiB, checkpointMs: o.checkpointMs ?? DEFAULT_CHECKPOINT_MS };
    return new SqliteWriterThread(new Worker(WORKER, { workerData }), path, o.warn ?? (() => undefined));
  }

  write(batch: EncodedBatch): Promise<void> {
    // The batch's column buffers move to the thread (the batch is not used here after this).
    return this.post({ type: 'write', batch }, batchTransferList(batch));
  }

  /** Saves fabric objects, in order with the batches. */
  saveObjects(objects: EncodedObjects): Promise<void> {
    return this.post({ type: 'objects', objects }, []);
  }

  /** Resolves once everything posted before it is committed (or failed). */
  barrier(): Promise<void> {
    return this.post({ type: 'barrier' }, []).catch(() => undefined);
  }

  private post(message: { type: 'write'; batch: EncodedBatch } | { type: 'objects'; objects: EncodedObjects } | { type: 'barrier' }, transfer: ArrayBuffer[]): Promise<void> {
    if (this.failed) return Promise.reject(new EptError('store_error', `SQLite store '${this.path}': writer thread failed: ${this.failed.message}`, { path: this.path }));
    if (this.closed) return Promise.reject(new EptError('store_error', `SQLite store '${this.path}' is closed`, { path: this.path }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Waits for pending writes, checkpoints and closes the thread's connection. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.onClosed = resolve;
      if (this.failed) {
        void this.worker.terminate();
        return;
      }
      this.worker.postMessage({ type: 'close' });
    }).then(() => {
      void this.worker.terminate();
    });
    return this.closed;
  }

  private fail(err: Error): void {
    // An error thrown out of a worker can arrive without its message: keep what there is.
    this.failed ??= err instanceof Error && err.message ? err : new Error(String((err as { stack?: string } | null)?.stack ?? err));
    const why = this.failed.message;
    for (const p of this.pending.values()) p.reject(new EptError('store_error', `SQLite store '${this.path}': writer thread failed: ${why}`, { path: this.path }));
    this.pending.clear();
  }
}
