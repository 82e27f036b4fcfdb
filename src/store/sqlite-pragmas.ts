// Connection settings shared by the store's connection and the writer thread's.
import type Database from 'better-sqlite3';

/**
 * WAL with synchronous=NORMAL (commits do not fsync; checkpoints do). With a writer thread, both
 * connections turn automatic checkpoints off and the writer thread checkpoints on its own.
 */
export function applyConnectionPragmas(db: Database.Database, cacheMiB: number, writerThread: boolean): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = ${-1024 * cacheMiB}`);
  db.pragma('temp_store = MEMORY');
  db.pragma('busy_timeout = 10000');
  if (writerThread) db.pragma('wal_autocheckpoint = 0');
}
