import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, schemaVersion } from './db';

export class BackupError extends Error {
  readonly exitCode = 2;
}

export interface BackupResult {
  source: string;
  file: string;
  bytes: number;
  pages: number;
  schemaVersion: number;
  seconds: number;
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
    source,
    file: target,
    bytes: fs.statSync(target).size,
    pages,
    schemaVersion: version,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
