/**
 * `retain import customers FILE`: contact details and marketing consent from a CSV file (plain
 * or gzip), on the order import's rules: one transaction (a failed import writes nothing), a
 * repeated import changes nothing, unreadable rows are listed with their line and reason and
 * skipped, or with `strict` abort the import. A customer who asked to be forgotten is never
 * written again (skipped as `forgotten`).
 */
import path from 'node:path';
import type { Store } from '../store';
import type { ContactOutcome } from '../repositories/customerContacts';
import { ImportError, readCsvRecords, statReadable, timeZoneValidator, type RowProblem } from './csvFile';
import { detectCustomerColumns, type CustomerColumns } from './customerFormat';
import { interpretCustomerRow } from './customerRows';
import { ZonedTimestampParser } from './timestamps';

export interface CustomerImportOptions {
  /** Abort on the first unreadable row and write nothing. */
  strict?: boolean;
  /** Zone of consent dates without an offset (default Europe/London). */
  timeZone?: string;
  /** Who started the import, for the audit log. */
  actor?: string;
  now?: Date;
}

export interface CustomerImportSummary {
  file: string;
  format: 'customers';
  rowsRead: number;
  /** Customers the order history did not know yet. */
  created: number;
  updated: number;
  unchanged: number;
  skipped: Record<string, number>;
  /** Customers with marketing consent granted / refused in this file. */
  consent: { granted: number; denied: number };
  errors: RowProblem[];
  errorCount: number;
  seconds: number;
}

const MAX_REPORTED_ERRORS = 100;

export async function importCustomers(
  store: Store,
  file: string,
  options: CustomerImportOptions = {},
): Promise<CustomerImportSummary> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const repo = store.imports;
  const contacts = store.contacts;
  const timestamps = new ZonedTimestampParser(options.timeZone ?? 'Europe/London');
  const isValidTimeZone = timeZoneValidator();
  const counts: Record<ContactOutcome, number> = { created: 0, updated: 0, unchanged: 0, forgotten: 0 };
  const consent = { granted: 0, denied: 0 };
  const errors: RowProblem[] = [];
  let errorCount = 0;
  let rowsRead = 0;
  let columns: CustomerColumns | undefined;
  let importId = 0;

  const strictFailure = () =>
    new ImportError(
      `--strict: ${errorCount} row(s) could not be read; nothing was imported. First: line ${errors[0].line}: ${errors[0].reason}`,
      errors,
    );

  const handleRecord = (record: string[], line: number) => {
    if (!columns) {
      columns = detectCustomerColumns(record);
      importId = repo.beginImport({
        file: path.resolve(file),
        format: 'customers',
        startedAt: now.toISOString(),
      });
      return;
    }
    if (record.length === 1 && record[0].trim() === '') return; // blank line
    rowsRead++;
    const outcome = interpretCustomerRow(record, columns, timestamps, isValidTimeZone, now);
    if (outcome.kind === 'error') {
      errorCount++;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, reason: outcome.reason });
      if (options.strict && errors.length >= MAX_REPORTED_ERRORS) throw strictFailure();
      return;
    }
    const result = contacts.apply(outcome.update, importId, now);
    counts[result.outcome]++;
    if (result.outcome !== 'forgotten' && outcome.update.consent) consent[outcome.update.consent.state]++;
  };

  statReadable(file);
  repo.begin();
  try {
    await readCsvRecords(file, handleRecord);
    if (!columns) throw new ImportError(`${file} is empty: expected a header row`);
    if (options.strict && errorCount > 0) throw strictFailure();
    const skipped: Record<string, number> = counts.forgotten ? { forgotten: counts.forgotten } : {};
    const written = counts.created + counts.updated;
    repo.finishImport(importId, new Date().toISOString(), rowsRead, written, skipped);
    // What the audit log keeps is what the caller is told, less the rows' problems themselves.
    const outcome = {
      rowsRead,
      created: counts.created,
      updated: counts.updated,
      unchanged: counts.unchanged,
      skipped,
      consent,
      errorCount,
    };
    store.audit.write(options.actor ?? 'cli', 'import.customers', path.resolve(file), outcome);
    repo.commit();
    return {
      file: path.resolve(file),
      format: 'customers',
      ...outcome,
      errors,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (err) {
    repo.rollback();
    throw err;
  }
}
