/**
 * Read side of the order history, for the models. Rows are streamed (statement.iterate) so that
 * callers can build compact arrays without holding every row as an object.
 */
import type { Db } from '../db';
import type { PortableDb, PortableStatement } from '../portableDb';
import type { PublicApi } from '../publicApi';

export type OrderKind = 'purchase' | 'cancellation' | 'return';
export type ProductKind = 'product' | 'postage' | 'fee' | 'discount' | 'manual' | 'voucher' | 'other';

export interface OrderLineRecord {
  orderId: number;
  orderExternalId: string;
  /** Internal customer id (customers.id); null for guest checkouts. */
  customerId: number | null;
  /** ISO-8601 UTC. */
  orderedAt: string;
  orderKind: OrderKind;
  country: string | null;
  productId: number;
  sku: string;
  productKind: ProductKind;
  quantity: number;
  unitPrice: number;
}

export interface HistoryWindow {
  /** Only lines ordered at or after this instant. */
  from?: Date;
  /** Only lines ordered strictly before this instant (the "as of" date). */
  before?: Date;
  /**
   * Only lines of customers retain may profile: no guest checkouts, and no customers who asked to
   * be forgotten (their orders stay in sales figures, but nobody scores the pseudonym).
   */
  customersOnly?: boolean;
}

export interface CustomerRecord {
  id: number;
  externalId: string;
  country: string | null;
  email: string | null;
  timeZone: string | null;
  consentState: string;
}

export interface ProductRecord {
  id: number;
  sku: string;
  description: string | null;
  kind: ProductKind;
  lastUnitPrice: number | null;
}

export interface DataExtent {
  orders: number;
  orderLines: number;
  customers: number;
  products: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type OrderHistoryRepository = PublicApi<SqlOrderHistoryRepository>;

/**
 * A connection whose statements can also stream rows (`iterate`): better-sqlite3's statements,
 * and the PostgreSQL store's, which read through a server-side cursor (data/postgres/bridge.ts).
 */
interface StreamingDb extends PortableDb {
  prepare(sql: string): PortableStatement & { iterate(...params: unknown[]): IterableIterator<unknown> };
}

const CUSTOMER_COLUMNS = `id, external_id AS "externalId", country, email, time_zone AS "timeZone",
  consent_state AS "consentState"`;

/**
 * Written in SQL both engines speak (camel-case names quoted, the flag cast), so the PostgreSQL
 * store uses this class as it is.
 */
export class SqlOrderHistoryRepository {
  private readonly lines;
  private readonly customers;
  private readonly customerById;
  private readonly customerByExternalId;
  private readonly products;
  private readonly extent;

  constructor(db: StreamingDb) {
    // On PostgreSQL read through a server-side cursor: a year of lines is never held whole.
    this.lines = db.prepare(`
      SELECT o.id AS "orderId", o.external_id AS "orderExternalId", o.customer_id AS "customerId",
             o.ordered_at AS "orderedAt", o.kind AS "orderKind", o.country AS country,
             p.id AS "productId", p.sku AS sku, p.kind AS "productKind",
             l.quantity AS quantity, l.unit_price AS "unitPrice"
        FROM order_lines l
        JOIN orders o ON o.id = l.order_id
        JOIN products p ON p.id = l.product_id
       WHERE o.ordered_at >= @from AND o.ordered_at < @before
         AND (CAST(@customersOnly AS INTEGER) = 0 OR (o.customer_id IS NOT NULL
              AND o.customer_id NOT IN (SELECT id FROM customers WHERE forgotten_at IS NOT NULL)))
       ORDER BY o.ordered_at, o.id, l.id`);
    this.customers = db.prepare(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE forgotten_at IS NULL ORDER BY id`,
    );
    this.customerById = db.prepare(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = ?`);
    this.customerByExternalId = db.prepare(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE external_id = ?`);
    this.products = db.prepare(
      `SELECT id, sku, description, kind, last_unit_price AS "lastUnitPrice" FROM products ORDER BY id`,
    );
    this.extent = db.prepare(`
      SELECT (SELECT COUNT(*) FROM orders) AS orders,
             (SELECT COUNT(*) FROM order_lines) AS "orderLines",
             (SELECT COUNT(*) FROM customers) AS customers,
             (SELECT COUNT(*) FROM products) AS products,
             (SELECT MIN(ordered_at) FROM orders) AS "firstOrderAt",
             (SELECT MAX(ordered_at) FROM orders) AS "lastOrderAt"`);
  }

  /** Order lines in time order, optionally limited to a window. */
  *iterateLines(window: HistoryWindow = {}): IterableIterator<OrderLineRecord> {
    yield* this.lines.iterate({
      from: window.from ? window.from.toISOString() : '',
      before: window.before ? window.before.toISOString() : '9999',
      customersOnly: window.customersOnly ? 1 : 0,
    }) as IterableIterator<OrderLineRecord>;
  }

  listCustomers(): CustomerRecord[] {
    return this.customers.all() as CustomerRecord[];
  }

  customer(id: number): CustomerRecord | undefined {
    return this.customerById.get(id) as CustomerRecord | undefined;
  }

  customerByExternal(externalId: string): CustomerRecord | undefined {
    return this.customerByExternalId.get(externalId) as CustomerRecord | undefined;
  }

  listProducts(): ProductRecord[] {
    return this.products.all() as ProductRecord[];
  }

  dataExtent(): DataExtent {
    return this.extent.get() as DataExtent;
  }
}

export class SqliteOrderHistoryRepository extends SqlOrderHistoryRepository {
  constructor(db: Db) {
    super(db);
  }
}
