/** Aggregates over orders for marketers' questions: best sellers, and who was active when. */
import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
import type { PublicApi } from '../publicApi';
import { SQLITE, type FactsDialect } from './shopFacts';

export interface SalesFilter {
  /** Orders at or after this instant. */
  from?: Date;
  /** Orders strictly before this instant. */
  before?: Date;
  country?: string;
}

export interface TopProduct {
  sku: string;
  description: string | null;
  customers: number;
  orders: number;
  quantity: number;
  revenue: number;
}

const params = (f: SalesFilter) => ({
  from: f.from ? f.from.toISOString() : '',
  before: f.before ? f.before.toISOString() : '9999',
  country: f.country ?? null,
});

/** What the rest of retain sees of the repository (any engine's implementation). */
export type SalesInsightsRepository = PublicApi<SqlSalesInsightsRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, the country cast); amounts are summed
 * as the shop's figures sum them (`money` of data/repositories/shopFacts.ts's dialects), so the
 * PostgreSQL store uses this class with PostgreSQL's dialect.
 */
export class SqlSalesInsightsRepository {
  private readonly topProductsStmt;
  private readonly activeCustomersStmt;
  private readonly customerMonthsStmt;

  constructor(db: PortableDb, dialect: Pick<FactsDialect, 'money'>) {
    this.topProductsStmt = db.prepare(`
      SELECT p.sku, p.description, COUNT(DISTINCT o.customer_id) AS customers, COUNT(DISTINCT o.id) AS orders,
             SUM(l.quantity) AS quantity, SUM(l.quantity * ${dialect.money('l.unit_price')}) AS revenue
        FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
       WHERE o.kind = 'purchase' AND p.kind = 'product'
         AND o.ordered_at >= @from AND o.ordered_at < @before
         AND (CAST(@country AS TEXT) IS NULL OR o.country = CAST(@country AS TEXT))
       GROUP BY p.id ORDER BY revenue DESC, p.id LIMIT @limit`);
    this.activeCustomersStmt = db.prepare(`
      SELECT DISTINCT customer_id AS id FROM orders
       WHERE customer_id IS NOT NULL AND kind = 'purchase'
         AND ordered_at >= @from AND ordered_at < @before
         AND (CAST(@country AS TEXT) IS NULL OR country = CAST(@country AS TEXT))`);
    this.customerMonthsStmt = db.prepare(`
      SELECT DISTINCT customer_id AS "customerId", substr(ordered_at, 1, 7) AS month FROM orders
       WHERE customer_id IS NOT NULL AND kind = 'purchase'
       ORDER BY month, "customerId"`);
  }

  /** Every (customer, month) with a purchase, in month order: the raw material of cohorts. */
  customerMonths(): Array<{ customerId: number; month: string }> {
    return this.customerMonthsStmt.all() as Array<{ customerId: number; month: string }>;
  }

  topProducts(filter: SalesFilter = {}, limit = 10): TopProduct[] {
    return this.topProductsStmt.all({ ...params(filter), limit }) as TopProduct[];
  }

  /** Internal ids of customers with a purchase in the window. */
  activeCustomers(filter: SalesFilter): Set<number> {
    return new Set((this.activeCustomersStmt.all(params(filter)) as { id: number }[]).map((r) => r.id));
  }
}

export class SqliteSalesInsightsRepository extends SqlSalesInsightsRepository {
  constructor(db: Db) {
    super(db, SQLITE);
  }
}
