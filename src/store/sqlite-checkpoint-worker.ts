// The SQLite checkpointer thread, started by the writer thread: copies the WAL back into the
// database on its own connection while the writer goes on committing. A checkpoint in the writer
// thread stopped every commit behind it (0.6-0.9 s every 5 s at 60K events/s, long enough to fill
// the pipeline's queue and pause the websocket); a PASSIVE checkpoint takes no write lock, so here
// it only competes for CPU and disk.
//
// The WAL starts over from its beginning only when a write transaction begins with every frame
// copied back, which a busy writer never leaves time for (it grew to gigabytes). So after the bulk
// pass (the frames of the last interval), passes repeat at once, each copying only what was
// committed during the previous one, until one copied little; then the thread raises a flag in
// memory shared with the writer thread, which copies that rest itself right after its current
// commit (a PASSIVE checkpoint of a few thousand frames) so that its next commit starts the WAL
// over. (A RESTART checkpoint here did the same under the write lock, but waited for a gap between
// the writer's back-to-back transactions in its busy handler's sleeps: 0.1-0.3 s with commits
// waiting behind it.) Then the thread sleeps an interval.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface Options {
  path: string;
  intervalMs: number;
  /** Int32Array over shared memory: [0] set to 1 when the writer thread is to copy the rest. */
  caughtUp: SharedArrayBuffer;
}

/** A pass that copied at most this many frames (4 MiB of 4 KiB pages, less than a commit of a busy writer) leaves the rest to the writer thread. */
const SMALL_REST = 1024;
/** Passes in a row before the thread gives up until the next interval. */
const MAX_PASSES = 12;

export type CheckpointerMessage = { type: 'stop' };
export type CheckpointerReply = { type: 'stopped' } | { type: 'error'; message: string };

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

const port = parentPort;
if (!port) throw new Error('sqlite-checkpoint-worker must run as a worker thread');
const { path, intervalMs, caughtUp } = workerData as Options;
const flag = new Int32Array(caughtUp);
const db = new Database(path);
db.pragma('busy_timeout = 1000');
db.pragma('wal_autocheckpoint = 0');
// Checkpoints read WAL frames and write database pages: no cache to speak of is needed.
db.pragma('cache_size = -2048');

let timer: NodeJS.Timeout | null = null;

/**
 * Checkpoints until a pass had little to copy, then asks the writer thread to copy the rest. A pass
 * copies the frames there were when it began ('log'; 'checkpointed' = how many of them are copied
 * back by now), not those committed while it ran.
 */
function catchUp(): void {
  let before = -1;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const r = (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[])[0];
    // Empty, or the writer restarted the WAL meanwhile: nothing to catch up with.
    if (!r || r.log <= 0 || r.checkpointed < before) return;
    if (before >= 0 && r.checkpointed - before <= SMALL_REST) break;
    before = r.checkpointed;
  }
  Atomics.store(flag, 0, 1);
}

function tick(): void {
  try {
    catchUp();
  } catch (err) {
    port?.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies CheckpointerReply);
  }
  timer = setTimeout(tick, intervalMs);
}

timer = setTimeout(tick, intervalMs);

port.on('message', (m: CheckpointerMessage) => {
  if (m.type !== 'stop') return;
  if (timer) clearTimeout(timer);
  timer = null;
  db.close();
  port.postMessage({ type: 'stopped' } satisfies CheckpointerReply);
  port.close();
});
