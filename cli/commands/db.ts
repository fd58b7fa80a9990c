import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, databaseFile, printJson, withDatabase, withDbOption, type DbOption } from '../context';
import { migrate, openDatabase, schemaVersion } from '../../data/db';
import { resolveUserPath } from '../../lib/paths';
import { migrations } from '../../data/migrations';
import { OrderHistoryRepository } from '../../data/repositories/orderHistory';

export function registerDb(program: Command): void {
  const group = program.command('db').description('database housekeeping');
  withDbOption(
    group
      .command('migrate')
      .description(
        'create the database if missing and apply pending schema migrations (also done on every open)',
      )
      .option('--json', 'print the result as JSON'),
  ).action(async (opts: DbOption & { json?: boolean }) => {
    // Opening applies migrations already; this reports what the schema is now.
    const version = await withDatabase(opts, (db) => (migrate(db), schemaVersion(db)));
    const result = {
      file: databaseFile(opts),
      schemaVersion: version,
      latest: migrations.at(-1)?.version ?? 0,
    };
    if (opts.json) printJson(result);
    else
      process.stdout.write(
        `${result.file}: schema version ${result.schemaVersion} (latest ${result.latest})\n`,
      );
  });
  withDbOption(
    group
      .command('info')
      .description('what the database holds: schema version, counts and the period the orders cover')
      .option('--json', 'print the result as JSON'),
  ).action(async (opts: DbOption & { json?: boolean }) => {
    const info = await withDatabase(opts, (db) => ({
      file: databaseFile(opts),
      schemaVersion: schemaVersion(db),
      ...new OrderHistoryRepository(db).dataExtent(),
    }));
    if (opts.json) return printJson(info);
    process.stdout.write(
      [
        `database:   ${info.file} (schema ${info.schemaVersion})`,
        `orders:     ${info.orders} (${info.orderLines} lines)`,
        `customers:  ${info.customers}`,
        `products:   ${info.products}`,
        `period:     ${info.firstOrderAt ?? '-'} .. ${info.lastOrderAt ?? '-'}`,
      ].join('\n') + '\n',
    );
  });
  withDbOption(
    group
      .command('backup')
      .argument('<file>', 'where to write the copy (a new file; see --force)')
      .description(
        "a consistent copy of the database while retain keeps running (SQLite's online backup), checked after writing",
      )
      .option('--force', 'replace <file> if it exists')
      .option('--json', 'print the result as JSON'),
  ).action(async (file: string, opts: DbOption & { force?: boolean; json?: boolean }) => {
    const result = await backupDatabase(databaseFile(opts), resolveUserPath(file), opts.force ?? false);
    if (opts.json) return printJson(result);
    process.stdout.write(
      `${result.file}: ${result.pages} pages (${(result.bytes / 1e6).toFixed(1)} MB), schema ${result.schemaVersion}, ` +
        `copied from ${result.source} in ${result.seconds.toFixed(1)} s and checked\n`,
    );
  });
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
  if (!fs.existsSync(source)) throw new CliError(`no database at ${source}`, 2);
  if (path.resolve(source) === path.resolve(target))
    throw new CliError('the backup must not be the database itself', 2);
  if (fs.existsSync(target) && !force) throw new CliError(`${target} exists; use --force to replace it`, 2);
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
    if (check !== 'ok') throw new CliError(`the backup failed SQLite's quick_check: ${String(check)}`);
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
