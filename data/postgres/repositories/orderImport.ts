import type { SyncPostgres } from '../bridge';
import type { PgDb } from '../statement';
import {
  SqlOrderImportRepository,
  type ImportDialect,
  type NewOrderLine,
} from '../../repositories/orderImport';

// Ids as SQLite gives them (one per new row, in order): an INSERT ... ON CONFLICT takes an
// identity value even when it conflicts, so existing rows are found or updated first, and only
// missing ones inserted. The analytics split customers by their id, so gaps would change them.
const POSTGRES: ImportDialect = {
  upsertCustomer: `
      WITH updated AS (
        UPDATE customers SET email = COALESCE(@email::text, email), country = COALESCE(@country::text, country),
               time_zone = COALESCE(@timeZone::text, time_zone)
         WHERE external_id = @externalId RETURNING id),
      inserted AS (
        INSERT INTO customers (external_id, email, country, time_zone, created_at)
        SELECT @externalId, @email::text, @country::text, @timeZone::text, @now
         WHERE NOT EXISTS (SELECT 1 FROM updated)
        ON CONFLICT (external_id) DO NOTHING RETURNING id)
      SELECT id FROM updated UNION ALL SELECT id FROM inserted`,
  upsertProduct: `
      WITH found AS (SELECT id FROM products WHERE sku = @sku),
      inserted AS (
        INSERT INTO products (sku, description, kind, last_unit_price, first_seen_at, last_seen_at)
        SELECT @sku, @description::text, @kind, @price::double precision, @seenAt::text, @seenAt::text
         WHERE NOT EXISTS (SELECT 1 FROM found)
        ON CONFLICT (sku) DO NOTHING RETURNING id)
      SELECT id FROM found UNION ALL SELECT id FROM inserted`,
  upsertOrder: `
      WITH found AS (SELECT id FROM orders WHERE external_id = @externalId),
      inserted AS (
        INSERT INTO orders (external_id, customer_id, kind, ordered_at, country, import_id)
        SELECT @externalId, @customerId::bigint, @kind, @orderedAt, @country::text, @importId::bigint
         WHERE NOT EXISTS (SELECT 1 FROM found)
        ON CONFLICT (external_id) DO NOTHING RETURNING id)
      SELECT id FROM found UNION ALL SELECT id FROM inserted`,
  insertLine: `
      INSERT INTO order_lines (order_id, line_key, product_id, description, quantity, unit_price)
      SELECT $1::bigint, $2::text, $3::bigint, $4::text, $5::integer, $6::double precision
       WHERE NOT EXISTS (SELECT 1 FROM order_lines WHERE order_id = $1 AND line_key = $2)
      ON CONFLICT (order_id, line_key) DO NOTHING`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
};

/**
 * The import on PostgreSQL: the shared repository with PostgreSQL's upserts, lines inserted a
 * batch at a time, and the transaction on the store's connection.
 */
export class PostgresOrderImportRepository extends SqlOrderImportRepository {
  private readonly insertLinesStmt;

  constructor(
    db: PgDb,
    private readonly pg: SyncPostgres,
  ) {
    super(db, POSTGRES);
    // A batch of lines in one statement: one round trip to the server for many rows.
    this.insertLinesStmt = db.prepare(`
      INSERT INTO order_lines (order_id, line_key, product_id, description, quantity, unit_price)
      SELECT * FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::integer[], ?::double precision[])
               AS n(order_id, line_key, product_id, description, quantity, unit_price)
       WHERE NOT EXISTS (SELECT 1 FROM order_lines o WHERE o.order_id = n.order_id AND o.line_key = n.line_key)
      ON CONFLICT (order_id, line_key) DO NOTHING`);
  }

  override insertLines(lines: NewOrderLine[]): number {
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

  override begin(): void {
    this.pg.begin();
  }
  override commit(): void {
    this.pg.commit();
    // The planner's statistics, fresh: right after a large import, autovacuum has not looked at
    // the tables yet, and plans made for the empty tables they were take seconds, not milliseconds.
    this.pg.exec('ANALYZE customers, products, orders, order_lines');
  }
  override rollback(): void {
    this.pg.rollback();
  }
}
