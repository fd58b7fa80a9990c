import type { SyncPostgres } from '../bridge';
import type { PgDb } from '../statement';
import type { ProductKind } from '../../repositories/orderHistory';
import type { ImportRecord, NewOrderLine, OrderImportRepository } from '../../repositories/orderImport';

export class PostgresOrderImportRepository implements OrderImportRepository {
  private readonly upsertCustomerStmt;
  private readonly upsertProductStmt;
  private readonly refreshProductStmt;
  private readonly upsertOrderStmt;
  private readonly insertLineStmt;
  private readonly insertLinesStmt;
  private readonly insertImportStmt;
  private readonly finishImportStmt;
  private readonly countsStmt;

  constructor(
    db: PgDb,
    private readonly pg: SyncPostgres,
  ) {
    // Ids as SQLite gives them (one per new row, in order): an INSERT ... ON CONFLICT takes an
    // identity value even when it conflicts, so existing rows are found or updated first, and only
    // missing ones inserted. The analytics split customers by their id, so gaps would change them.
    this.upsertCustomerStmt = db.prepare<{ id: number }>(`
      WITH updated AS (
        UPDATE customers SET email = COALESCE(@email::text, email), country = COALESCE(@country::text, country),
               time_zone = COALESCE(@timeZone::text, time_zone)
         WHERE external_id = @externalId RETURNING id),
      inserted AS (
        INSERT INTO customers (external_id, email, country, time_zone, created_at)
        SELECT @externalId, @email::text, @country::text, @timeZone::text, @now
         WHERE NOT EXISTS (SELECT 1 FROM updated)
        ON CONFLICT (external_id) DO NOTHING RETURNING id)
      SELECT id FROM updated UNION ALL SELECT id FROM inserted`);
    this.upsertProductStmt = db.prepare<{ id: number }>(`
      WITH found AS (SELECT id FROM products WHERE sku = @sku),
      inserted AS (
        INSERT INTO products (sku, description, kind, last_unit_price, first_seen_at, last_seen_at)
        SELECT @sku, @description::text, @kind, @price::double precision, @seenAt::text, @seenAt::text
         WHERE NOT EXISTS (SELECT 1 FROM found)
        ON CONFLICT (sku) DO NOTHING RETURNING id)
      SELECT id FROM found UNION ALL SELECT id FROM inserted`);
    this.upsertOrderStmt = db.prepare<{ id: number }>(`
      WITH found AS (SELECT id FROM orders WHERE external_id = @externalId),
      inserted AS (
        INSERT INTO orders (external_id, customer_id, kind, ordered_at, country, import_id)
        SELECT @externalId, @customerId::bigint, @kind, @orderedAt, @country::text, @importId::bigint
         WHERE NOT EXISTS (SELECT 1 FROM found)
        ON CONFLICT (external_id) DO NOTHING RETURNING id)
      SELECT id FROM found UNION ALL SELECT id FROM inserted`);
    this.refreshProductStmt = db.prepare(`
      UPDATE products SET
        description = CASE WHEN @description::text IS NOT NULL AND @lastSeenAt::text >= COALESCE(last_seen_at, '')
                           THEN @description::text ELSE COALESCE(description, @description::text) END,
        last_unit_price = CASE WHEN @price::double precision IS NOT NULL AND @lastSeenAt::text >= COALESCE(last_seen_at, '')
                               THEN @price::double precision ELSE COALESCE(last_unit_price, @price::double precision) END,
        first_seen_at = LEAST(COALESCE(first_seen_at, @firstSeenAt::text), @firstSeenAt::text),
        last_seen_at = GREATEST(COALESCE(last_seen_at, @lastSeenAt::text), @lastSeenAt::text)
      WHERE id = @id`);
    this.insertLineStmt = db.prepare(`
      INSERT INTO order_lines (order_id, line_key, product_id, description, quantity, unit_price)
      SELECT $1::bigint, $2::text, $3::bigint, $4::text, $5::integer, $6::double precision
       WHERE NOT EXISTS (SELECT 1 FROM order_lines WHERE order_id = $1 AND line_key = $2)
      ON CONFLICT (order_id, line_key) DO NOTHING`);
    // A batch of lines in one statement: one round trip to the server for many rows.
    this.insertLinesStmt = db.prepare(`
      INSERT INTO order_lines (order_id, line_key, product_id, description, quantity, unit_price)
      SELECT * FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::integer[], ?::double precision[])
               AS n(order_id, line_key, product_id, description, quantity, unit_price)
       WHERE NOT EXISTS (SELECT 1 FROM order_lines o WHERE o.order_id = n.order_id AND o.line_key = n.line_key)
      ON CONFLICT (order_id, line_key) DO NOTHING`);
    this.insertImportStmt = db.prepare<{ id: number }>(
      `INSERT INTO imports (file, format, started_at) VALUES (@file, @format, @startedAt) RETURNING id`,
    );
    this.finishImportStmt = db.prepare(`
      UPDATE imports SET finished_at = @finishedAt, rows_read = @rowsRead, rows_imported = @rowsImported,
             skipped_json = @skipped WHERE id = @id`);
    this.countsStmt = db.prepare<{
      orders: number;
      orderLines: number;
      customers: number;
      products: number;
    }>(`
      SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM order_lines) AS "orderLines",
             (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM products) AS products`);
  }

  beginImport(record: ImportRecord): number {
    return this.insertImportStmt.get(record)!.id;
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
    // Nothing back: another instance inserted it meanwhile; the second look finds it.
    return (this.upsertCustomerStmt.get(c) ?? this.upsertCustomerStmt.get(c))!.id;
  }

  upsertProduct(p: {
    sku: string;
    description: string | null;
    kind: ProductKind;
    price: number;
    seenAt: string;
  }): number {
    return (this.upsertProductStmt.get(p) ?? this.upsertProductStmt.get(p))!.id;
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
    return (this.upsertOrderStmt.get(o) ?? this.upsertOrderStmt.get(o))!.id;
  }

  insertLine(l: NewOrderLine): boolean {
    return (
      this.insertLineStmt.run(l.orderId, l.lineKey, l.productId, l.description, l.quantity, l.unitPrice)
        .changes === 1
    );
  }

  insertLines(lines: NewOrderLine[]): number {
    if (!lines.length) return 0;
    return this.insertLinesStmt.run(
      lines.map((l) => l.orderId),
      lines.map((l) => l.lineKey),
      lines.map((l) => l.productId),
      lines.map((l) => l.description),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitPrice),
    ).changes;
  }

  counts(): { orders: number; orderLines: number; customers: number; products: number } {
    return this.countsStmt.get()!;
  }

  begin(): void {
    this.pg.begin();
  }
  commit(): void {
    this.pg.commit();
    // The planner's statistics, fresh: right after a large import, autovacuum has not looked at
    // the tables yet, and plans made for the empty tables they were take seconds, not milliseconds.
    this.pg.exec('ANALYZE customers, products, orders, order_lines');
  }
  rollback(): void {
    this.pg.rollback();
  }
}
