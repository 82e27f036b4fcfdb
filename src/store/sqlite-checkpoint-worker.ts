// The SQLite checkpointer thread, started by the writer thread: copies the WAL back into the
// database on its own connection while the writer goes on committing. A checkpoint in the writer
// thread stopped every commit behind it (0.6-0.9 s every 5 s at 60K events/s, long enough to fill
// the pipeline's queue and pause the websocket); a PASSIVE checkpoint takes no write lock, so here
// it only competes for CPU and disk.
//
// The WAL starts over from its beginning only when a write transaction begins with every frame
// copied back, which a busy writer never leaves time for (it grew to gigabytes). So after the bulk
// pass (the frames of the last interval), passes repeat at once, each copying only what was
// committed during the previous one, until one copied little; then a RESTART checkpoint takes the
// write lock (the writer thread's next transaction waits for it), copies that rest and starts the
// WAL over. Then the thread sleeps an interval.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface Options {
  path: string;
  intervalMs: number;
}

/**
 * A pass that copied at most this many frames (16 MiB of 4 KiB pages, a few commits) leaves the
 * rest to the RESTART checkpoint, during which the writer waits.
 */
const SMALL_REST = 4096;
/** Passes in a row before the thread gives up until the next interval. */
const MAX_PASSES = 8;

export type CheckpointerMessage = { type: 'stop' };
export type CheckpointerReply = { type: 'stopped' } | { type: 'error'; message: string };

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

const port = parentPort;
if (!port) throw new Error('sqlite-checkpoint-worker must run as a worker thread');
const { path, intervalMs } = workerData as Options;
const db = new Database(path);
// How long the RESTART checkpoint waits for the writer's transaction in progress, then for readers.
db.pragma('busy_timeout = 2000');
db.pragma('wal_autocheckpoint = 0');
// Checkpoints read WAL frames and write database pages: no cache to speak of is needed.
db.pragma('cache_size = -2048');

let timer: NodeJS.Timeout | null = null;

/**
 * Checkpoints until a pass had little to copy, then copies the rest and restarts the WAL. A pass
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
  // Busy (a reader stayed longer than the busy timeout): the next interval tries again.
  db.pragma('wal_checkpoint(RESTART)');
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
