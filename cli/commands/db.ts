import type { Command } from 'commander';
import { databaseFile, printJson, withDatabase, withDbOption, type DbOption } from '../context';
import { migrate, schemaVersion } from '../../data/db';
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
}
