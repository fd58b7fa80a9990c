/**
 * Write side of order imports. The importer calls these inside one transaction; ids are cached
 * by the caller so each customer, product and order costs one statement per import.
 */
import type { Db } from '../db';
import type { ProductKind } from './orderHistory';
import type { PublicApi } from '../publicApi';

/** One line of an order, as the importer writes it. */
export interface NewOrderLine {
  orderId: number;
  lineKey: string;
  productId: number;
  description: string | null;
  quantity: number;
  unitPrice: number;
}

export interface ImportRecord {
  file: string;
  format: string;
  startedAt: string;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type OrderImportRepository = PublicApi<SqliteOrderImportRepository>;

export class SqliteOrderImportRepository {
  private readonly upsertCustomerStmt;
  private readonly upsertProductStmt;
  private readonly refreshProductStmt;
  private readonly upsertOrderStmt;
  private readonly insertLineStmt;
  private readonly insertImportStmt;
  private readonly finishImportStmt;
  private readonly countsStmt;

  constructor(private readonly db: Db) {
    // RETURNING id on a no-op update gives the existing row's id without a second query.
    this.upsertCustomerStmt = db.prepare(`
      INSERT INTO customers (external_id, email, country, time_zone, created_at)
      VALUES (@externalId, @email, @country, @timeZone, @now)
      ON CONFLICT (external_id) DO UPDATE SET
        email = COALESCE(excluded.email, customers.email),
        country = COALESCE(excluded.country, customers.country),
        time_zone = COALESCE(excluded.time_zone, customers.time_zone)
      RETURNING id`);
    this.upsertProductStmt = db.prepare(`
      INSERT INTO products (sku, description, kind, last_unit_price, first_seen_at, last_seen_at)
      VALUES (@sku, @description, @kind, @price, @seenAt, @seenAt)
      ON CONFLICT (sku) DO UPDATE SET sku = excluded.sku
      RETURNING id`);
    // Keeps the catalogue current: the newest description and price win, the earliest sighting stays.
    this.refreshProductStmt = db.prepare(`
      UPDATE products SET
        description = CASE WHEN @description IS NOT NULL AND @lastSeenAt >= COALESCE(last_seen_at, '')
                           THEN @description ELSE COALESCE(description, @description) END,
        last_unit_price = CASE WHEN @price IS NOT NULL AND @lastSeenAt >= COALESCE(last_seen_at, '')
                               THEN @price ELSE COALESCE(last_unit_price, @price) END,
        first_seen_at = MIN(COALESCE(first_seen_at, @firstSeenAt), @firstSeenAt),
        last_seen_at = MAX(COALESCE(last_seen_at, @lastSeenAt), @lastSeenAt)
      WHERE id = @id`);
    this.upsertOrderStmt = db.prepare(`
      INSERT INTO orders (external_id, customer_id, kind, ordered_at, country, import_id)
      VALUES (@externalId, @customerId, @kind, @orderedAt, @country, @importId)
      ON CONFLICT (external_id) DO UPDATE SET external_id = excluded.external_id
      RETURNING id`);
    this.insertLineStmt = db.prepare(`
      INSERT INTO order_lines (order_id, line_key, product_id, description, quantity, unit_price)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (order_id, line_key) DO NOTHING`);
    this.insertImportStmt = db.prepare(
      `INSERT INTO imports (file, format, started_at) VALUES (@file, @format, @startedAt)`,
    );
    this.finishImportStmt = db.prepare(`
      UPDATE imports SET finished_at = @finishedAt, rows_read = @rowsRead, rows_imported = @rowsImported,
             skipped_json = @skipped WHERE id = @id`);
    this.countsStmt = db.prepare(`
      SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM order_lines) AS orderLines,
             (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM products) AS products`);
  }

  beginImport(record: ImportRecord): number {
    return Number(this.insertImportStmt.run(record).lastInsertRowid);
  }

  finishImport(
    id: number,
    finishedAt: string,
    rowsRead: number,
    rowsImported: number,
    skipped: object,
  ): void {
    this.finishImportStmt.run({ id, finishedAt, rowsRead, rowsImported, skipped: JSON.stringify(skipped) });
  }

  upsertCustomer(c: {
    externalId: string;
    email: string | null;
    country: string | null;
    timeZone: string | null;
    now: string;
  }): number {
    return (this.upsertCustomerStmt.get(c) as { id: number }).id;
  }

  upsertProduct(p: {
    sku: string;
    description: string | null;
    kind: ProductKind;
    price: number;
    seenAt: string;
  }): number {
    return (this.upsertProductStmt.get(p) as { id: number }).id;
  }

  refreshProduct(p: {
    id: number;
    description: string | null;
    price: number | null;
    firstSeenAt: string;
    lastSeenAt: string;
  }): void {
    this.refreshProductStmt.run(p);
  }

  upsertOrder(o: {
    externalId: string;
    customerId: number | null;
    kind: string;
    orderedAt: string;
    country: string | null;
    importId: number;
  }): number {
    return (this.upsertOrderStmt.get(o) as { id: number }).id;
  }

  /** Returns false when the line is already there (an earlier import of the same data). */
  insertLine(l: NewOrderLine): boolean {
    // Positional parameters: this runs once per row of the file, and binding by name costs more.
    return (
      this.insertLineStmt.run(l.orderId, l.lineKey, l.productId, l.description, l.quantity, l.unitPrice)
        .changes === 1
    );
  }

  /**
   * Inserts a batch of lines; returns how many were new (the others were imported before). One
   * statement per line here; an engine with a round trip per statement inserts the batch at once.
   */
  insertLines(lines: NewOrderLine[]): number {
    let inserted = 0;
    for (const l of lines) if (this.insertLine(l)) inserted++;
    return inserted;
  }

  counts(): { orders: number; orderLines: number; customers: number; products: number } {
    return this.countsStmt.get() as {
      orders: number;
      orderLines: number;
      customers: number;
      products: number;
    };
  }

  /** Runs the whole import as one transaction that is either committed or rolled back. */
  begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
  }
  commit(): void {
    this.db.exec('COMMIT');
  }
  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }
}
