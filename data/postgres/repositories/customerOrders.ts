import type { PgDb } from '../statement';
import type {
  CustomerOrdersRepository,
  OrderLineSummary,
  OrderSummary,
  VerifyCheck,
} from '../../repositories/customerOrders';

const SUMMARY = `
  SELECT o.external_id AS invoice, o.kind, o.ordered_at AS "orderedAt", o.country,
         COUNT(l.id) AS lines, COALESCE(SUM(l.quantity), 0) AS items,
         COALESCE(SUM(l.quantity * l.unit_price::numeric), 0) AS total
    FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id`;

export class PostgresCustomerOrdersRepository implements CustomerOrdersRepository {
  private readonly recentStmt;
  private readonly ownOrderStmt;
  private readonly linesStmt;
  private readonly orderOwnerStmt;
  private readonly byEmailStmt;

  constructor(db: PgDb) {
    this.recentStmt = db.prepare<OrderSummary>(
      `${SUMMARY} WHERE o.customer_id = ? GROUP BY o.id ORDER BY o.ordered_at DESC, o.id DESC LIMIT ?`,
    );
    this.ownOrderStmt = db.prepare<OrderSummary>(
      `${SUMMARY} WHERE o.customer_id = ? AND o.external_id = ? GROUP BY o.id`,
    );
    this.linesStmt = db.prepare<OrderLineSummary>(`
      SELECT p.sku, COALESCE(l.description, p.description) AS description, l.quantity, l.unit_price AS "unitPrice"
        FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
       WHERE o.customer_id = ? AND o.external_id = ? ORDER BY l.id`);
    this.orderOwnerStmt = db.prepare<{ customerId: number; email: string | null }>(`
      SELECT c.id AS "customerId", c.email AS email
        FROM orders o JOIN customers c ON c.id = o.customer_id
       WHERE o.external_id = ? AND c.forgotten_at IS NULL`);
    this.byEmailStmt = db.prepare<{ id: number }>(
      `SELECT id FROM customers WHERE lower(trim(email)) = ? AND forgotten_at IS NULL LIMIT 2`,
    );
  }

  recent(customerId: number, limit = 5): OrderSummary[] {
    return this.recentStmt.all(customerId, limit);
  }

  ownOrder(customerId: number, invoice: string): OrderSummary | undefined {
    return this.ownOrderStmt.get(customerId, invoice.toUpperCase());
  }

  ownOrderLines(customerId: number, invoice: string): OrderLineSummary[] {
    return this.linesStmt.all(customerId, invoice.toUpperCase());
  }

  verify(invoice: string, email: string): VerifyCheck {
    const owner = this.orderOwnerStmt.get(invoice.trim().toUpperCase());
    if (!owner) return { verified: false, targetCustomerId: null };
    const matches = owner.email !== null && owner.email.trim().toLowerCase() === email.trim().toLowerCase();
    return matches
      ? { verified: true, customerId: owner.customerId }
      : { verified: false, targetCustomerId: owner.customerId };
  }

  customerWithEmail(email: string): number | undefined {
    const rows = this.byEmailStmt.all(email.trim().toLowerCase());
    return rows.length === 1 ? rows[0].id : undefined;
  }
}
