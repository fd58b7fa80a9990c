/**
 * A customer's own orders, for "where is my order?", and the check that links a chat user to a
 * customer record (an order number and the email on file must both match).
 */
import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
import type { OrderKind } from './orderHistory';
import type { PublicApi } from '../publicApi';

export interface OrderSummary {
  invoice: string;
  kind: OrderKind;
  orderedAt: string;
  country: string | null;
  lines: number;
  items: number;
  total: number;
}

export interface OrderLineSummary {
  sku: string;
  description: string | null;
  quantity: number;
  unitPrice: number;
}

// Prices are summed as exact decimals on PostgreSQL (its double precision SUM is not compensated
// as SQLite's is); SQLite's CAST to NUMERIC keeps each price's value.
const SUMMARY = `
  SELECT o.external_id AS invoice, o.kind, o.ordered_at AS "orderedAt", o.country,
         COUNT(l.id) AS lines, COALESCE(SUM(l.quantity), 0) AS items,
         COALESCE(SUM(l.quantity * CAST(l.unit_price AS NUMERIC)), 0) AS total
    FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id`;

export type VerifyCheck =
  { verified: true; customerId: number } | { verified: false; targetCustomerId: number | null };

/** What the rest of retain sees of the repository (any engine's implementation). */
export type CustomerOrdersRepository = PublicApi<SqlCustomerOrdersRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted), so the PostgreSQL store uses this
 * class as it is.
 */
export class SqlCustomerOrdersRepository {
  private readonly recentStmt;
  private readonly ownOrderStmt;
  private readonly linesStmt;
  private readonly orderOwnerStmt;
  private readonly byEmailStmt;

  constructor(db: PortableDb) {
    this.recentStmt = db.prepare(
      `${SUMMARY} WHERE o.customer_id = ? GROUP BY o.id ORDER BY o.ordered_at DESC, o.id DESC LIMIT ?`,
    );
    // The customer id is part of the lookup: another customer's invoice is simply not found.
    this.ownOrderStmt = db.prepare(`${SUMMARY} WHERE o.customer_id = ? AND o.external_id = ? GROUP BY o.id`);
    this.linesStmt = db.prepare(`
      SELECT p.sku, COALESCE(l.description, p.description) AS description, l.quantity, l.unit_price AS "unitPrice"
        FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
       WHERE o.customer_id = ? AND o.external_id = ? ORDER BY l.id`);
    this.orderOwnerStmt = db.prepare(`
      SELECT c.id AS "customerId", c.email AS email
        FROM orders o JOIN customers c ON c.id = o.customer_id
       WHERE o.external_id = ? AND c.forgotten_at IS NULL`);
    // Only when verification is locked (rare), so a scan of the customers is fine.
    this.byEmailStmt = db.prepare(
      `SELECT id FROM customers WHERE lower(trim(email)) = ? AND forgotten_at IS NULL LIMIT 2`,
    );
  }

  recent(customerId: number, limit = 5): OrderSummary[] {
    return this.recentStmt.all(customerId, limit) as OrderSummary[];
  }

  /** The order, only if it is this customer's. */
  ownOrder(customerId: number, invoice: string): OrderSummary | undefined {
    return this.ownOrderStmt.get(customerId, invoice.toUpperCase()) as OrderSummary | undefined;
  }

  ownOrderLines(customerId: number, invoice: string): OrderLineSummary[] {
    return this.linesStmt.all(customerId, invoice.toUpperCase()) as OrderLineSummary[];
  }

  /**
   * The customer an order number + email pair proves to be, or, when it proves nothing, the
   * customer whose record the order number points at (null when there is no such order or it is
   * a guest order): attempts are counted against that record too. Callers must give one answer
   * for every failure, so nobody learns which order numbers exist or which half was wrong.
   */
  verify(invoice: string, email: string): VerifyCheck {
    const owner = this.orderOwnerStmt.get(invoice.trim().toUpperCase()) as
      { customerId: number; email: string | null } | undefined;
    if (!owner) return { verified: false, targetCustomerId: null };
    const matches = owner.email !== null && owner.email.trim().toLowerCase() === email.trim().toLowerCase();
    return matches
      ? { verified: true, customerId: owner.customerId }
      : { verified: false, targetCustomerId: owner.customerId };
  }

  /** The (not forgotten) customer with this email address on file, if exactly one has it. */
  customerWithEmail(email: string): number | undefined {
    const rows = this.byEmailStmt.all(email.trim().toLowerCase()) as Array<{ id: number }>;
    return rows.length === 1 ? rows[0].id : undefined;
  }
}

export class SqliteCustomerOrdersRepository extends SqlCustomerOrdersRepository {
  constructor(db: Db) {
    super(db);
  }
}
