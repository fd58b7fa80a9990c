import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, schemaVersion } from './db';
import { isPostgresUrl, openPostgresStore } from './postgres/store';
import { redactUrl } from './postgres/bridge';
import { pgDump } from './postgres/backup';

export class BackupError extends Error {
  readonly exitCode = 2;
}

export interface BackupResult {
  engine: 'sqlite' | 'postgres';
  source: string;
  file: string;
  bytes: number;
  /** SQLite: pages copied. */
  pages?: number;
  /** PostgreSQL: entries in the pg_dump archive. */
  entries?: number;
  schemaVersion: number;
  seconds: number;
}

/**
 * A consistent copy of the store: SQLite's online backup into a database file, or, for a
 * PostgreSQL store (a postgres:// URL), a pg_dump archive (data/postgres/backup.ts).
 */
export async function backupStore(source: string, target: string, force: boolean): Promise<BackupResult> {
  if (!isPostgresUrl(source)) return backupDatabase(source, target, force);
  if (fs.existsSync(target) && !force) throw new BackupError(`${target} exists; use --force to replace it`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const started = process.hrtime.bigint();
  // Also checks that the database is there and holds retain's schema.
  const store = openPostgresStore(source, { mustExist: true, migrate: false });
  let version: number;
  try {
    version = store.info().schemaVersion;
  } finally {
    store.close();
  }
  const dump = await pgDump(source, target);
  return {
    engine: 'postgres',
    source: redactUrl(source),
    file: dump.file,
    bytes: dump.bytes,
    entries: dump.entries,
    schemaVersion: version,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/**
 * Copies the live database page by page through SQLite's backup API: readers and the bot's
 * writers go on meanwhile, and the copy is one consistent snapshot (WAL content included), which
 * copying the file with cp is not. The copy is written next to the target and renamed into place
 * only after SQLite's quick_check passed, so a failed backup never leaves a half file behind.
 */
export async function backupDatabase(source: string, target: string, force: boolean): Promise<BackupResult> {
  if (!fs.existsSync(source)) throw new BackupError(`no database at ${source}`);
  if (path.resolve(source) === path.resolve(target))
    throw new BackupError('the backup must not be the database itself');
  if (fs.existsSync(target) && !force) throw new BackupError(`${target} exists; use --force to replace it`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const started = process.hrtime.bigint();
  const db = openDatabase(source, { readonly: true });
  let pages = 0;
  try {
    // Large steps: in WAL mode the read snapshot blocks no writer, and fewer steps mean fewer
    // restarts when the bot writes during the copy.
    await db.backup(partial, {
      progress: ({ totalPages }) => ((pages = totalPages), 4096),
    });
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
  const copy = openDatabase(partial, { readonly: true });
  let version: number;
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the backup failed SQLite's quick_check: ${String(check)}`);
    version = schemaVersion(copy);
  } catch (err) {
    copy.close();
    fs.rmSync(partial, { force: true });
    throw err;
  }
  copy.close();
  fs.renameSync(partial, target);
  return {
    engine: 'sqlite',
    source,
    file: target,
    bytes: fs.statSync(target).size,
    pages,
    schemaVersion: version,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
