import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { config, printJson, withDatabase, withDbOption, CliError, type DbOption } from '../context';
import { importOrders, ImportError, type ImportSummary } from '../../data/import/importOrders';
import { importCustomers, type CustomerImportSummary } from '../../data/import/importCustomers';
import { isValidTimeZone } from '../../lib/timeZone';

interface ImportOrdersOptions extends DbOption {
  strict?: boolean;
  json?: boolean;
  timeZone?: string;
  progress?: boolean;
}

export function registerImport(program: Command): void {
  const group = program.command('import').description('import data into the database');
  withDbOption(
    group
      .command('orders')
      .description(
        'import order lines from a .csv or .csv.gz file (UCI Online Retail or the generic format, detected from the header); ' +
          're-importing the same file adds nothing',
      )
      .argument('<file>', 'CSV file, optionally gzip-compressed')
      .option('--strict', 'abort on the first unreadable row: exit non-zero and write nothing')
      .option(
        '--time-zone <zone>',
        'IANA zone of timestamps without an offset (default: RETAIN_IMPORT_TIMEZONE)',
      )
      .option('--no-progress', 'no progress bar, even on a terminal')
      .option('--json', 'print the summary as JSON'),
  ).action(async (file: string, opts: ImportOrdersOptions) => {
    const timeZone = opts.timeZone ?? config().importTimeZone;
    if (!isValidTimeZone(timeZone))
      throw new CliError(`--time-zone '${timeZone}' is not an IANA time zone`, 2);
    const bar =
      opts.progress !== false && process.stderr.isTTY
        ? new cliProgress.SingleBar(
            {
              format: 'importing [{bar}] {percentage}% | {rows} rows | {eta_formatted} left',
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
    let started = false;
    try {
      const summary = await withDatabase(opts, (store) =>
        importOrders(store, file, {
          strict: opts.strict,
          timeZone,
          onProgress: ({ bytesRead, totalBytes, rowsRead }) => {
            if (!bar) return;
            if (!started) bar.start(totalBytes, 0, { rows: 0 });
            started = true;
            bar.update(bytesRead, { rows: rowsRead });
          },
        }),
      );
      bar?.stop();
      if (opts.json) printJson(summary);
      else process.stdout.write(formatSummary(summary));
    } catch (err) {
      bar?.stop();
      if (err instanceof ImportError) {
        if (opts.json) printJson({ error: err.message, errors: err.errors });
        else for (const e of err.errors.slice(0, 20)) process.stderr.write(`  line ${e.line}: ${e.reason}\n`);
        throw new CliError(err.message, 1);
      }
      throw err;
    }
  });

  withDbOption(
    group
      .command('customers')
      .description(
        'import contact details and marketing consent (customer_id, email, name, country, time_zone, ' +
          'marketing_consent, consent_at, consent_source, preferred_channel; see docs/import.md); ' +
          're-importing the same file changes nothing',
      )
      .argument('<file>', 'CSV file, optionally gzip-compressed')
      .option('--strict', 'abort on the first unreadable row: exit non-zero and write nothing')
      .option(
        '--time-zone <zone>',
        'IANA zone of consent dates without an offset (default: RETAIN_IMPORT_TIMEZONE)',
      )
      .option('--json', 'print the summary as JSON'),
  ).action(async (file: string, opts: DbOption & { strict?: boolean; json?: boolean; timeZone?: string }) => {
    const timeZone = opts.timeZone ?? config().importTimeZone;
    if (!isValidTimeZone(timeZone))
      throw new CliError(`--time-zone '${timeZone}' is not an IANA time zone`, 2);
    try {
      const summary = await withDatabase(opts, (store) =>
        importCustomers(store, file, { strict: opts.strict, timeZone }),
      );
      if (opts.json) printJson(summary);
      else process.stdout.write(formatCustomerSummary(summary));
    } catch (err) {
      if (err instanceof ImportError) {
        if (opts.json) printJson({ error: err.message, errors: err.errors });
        else for (const e of err.errors.slice(0, 20)) process.stderr.write(`  line ${e.line}: ${e.reason}\n`);
        throw new CliError(err.message, 1);
      }
      throw err;
    }
  });
}

export function formatCustomerSummary(s: CustomerImportSummary): string {
  const lines = [
    `Imported ${s.file} (customers) in ${s.seconds.toFixed(1)} s`,
    `  rows read:     ${s.rowsRead}`,
    `  new customers: ${s.created}`,
    `  updated:       ${s.updated}`,
    `  unchanged:     ${s.unchanged}`,
    `  consent:       ${s.consent.granted} yes, ${s.consent.denied} no`,
  ];
  for (const [reason, n] of Object.entries(s.skipped)) lines.push(`  skipped:       ${n} ${reason}`);
  lines.push(`  unreadable:    ${s.errorCount}`);
  for (const e of s.errors.slice(0, 20)) lines.push(`    line ${e.line}: ${e.reason}`);
  if (s.errorCount > 20) lines.push(`    ... ${s.errorCount - 20} more (use --json for the first 100)`);
  return lines.join('\n') + '\n';
}

export function formatSummary(s: ImportSummary): string {
  const lines = [
    `Imported ${s.file} (${s.format} format) in ${s.seconds.toFixed(1)} s`,
    `  rows read:     ${s.rowsRead}`,
    `  imported:      ${s.imported}`,
  ];
  const skippedTotal = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  lines.push(`  skipped:       ${skippedTotal}`);
  for (const [reason, n] of Object.entries(s.skipped).sort((a, b) => b[1] - a[1])) {
    lines.push(`    ${reason.padEnd(22)} ${n}`);
  }
  lines.push(`  unreadable:    ${s.errorCount}`);
  for (const e of s.errors.slice(0, 20)) lines.push(`    line ${e.line}: ${e.reason}`);
  if (s.errorCount > 20) lines.push(`    ... ${s.errorCount - 20} more (use --json for the first 100)`);
  lines.push(
    `  new: ${s.created.orders} orders, ${s.created.customers} customers, ${s.created.products} products`,
  );
  return lines.join('\n') + '\n';
}
