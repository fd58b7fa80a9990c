import type { Command } from 'commander';
import { databaseFile, printJson, withDatabase, withDbOption, type DbOption } from '../context';
import { backupDatabase } from '../../data/backup';
import { resolveUserPath } from '../../lib/paths';

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
    const info = await withDatabase(opts, (store) => store.info());
    const result = {
      file: databaseFile(opts),
      schemaVersion: info.schemaVersion,
      latest: info.latestSchemaVersion,
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
    const info = await withDatabase(
      opts,
      (store) => ({
        file: databaseFile(opts),
        schemaVersion: store.info().schemaVersion,
        ...store.orders.dataExtent(),
      }),
      { mustExist: true },
    );
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
