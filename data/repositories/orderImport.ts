/**
 * Write side of order imports. The importer calls these inside one transaction; ids are cached
 * by the caller so each customer, product and order costs one statement per import.
 */
import type { Db } from '../db';
import type { ProductKind } from './orderHistory';
import type { PortableDb, PortableStatement } from '../portableDb';
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

/**
 * The statements SQLite and PostgreSQL write differently. Each upsert takes its method's named
 * parameters and gives the row's id; `insertLine` takes a line's six values in order.
 */
export interface ImportDialect {
  upsertCustomer: string;
  upsertProduct: string;
  upsertOrder: string;
  insertLine: string;
  /** The smaller and the greater of two values (SQLite's scalar MIN and MAX). */
  least(a: string, b: string): string;
  greatest(a: string, b: string): string;
}

const SQLITE: ImportDialect = {
  // RETURNING id on a no-op update gives the existing row's id without a second query.
  upsertCustomer: `
      INSERT INTO customers (external_id, email, country, time_zone, created_at)
      VALUES (@externalId, @email, @country, @timeZone, @now)
      ON CONFLICT (external_id) DO UPDATE SET
        email = COALESCE(excluded.email, customers.email),
        country = COALESCE(excluded.country, customers.country),
        time_zone = COALESCE(excluded.time_zone, customers.time_zone)
      RETURNING id`,
  upsertProduct: `
      INSERT INTO products (sku, description, kind, last_unit_price, first_seen_at, last_seen_at)
      VALUES (@sku, @description, @kind, @price, @seenAt, @seenAt)
      ON CONFLICT (sku) DO UPDATE SET sku = excluded.sku
      RETURNING id`,
  upsertOrder: `
      INSERT INTO orders (external_id, customer_id, kind, ordered_at, country, import_id)
      VALUES (@externalId, @customerId, @kind, @orderedAt, @country, @importId)
      ON CONFLICT (external_id) DO UPDATE SET external_id = excluded.external_id
      RETURNING id`,
  insertLine: `
      INSERT INTO order_lines (order_id, line_key, product_id, description, quantity, unit_price)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (order_id, line_key) DO NOTHING`,
  least: (a, b) => `MIN(${a}, ${b})`,
  greatest: (a, b) => `MAX(${a}, ${b})`,
};

/** What the rest of retain sees of the repository (any engine's implementation). */
export type OrderImportRepository = PublicApi<SqlOrderImportRepository>;

/**
 * The import's logic once, over the engine's upserts (an `ImportDialect`; PostgreSQL's is in
 * data/postgres/repositories/orderImport.ts) and the rest in SQL both engines speak. The
 * transaction is the engine's: each subclass begins, commits and rolls it back.
 */
export abstract class SqlOrderImportRepository {
  private readonly upsertCustomerStmt;
  private readonly upsertProductStmt;
  private readonly refreshProductStmt;
  private readonly upsertOrderStmt;
  private readonly insertLineStmt;
  private readonly insertImportStmt;
  private readonly finishImportStmt;
  private readonly countsStmt;

  constructor(db: PortableDb, d: ImportDialect) {
    this.upsertCustomerStmt = db.prepare(d.upsertCustomer);
    this.upsertProductStmt = db.prepare(d.upsertProduct);
    this.upsertOrderStmt = db.prepare(d.upsertOrder);
    this.insertLineStmt = db.prepare(d.insertLine);
    const description = 'CAST(@description AS TEXT)';
    const price = 'CAST(@price AS DOUBLE PRECISION)';
    const first = 'CAST(@firstSeenAt AS TEXT)';
    const last = 'CAST(@lastSeenAt AS TEXT)';
    // Keeps the catalogue current: the newest description and price win, the earliest sighting stays.
    this.refreshProductStmt = db.prepare(`
      UPDATE products SET
        description = CASE WHEN ${description} IS NOT NULL AND ${last} >= COALESCE(last_seen_at, '')
                           THEN ${description} ELSE COALESCE(description, ${description}) END,
        last_unit_price = CASE WHEN ${price} IS NOT NULL AND ${last} >= COALESCE(last_seen_at, '')
                               THEN ${price} ELSE COALESCE(last_unit_price, ${price}) END,
        first_seen_at = ${d.least(`COALESCE(first_seen_at, ${first})`, first)},
        last_seen_at = ${d.greatest(`COALESCE(last_seen_at, ${last})`, last)}
      WHERE id = @id`);
    this.insertImportStmt = db.prepare(
      `INSERT INTO imports (file, format, started_at) VALUES (@file, @format, @startedAt) RETURNING id`,
    );
    this.finishImportStmt = db.prepare(`
      UPDATE imports SET finished_at = @finishedAt, rows_read = @rowsRead, rows_imported = @rowsImported,
             skipped_json = @skipped WHERE id = @id`);
    this.countsStmt = db.prepare(`
      SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM order_lines) AS "orderLines",
             (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM products) AS products`);
  }

  beginImport(record: ImportRecord): number {
    return (this.insertImportStmt.get(record) as { id: number }).id;
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
    return idOf(this.upsertCustomerStmt, c);
  }

  upsertProduct(p: {
    sku: string;
    description: string | null;
    kind: ProductKind;
    price: number;
    seenAt: string;
  }): number {
    return idOf(this.upsertProductStmt, p);
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
    return idOf(this.upsertOrderStmt, o);
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
  abstract begin(): void;
  abstract commit(): void;
  abstract rollback(): void;
}

/**
 * The id an upsert gives. Nothing back happens only on PostgreSQL, when another instance inserted
 * the row meanwhile: the second look finds it. (SQLite's upsert always gives the id.)
 */
function idOf(stmt: PortableStatement, params: object): number {
  return ((stmt.get(params) ?? stmt.get(params)) as { id: number }).id;
}

export class SqliteOrderImportRepository extends SqlOrderImportRepository {
  constructor(private readonly db: Db) {
    super(db, SQLITE);
  }

  override begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
  }
  override commit(): void {
    this.db.exec('COMMIT');
  }
  override rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }
}
