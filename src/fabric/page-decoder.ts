// Where the pages of endpoint class queries are decoded: in a thread of its own when the compiled
// build is there (one for the process, started on first use), else on the event loop. The thread
// takes JSON.parse and the objects' garbage off the event loop while it analyses the page before,
// which shortens a fabric's build on two cores (bench/RESULTS.md, session 5).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EptError } from '../core/errors.js';
import { bodyText, type PageBody } from './apic-query.js';
import { decodeEndpointPage, fromColumns, fromPortableError, type EndpointPage, type EndpointPageColumns, type PortableError } from './endpoint-page.js';

/** Decodes pages of endpoint class queries (see decodeEndpointPage for what it checks). */
export interface EndpointPageDecoder {
  decode(fabric: string, url: string, body: PageBody, ts: number): Promise<EndpointPage>;
}

/** Decoding on the calling thread. */
export const inlineDecoder: EndpointPageDecoder = {
  decode: (fabric, url, body, ts) => Promise.resolve().then(() => decodeEndpointPage(fabric, url, bodyText(body), ts)),
};

/**
 * The bytes of a page in a buffer of their own, to move to the thread (not copy): a Buffer may be
 * a view into a larger (pooled) one, which is then copied.
 */
function ownBytes(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer, 0, b.byteLength) : new Uint8Array(b);
}

const WORKER = new URL('./page-decoder-worker.js', import.meta.url);

/**
 * Heap limits of the decoder thread, MiB. A page's objects live only while it is decoded (a page of
 * 10 000 objects is ~3-5 MB of JSON): small limits keep the thread's memory small next to the
 * endpoints' (the 1.5 GB budget at 1M endpoints); node would give it the main thread's young
 * generation (96 MiB). A page too large for them ends the thread, and pages go inline.
 */
const DECODER_YOUNG_MIB = 24;
const DECODER_OLD_MIB = 128;

/**
 * Pages shorter than this are decoded on the event loop: a targeted re-read (one endpoint, a few
 * addresses) parses in well under a millisecond, less than starting or waking the thread costs.
 */
const INLINE_BELOW_CHARS = 256 * 1024;

/** A thread idle this long is stopped (its heap is given back); the next page starts one. */
const IDLE_STOP_MS = 5000;

type Reply = { id: number; page: EndpointPageColumns } | { id: number; error: PortableError };

interface Pending {
  fabric: string;
  url: string;
  /** The page as text, to decode here if the thread fails; null for bytes moved to the thread. */
  body: string | null;
  ts: number;
  resolve: (p: EndpointPage) => void;
  reject: (e: Error) => void;
}

/**
 * Decoding in a worker thread, started on the first page and stopped after IDLE_STOP_MS without
 * one (a build, a resync: bursts of pages, then none for hours). A thread that fails leaves the
 * pages in flight and every later one to the event loop.
 */
export class ThreadDecoder implements EndpointPageDecoder {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failed: Error | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Threads started (for tests and introspection). */
  started = 0;

  constructor(
    private readonly idleStopMs = IDLE_STOP_MS,
    private readonly inlineBelow = INLINE_BELOW_CHARS,
  ) {}

  /** True while a thread runs. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** False where the compiled worker is not available (running from sources). */
  static available(): boolean {
    return existsSync(fileURLToPath(WORKER));
  }

  decode(fabric: string, url: string, body: PageBody, ts: number): Promise<EndpointPage> {
    // A thread that died leaves the pages to the event loop: slower, not wrong.
    if (this.failed || body.length < this.inlineBelow) return inlineDecoder.decode(fabric, url, body, ts);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Bytes move to the thread, which decodes the UTF-8 there: a page given as bytes cannot be
      // decoded here if the thread fails (it is then refused, and the read fails and is retried).
      this.pending.set(id, { fabric, url, body: typeof body === 'string' ? body : null, ts, resolve, reject });
      // With pages in flight the thread keeps the process alive; idle, it does not.
      worker.ref();
      if (typeof body === 'string') {
        worker.postMessage({ id, fabric, url, body, ts });
      } else {
        const bytes = ownBytes(body);
        worker.postMessage({ id, fabric, url, body: bytes, ts }, [bytes.buffer as ArrayBuffer]);
      }
    });
  }

  close(): Promise<void> {
    this.failed ??= new Error('page decoder closed');
    return this.stop();
  }

  private start(): Worker {
    const worker = new Worker(WORKER, { resourceLimits: { maxYoungGenerationSizeMb: DECODER_YOUNG_MIB, maxOldGenerationSizeMb: DECODER_OLD_MIB } });
    this.worker = worker;
    this.started++;
    worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.idle(worker);
      if (!p) return;
      if ('error' in m) p.reject(fromPortableError(m.error));
      else p.resolve(fromColumns(m.page));
    });
    worker.on('error', (err) => this.fail(worker, err));
    worker.on('exit', (code) => this.fail(worker, new Error(`page decoder thread exited with code ${code}`)));
    return worker;
  }

  private idle(worker: Worker): void {
    worker.unref();
    this.idleTimer = setTimeout(() => void this.stop(), this.idleStopMs);
    this.idleTimer.unref();
  }

  private async stop(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    // Forgotten first: its exit is then not a failure.
    this.worker = null;
    this.decodeInline();
    if (worker) await worker.terminate();
  }

  /** Pages in flight to a thread that is gone are decoded here: the caller sees no difference. */
  private decodeInline(): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      if (p.body !== null) inlineDecoder.decode(p.fabric, p.url, p.body, p.ts).then(p.resolve, p.reject);
      else p.reject(new EptError('internal', `${p.url}: the page decoder thread stopped while decoding this page`, { url: p.url }));
    }
  }

  private fail(worker: Worker, err: Error): void {
    if (worker !== this.worker) return;
    this.worker = null;
    this.failed ??= err;
    this.decodeInline();
  }
}

let shared: EndpointPageDecoder | null = null;

/** The process's decoder: a thread when the compiled build is there, else inline. */
export function sharedPageDecoder(): EndpointPageDecoder {
  shared ??= ThreadDecoder.available() ? new ThreadDecoder() : inlineDecoder;
  return shared;
}
