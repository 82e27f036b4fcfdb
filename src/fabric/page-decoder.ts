// Where the pages of endpoint class queries are decoded: in a thread of its own when the compiled
// build is there (one for the process, started on first use), else on the event loop. The thread
// takes JSON.parse and the objects' garbage off the event loop while it analyses the page before,
// which shortens a fabric's build on two cores (bench/RESULTS.md, session 5).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeEndpointPage, fromColumns, fromPortableError, type EndpointPage, type EndpointPageColumns, type PortableError } from './endpoint-page.js';

/** Decodes pages of endpoint class queries (see decodeEndpointPage for what it checks). */
export interface EndpointPageDecoder {
  decode(fabric: string, url: string, text: string, ts: number): Promise<EndpointPage>;
}

/** Decoding on the calling thread. */
export const inlineDecoder: EndpointPageDecoder = {
  decode: (fabric, url, text, ts) => Promise.resolve().then(() => decodeEndpointPage(fabric, url, text, ts)),
};

const WORKER = new URL('./page-decoder-worker.js', import.meta.url);

/** Young generation of the decoder thread, MiB (node would give it the main thread's: 96 MiB). */
const DECODER_YOUNG_MIB = 24;

type Reply = { id: number; page: EndpointPageColumns } | { id: number; error: PortableError };

/** Decoding in a worker thread; pages in flight are answered in order of arrival. */
export class ThreadDecoder implements EndpointPageDecoder {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { fabric: string; url: string; text: string; ts: number; resolve: (p: EndpointPage) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor() {
    // A page's objects live only while it is decoded: a small young generation is enough, and
    // keeps the thread's memory small next to the endpoints' (the 1.5 GB budget at 1M endpoints).
    this.worker = new Worker(WORKER, { resourceLimits: { maxYoungGenerationSizeMb: DECODER_YOUNG_MIB } });
    // Idle, the thread does not keep the process alive; with pages in flight it does.
    this.worker.unref();
    this.worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (!p) return;
      if ('error' in m) p.reject(fromPortableError(m.error));
      else p.resolve(fromColumns(m.page));
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`page decoder thread exited with code ${code}`)));
  }

  /** False where the compiled worker is not available (running from sources). */
  static available(): boolean {
    return existsSync(fileURLToPath(WORKER));
  }

  decode(fabric: string, url: string, text: string, ts: number): Promise<EndpointPage> {
    // A thread that died leaves the pages to the event loop: slower, not wrong.
    if (this.failed) return inlineDecoder.decode(fabric, url, text, ts);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { fabric, url, text, ts, resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, fabric, url, text, ts });
    });
  }

  close(): Promise<number> {
    this.failed ??= new Error('page decoder closed');
    return this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failed ??= err;
    // The pages in flight are decoded here instead: the caller sees no difference.
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) inlineDecoder.decode(p.fabric, p.url, p.text, p.ts).then(p.resolve, p.reject);
  }
}

let shared: EndpointPageDecoder | null = null;

/** The process's decoder: a thread when the compiled build is there, else inline. */
export function sharedPageDecoder(): EndpointPageDecoder {
  shared ??= ThreadDecoder.available() ? new ThreadDecoder() : inlineDecoder;
  return shared;
}
