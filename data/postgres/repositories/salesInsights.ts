import type { PgDb } from '../statement';
import type { SalesFilter, SalesInsightsRepository, TopProduct } from '../../repositories/salesInsights';

const params = (f: SalesFilter) => ({
  from: f.from ? f.from.toISOString() : '',
  before: f.before ? f.before.toISOString() : '9999',
  country: f.country ?? null,
});

export class PostgresSalesInsightsRepository implements SalesInsightsRepository {
  private readonly topProductsStmt;
  private readonly activeCustomersStmt;
  private readonly customerMonthsStmt;

  constructor(db: PgDb) {
    this.topProductsStmt = db.prepare<TopProduct>(`
      SELECT p.sku, p.description, COUNT(DISTINCT o.customer_id) AS customers, COUNT(DISTINCT o.id) AS orders,
             SUM(l.quantity) AS quantity, SUM(l.quantity * l.unit_price::numeric) AS revenue
        FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
       WHERE o.kind = 'purchase' AND p.kind = 'product'
         AND o.ordered_at >= @from AND o.ordered_at < @before
         AND (@country::text IS NULL OR o.country = @country::text)
       GROUP BY p.id ORDER BY revenue DESC, p.id LIMIT @limit`);
    this.activeCustomersStmt = db.prepare<{ id: number }>(`
      SELECT DISTINCT customer_id AS id FROM orders
       WHERE customer_id IS NOT NULL AND kind = 'purchase'
         AND ordered_at >= @from AND ordered_at < @before
         AND (@country::text IS NULL OR country = @country::text)`);
    this.customerMonthsStmt = db.prepare<{ customerId: number; month: string }>(`
      SELECT DISTINCT customer_id AS "customerId", substr(ordered_at, 1, 7) AS month FROM orders
       WHERE customer_id IS NOT NULL AND kind = 'purchase'
       ORDER BY month, "customerId"`);
  }

  customerMonths(): Array<{ customerId: number; month: string }> {
    return this.customerMonthsStmt.all();
  }

  topProducts(filter: SalesFilter = {}, limit = 10): TopProduct[] {
    return this.topProductsStmt.all({ ...params(filter), limit });
  }

  activeCustomers(filter: SalesFilter): Set<number> {
    return new Set(this.activeCustomersStmt.all(params(filter)).map((r) => r.id));
  }
}
