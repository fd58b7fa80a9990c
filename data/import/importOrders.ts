/**
 * Streams an order file (.csv or .csv.gz) into the database in one transaction.
 * Nothing is kept in memory but the ids seen so far; a file of any size imports in constant memory
 * apart from those maps (bounded: see RECENT_ORDERS).
 */
import path from 'node:path';
import type { Store } from '../store';
import type { NewOrderLine } from '../repositories/orderImport';
import { detectFormat, type DetectedFormat } from './formats';
import { ImportError, readCsvRecords, statReadable, timeZoneValidator, type RowProblem } from './csvFile';
import { interpretRow, type ParsedLine } from './rows';
import { ZonedTimestampParser } from './timestamps';

export interface ImportOptions {
  /** Abort on the first unreadable row and write nothing. */
  strict?: boolean;
  /** Zone of timestamps that carry no offset (default Europe/London, the UCI retailer's). */
  timeZone?: string;
  /** Called as bytes of the (possibly compressed) file are read. */
  onProgress?: (progress: { bytesRead: number; totalBytes: number; rowsRead: number }) => void;
  /** Who started the import, for the audit log. */
  actor?: string;
}

export { ImportError, type RowProblem } from './csvFile';

export interface ImportSummary {
  file: string;
  format: DetectedFormat['name'];
  rowsRead: number;
  imported: number;
  skipped: Record<string, number>;
  errors: RowProblem[];
  errorCount: number;
  created: { orders: number; orderLines: number; customers: number; products: number };
  seconds: number;
}

const MAX_REPORTED_ERRORS = 100;
// Invoices are contiguous in real exports; remembering the last 50,000 orders is plenty to spot
// duplicate lines within an order while keeping memory bounded for huge files.
const RECENT_ORDERS = 50_000;
const LINE_BATCH = 1000;

export async function importOrders(
  store: Store,
  file: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = Date.now();
  const repo = store.imports;
  const timestamps = new ZonedTimestampParser(options.timeZone ?? 'Europe/London');
  const isValidTimeZone = timeZoneValidator();

  const skipped: Record<string, number> = {};
  const errors: RowProblem[] = [];
  let errorCount = 0;
  let rowsRead = 0;
  let imported = 0;
  let format: DetectedFormat | undefined;
  let importId = 0;

  const customers = new Map<string, { id: number; country: string | null }>();
  const products = new Map<
    string,
    { id: number; description: string | null; price: number | null; firstSeenAt: string; lastSeenAt: string }
  >();
  const recentOrders = new Map<string, { id: number; lineKeys: Set<string> }>();
  const nowIso = new Date().toISOString();

  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);

  const customerId = (line: ParsedLine): number | null => {
    if (!line.customerExternalId) return null;
    const known = customers.get(line.customerExternalId);
    // Re-upsert only when something new is learnt (the latest country, an email, a zone).
    if (known && known.country === line.country && !line.customerEmail && !line.customerTimeZone)
      return known.id;
    const id = repo.upsertCustomer({
      externalId: line.customerExternalId,
      email: line.customerEmail,
      country: line.country,
      timeZone: line.customerTimeZone,
      now: nowIso,
    });
    customers.set(line.customerExternalId, { id, country: line.country });
    return id;
  };

  const productId = (line: ParsedLine): number => {
    const known = products.get(line.sku);
    // Stock notes ("damaged", "?") ride on zero-price lines: they must not rename the product.
    const trustworthy = line.unitPrice > 0 && line.quantity > 0;
    if (known) {
      if (line.orderedAt >= known.lastSeenAt) {
        known.lastSeenAt = line.orderedAt;
        if (trustworthy) {
          if (line.description) known.description = line.description;
          known.price = line.unitPrice;
        }
      }
      if (line.orderedAt < known.firstSeenAt) known.firstSeenAt = line.orderedAt;
      if (!known.description && line.description) known.description = line.description;
      return known.id;
    }
    const id = repo.upsertProduct({
      sku: line.sku,
      description: line.description,
      kind: line.productKind,
      price: line.unitPrice,
      seenAt: line.orderedAt,
    });
    products.set(line.sku, {
      id,
      description: line.description,
      price: trustworthy ? line.unitPrice : null,
      firstSeenAt: line.orderedAt,
      lastSeenAt: line.orderedAt,
    });
    return id;
  };

  const order = (line: ParsedLine, customer: number | null) => {
    let known = recentOrders.get(line.orderExternalId);
    if (!known) {
      const id = repo.upsertOrder({
        externalId: line.orderExternalId,
        customerId: customer,
        kind: line.orderKind,
        orderedAt: line.orderedAt,
        country: line.country,
        importId,
      });
      known = { id, lineKeys: new Set() };
      recentOrders.set(line.orderExternalId, known);
      if (recentOrders.size > RECENT_ORDERS) recentOrders.delete(recentOrders.keys().next().value as string);
    }
    return known;
  };

  const handleRecord = (record: string[], lineNumber: number) => {
    if (!format) {
      format = detectFormat(record);
      importId = repo.beginImport({ file: path.resolve(file), format: format.name, startedAt: nowIso });
      return;
    }
    if (record.length === 1 && record[0].trim() === '') return; // blank line
    rowsRead++;
    const outcome = interpretRow(record, format, timestamps, isValidTimeZone);
    if (outcome.kind === 'skip') return void skip(outcome.reason);
    if (outcome.kind === 'error') {
      errorCount++;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line: lineNumber, reason: outcome.reason });
      if (options.strict && errors.length >= MAX_REPORTED_ERRORS) throw strictFailure();
      return;
    }
    const line = outcome.line;
    const customer = customerId(line);
    const target = order(line, customer);
    // Identical lines within one invoice are duplicates in the export, not two purchases.
    const lineKey = `${line.sku}|${line.quantity}|${line.unitPrice}|${line.description ?? ''}`;
    if (target.lineKeys.has(lineKey)) return void skip('duplicate_line');
    target.lineKeys.add(lineKey);
    pendingLines.push({
      orderId: target.id,
      lineKey,
      productId: productId(line),
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
    });
    if (pendingLines.length >= LINE_BATCH) flushLines();
  };

  // Lines are written in batches: one statement per batch where the engine can (PostgreSQL).
  const pendingLines: NewOrderLine[] = [];
  const flushLines = () => {
    const inserted = repo.insertLines(pendingLines);
    imported += inserted;
    const already = pendingLines.length - inserted;
    if (already) skipped.already_imported = (skipped.already_imported ?? 0) + already;
    pendingLines.length = 0;
  };

  const strictFailure = () =>
    new ImportError(
      `--strict: ${errorCount} row(s) could not be read; nothing was imported. First: line ${errors[0].line}: ${errors[0].reason}`,
      errors,
    );

  const before = repo.counts();
  const totalBytes = statReadable(file);
  repo.begin();
  try {
    await readCsvRecords(file, handleRecord, (bytesRead) =>
      options.onProgress?.({ bytesRead, totalBytes, rowsRead }),
    );
    flushLines();
    if (!format) throw new ImportError(`${file} is empty: expected a header row`);
    if (options.strict && errorCount > 0) throw strictFailure();
    for (const p of products.values()) repo.refreshProduct(p);
    repo.finishImport(importId, new Date().toISOString(), rowsRead, imported, skipped);
    store.audit.write(options.actor ?? 'cli', 'import.orders', path.resolve(file), {
      rowsRead,
      imported,
      skipped,
      errorCount,
    });
    repo.commit();
  } catch (err) {
    repo.rollback();
    throw err;
  }
  const after = repo.counts();
  return {
    file: path.resolve(file),
    format: (format as DetectedFormat).name,
    rowsRead,
    imported,
    skipped,
    errors,
    errorCount,
    created: {
      orders: after.orders - before.orders,
      orderLines: after.orderLines - before.orderLines,
      customers: after.customers - before.customers,
      products: after.products - before.products,
    },
    seconds: (Date.now() - started) / 1000,
  };
}
