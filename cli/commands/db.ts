import type { Command } from 'commander';
import {
  CliError,
  config,
  databaseLocation,
  printableLocation,
  printJson,
  withDatabase,
  withDbOption,
  type DbOption,
} from '../context';
import { backupStore } from '../../data/backup';
import { copySqliteToPostgres } from '../../data/postgres/copy';
import { isPostgresUrl } from '../../data/store';
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
      engine: info.engine,
      file: info.location,
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
      (store) => {
        const about = store.info();
        return {
          engine: about.engine,
          file: about.location,
          schemaVersion: about.schemaVersion,
          ...store.orders.dataExtent(),
        };
      },
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
        "a consistent copy of the database while retain keeps running: SQLite's online backup, checked after " +
          'writing; for PostgreSQL a pg_dump archive (restore with pg_restore)',
      )
      .option('--force', 'replace <file> if it exists')
      .option('--json', 'print the result as JSON'),
  ).action(async (file: string, opts: DbOption & { force?: boolean; json?: boolean }) => {
    const result = await backupStore(databaseLocation(opts), resolveUserPath(file), opts.force ?? false);
    if (opts.json) return printJson(result);
    const size = `${(result.bytes / 1e6).toFixed(1)} MB`;
    const what = result.engine === 'sqlite' ? `${result.pages} pages (${size})` : `pg_dump archive, ${size}`;
    process.stdout.write(
      `${result.file}: ${what}, schema ${result.schemaVersion}, ` +
        `copied from ${result.source} in ${result.seconds.toFixed(1)} s and checked\n`,
    );
  });
  group
    .command('copy')
    .description(
      'move a shop from its SQLite file to an empty PostgreSQL database: every table and the saved models, ' +
        'in one transaction (the file is only read)',
    )
    .requiredOption('--from <sqlite:FILE>', 'the SQLite database, as sqlite:FILE')
    .option('--to <url>', 'the PostgreSQL database, postgres://... (default: RETAIN_DATABASE_URL)')
    .option('--json', 'print the result as JSON')
    .action((opts: { from: string; to?: string; json?: boolean }) => {
      const m = /^sqlite:(.+)$/.exec(opts.from);
      if (!m) throw new CliError(`--from must be sqlite:FILE, got '${opts.from}'`, 2);
      const to = opts.to ?? config().databaseUrl;
      if (!to) throw new CliError('--to postgres://... is needed (or RETAIN_DATABASE_URL)', 2);
      if (!isPostgresUrl(to))
        throw new CliError(`--to must be a postgres:// URL, got '${printableLocation(to)}'`, 2);
      const result = copySqliteToPostgres(resolveUserPath(m[1]), to, (table, rows) => {
        if (!opts.json) process.stderr.write(`${table}: ${rows} rows\n`);
      });
      if (opts.json) return printJson(result);
      const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
      process.stdout.write(
        `${result.from} -> ${result.to}: ${total} rows in ${Object.keys(result.rows).length} tables and ` +
          `${result.modelFiles} model files copied and counted again in ${result.seconds.toFixed(1)} s\n` +
          (result.missingModelFiles.length
            ? `not found (not copied; retrain with \`retain train\`): ${result.missingModelFiles.join(', ')}\n`
            : ''),
      );
    });
}
