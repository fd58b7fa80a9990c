import type { PgDb } from '../statement';
import type {
  CustomerRecord,
  DataExtent,
  HistoryWindow,
  OrderHistoryRepository,
  OrderLineRecord,
  ProductRecord,
} from '../../repositories/orderHistory';

const CUSTOMER_COLUMNS = `id, external_id AS "externalId", country, email, time_zone AS "timeZone",
  consent_state AS "consentState"`;

export class PostgresOrderHistoryRepository implements OrderHistoryRepository {
  private readonly lines;
  private readonly customers;
  private readonly customerById;
  private readonly customerByExternalId;
  private readonly products;
  private readonly extent;

  constructor(db: PgDb) {
    // Read through a server-side cursor (data/postgres/bridge.ts): a year of lines is never held whole.
    this.lines = db.prepare<OrderLineRecord>(`
      SELECT o.id AS "orderId", o.external_id AS "orderExternalId", o.customer_id AS "customerId",
             o.ordered_at AS "orderedAt", o.kind AS "orderKind", o.country AS country,
             p.id AS "productId", p.sku AS sku, p.kind AS "productKind",
             l.quantity AS quantity, l.unit_price AS "unitPrice"
        FROM order_lines l
        JOIN orders o ON o.id = l.order_id
        JOIN products p ON p.id = l.product_id
       WHERE o.ordered_at >= @from AND o.ordered_at < @before
         AND (@customersOnly::integer = 0 OR (o.customer_id IS NOT NULL
              AND o.customer_id NOT IN (SELECT id FROM customers WHERE forgotten_at IS NOT NULL)))
       ORDER BY o.ordered_at, o.id, l.id`);
    this.customers = db.prepare<CustomerRecord>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE forgotten_at IS NULL ORDER BY id`,
    );
    this.customerById = db.prepare<CustomerRecord>(`SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE id = ?`);
    this.customerByExternalId = db.prepare<CustomerRecord>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE external_id = ?`,
    );
    this.products = db.prepare<ProductRecord>(
      `SELECT id, sku, description, kind, last_unit_price AS "lastUnitPrice" FROM products ORDER BY id`,
    );
    this.extent = db.prepare<DataExtent>(`
      SELECT (SELECT COUNT(*) FROM orders) AS orders,
             (SELECT COUNT(*) FROM order_lines) AS "orderLines",
             (SELECT COUNT(*) FROM customers) AS customers,
             (SELECT COUNT(*) FROM products) AS products,
             (SELECT MIN(ordered_at) FROM orders) AS "firstOrderAt",
             (SELECT MAX(ordered_at) FROM orders) AS "lastOrderAt"`);
  }

  *iterateLines(window: HistoryWindow = {}): IterableIterator<OrderLineRecord> {
    yield* this.lines.iterate({
      from: window.from ? window.from.toISOString() : '',
      before: window.before ? window.before.toISOString() : '9999',
      customersOnly: window.customersOnly ? 1 : 0,
    });
  }

  listCustomers(): CustomerRecord[] {
    return this.customers.all();
  }

  customer(id: number): CustomerRecord | undefined {
    return this.customerById.get(id);
  }

  customerByExternal(externalId: string): CustomerRecord | undefined {
    return this.customerByExternalId.get(externalId);
  }

  listProducts(): ProductRecord[] {
    return this.products.all();
  }

  dataExtent(): DataExtent {
    return this.extent.get()!;
  }
}
