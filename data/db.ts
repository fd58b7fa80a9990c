import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** Milliseconds a writer waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /**
   * Overwrite deleted content with zeros (default true). Off only to measure what it costs
   * (bench:secure-delete): with it off, erased data stays readable in the file's free space.
   */
  secureDelete?: boolean;
}

export class SchemaTooNewError extends Error {
  readonly exitCode = 2;
}

/** Opens (creating if needed) the database file with the settings every connection needs. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:' && !options.readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
  });
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only a power loss may drop the last commit.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  // Deleted rows are overwritten with zeros, not just unlinked: an erased customer's email or
  // feedback must not stay readable in the file's free space (see docs/security.md).
  db.pragma(`secure_delete = ${options.secureDelete === false ? 'OFF' : 'ON'}`);
  // 64 MB of page cache (default 2 MB): imports and model training touch the whole order history.
  db.pragma('cache_size = -65536');
  if (options.migrate ?? !options.readonly) migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies each migration after `current` with `apply` (one transaction each, the version recorded
 * in it), in order; refuses a schema newer than the newest migration. Returns the versions applied.
 * Both engines' stores migrate through it.
 */
export function applyPendingMigrations(
  current: number,
  all: Migration[],
  apply: (migration: Migration) => void,
): number[] {
  const latest = all.length ? all[all.length - 1].version : 0;
  if (current > latest) {
    throw new SchemaTooNewError(
      `database schema version ${current} is newer than this version of retain knows (${latest}); upgrade retain`,
    );
  }
  const pending = all.filter((m) => m.version > current);
  for (const m of pending) apply(m);
  return pending.map((m) => m.version);
}

/** Applies each pending migration in its own transaction; returns the versions applied. */
export function migrate(db: Db, all: Migration[] = migrations): number[] {
  return applyPendingMigrations(schemaVersion(db), all, (m) =>
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    })(),
  );
}

/**
 * Copies every committed change from the write-ahead log into the database file and empties the
 * log, so that the previous versions of pages changed since (an erased row's old contents) are no
 * longer in the -wal file. Returns false when another connection was reading and the log could
 * not be emptied; the next checkpoint empties it.
 */
export function checkpointAndTruncateWal(db: Db): boolean {
  if (db.memory || db.readonly) return true;
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number }>;
  return result !== undefined && result.busy === 0 && result.log <= 0;
}

/** Names of the tables in the schema, for diagnostics (`retain db info`) and checks. */
export function tableNames(db: Db): string[] {
  const rows = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all();
  return (rows as Array<{ name: string }>).map((r) => r.name);
}
