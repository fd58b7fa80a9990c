/**
 * The shop's own figures for marketers' questions ("revenue by country last quarter", "new
 * customers per month"): sums and counts over the order history, grouped one way and filtered by
 * period, country, product, segment, stage, kind of customer and order value.
 *
 * Statements are built only from the fixed fragments below, chosen by enum values; everything a
 * user typed (country names, codes, amounts, dates) is a bound parameter, lists travel as JSON
 * through json_each. Each distinct combination of fragments is prepared once and kept. The few
 * fragments SQLite and PostgreSQL spell differently come from a `FactsDialect`
 * (data/postgres/repositories/shopFacts.ts has PostgreSQL's).
 *
 * What the figures mean (the definitions the answers state):
 *  - merchandise: lines of stock codes of kind 'product' (postage, fees, discounts, vouchers and
 *    manual adjustments are left out);
 *  - revenue and units: merchandise of purchases minus merchandise of cancellations and returns,
 *    each counted on its own date; guest checkouts included;
 *  - orders: purchase invoices with merchandise; customers: named customers with such an order;
 *  - a customer is new in a period (or in a time bucket) when their first purchase ever falls in it.
 */
import type { Db } from '../db';
import type { PublicApi } from '../publicApi';
import type { PortableDb, PortableStatement } from '../portableDb';

export type FactsGrouping =
  | 'none'
  | 'country'
  | 'product'
  | 'customer'
  | 'segment'
  | 'stage'
  | 'customerType'
  | 'day'
  | 'week'
  | 'month'
  | 'quarter'
  | 'year';

const TIME_GROUPINGS: readonly FactsGrouping[] = ['day', 'week', 'month', 'quarter', 'year'];

export type CustomerKind = 'new' | 'returning' | 'guest' | 'registered';

export interface AmountRange {
  /** Exclusive lower bound. */
  min?: number;
  /** Exclusive upper bound. */
  max?: number;
}

export interface FactsFilter {
  /** ISO date (YYYY-MM-DD), inclusive; absent: from the first order. */
  from?: string;
  /** ISO date, exclusive; absent: up to the newest order. */
  to?: string;
  countries?: string[];
  excludeCountries?: string[];
  /** Stock codes. */
  skus?: string[];
  /** Products whose name has every one of these words (lower case, as part of the name). */
  nameWords?: string[];
  /** Segments and lifecycle stages as of the latest stored scores. */
  segments?: string[];
  stages?: string[];
  customerKind?: CustomerKind;
  /** Purchase orders whose merchandise value is in the range (cancellations cannot be tied to them). */
  orderValue?: AmountRange;
  /** Customers whose purchases of merchandise in the period add up to an amount in the range. */
  customerSpend?: AmountRange;
}

/** Everything the sales measures are made of, for one group. */
export interface SalesFacts {
  key: string;
  label: string;
  /** Merchandise net of cancellations and returns. */
  revenue: number;
  /** Units net of cancellations and returns. */
  units: number;
  orders: number;
  /** Merchandise value and units of purchases as ordered. */
  purchaseValue: number;
  purchaseUnits: number;
  /** The part of purchaseValue and of orders that named customers bought. */
  customerPurchaseValue: number;
  customerOrders: number;
  /** Merchandise value of cancellations and returns, as a positive amount. */
  cancelledValue: number;
  /** Cancellation and return invoices with merchandise. */
  cancellations: number;
  customers: number;
  /** Null per product (not computed). */
  newCustomers: number | null;
  /** Customers who bought on two or more different days; null per product (not computed). */
  repeatCustomers: number | null;
}

export interface LostFacts {
  key: string;
  label: string;
  /** Customers who bought in the previous period. */
  previousCustomers: number;
  /** Of those, the ones who did not buy in the period. */
  lost: number;
}

export interface ScoreFacts {
  key: string;
  label: string;
  customers: number;
  churnRisk: number | null;
  clv: number | null;
  totalClv: number | null;
}

export interface OrderExtent {
  firstOrderAt: string | null;
  lastOrderAt: string | null;
}

/** Groupings the per-customer queries (lost customers, scores) support. */
export type CustomerGrouping = 'none' | 'country' | 'segment' | 'stage';

/** What SQLite and PostgreSQL spell differently in these statements. */
export interface FactsDialect {
  /** The text values of a JSON array parameter, as a one-column subquery body. */
  jsonValues(param: string): string;
  /** Products whose name contains every word of @nameWords. */
  namedProducts: string;
  /** Group keys of order times that need date functions. */
  week: string;
  quarter: string;
  /** The larger of two texts. */
  greatest(a: string, b: string): string;
  /** Joins orders to their lines (SQLite: CROSS JOIN, which keeps orders the outer loop). */
  linesJoin: string;
  /** A condition that always holds, to append AND-ed conditions to. */
  always: string;
  /** An amount as summed: SQLite's SUM adds doubles exactly enough; PostgreSQL sums numeric. */
  money(expr: string): string;
  /** A result column name as written (camel case must be quoted in PostgreSQL). */
  name(camel: string): string;
}

export const SQLITE: FactsDialect = {
  jsonValues: (param) => `SELECT value FROM json_each(${param})`,
  namedProducts: `SELECT p.id FROM products p WHERE NOT EXISTS (
    SELECT 1 FROM json_each(@nameWords) w WHERE instr(lower(COALESCE(p.description, '')), w.value) = 0)`,
  // Weeks start on Monday: the Sunday ending the week, six days back.
  week: `date(o.ordered_at, 'weekday 0', '-6 days')`,
  // The quarter's first month, so that keys sort and compare with times like months do.
  quarter: `substr(o.ordered_at, 1, 5) || printf('%02d', ((CAST(substr(o.ordered_at, 6, 2) AS INTEGER) - 1) / 3) * 3 + 1)`,
  greatest: (a, b) => `max(${a}, ${b})`,
  linesJoin: 'CROSS JOIN',
  always: '1',
  money: (expr) => expr,
  name: (camel) => camel,
};

const MERCHANDISE = `l.product_id NOT IN (SELECT id FROM products WHERE kind <> 'product')`;

const SCORES_CTE = `sc AS (SELECT customer_id, segment, stage FROM customer_scores
                           WHERE as_of = (SELECT MAX(as_of) FROM customer_scores))`;

const FIRST_PURCHASE_CTE = `fp AS (SELECT customer_id, MIN(ordered_at) AS first_at FROM orders
                                    WHERE kind = 'purchase' AND customer_id IS NOT NULL GROUP BY customer_id)`;

/** The group key of an order (line) per grouping; `o` orders, `l` lines, `sc` scores, `fp` first purchases. */
function groupKey(d: FactsDialect, grouping: FactsGrouping): string {
  const keys: Record<FactsGrouping, string> = {
    none: `'all'`,
    country: `COALESCE(o.country, 'Unknown')`,
    product: `l.product_id`,
    customer: `o.customer_id`,
    segment: `COALESCE(sc.segment, CASE WHEN o.customer_id IS NULL THEN 'Guest checkouts' ELSE 'Not scored' END)`,
    stage: `COALESCE(sc.stage, CASE WHEN o.customer_id IS NULL THEN 'Guest checkouts' ELSE 'Not scored' END)`,
    customerType: `CASE WHEN o.customer_id IS NULL THEN 'Guest checkouts' WHEN fp.first_at >= @from THEN 'New' ELSE 'Returning' END`,
    day: `substr(o.ordered_at, 1, 10)`,
    week: d.week,
    month: `substr(o.ordered_at, 1, 7)`,
    quarter: d.quarter,
    year: `substr(o.ordered_at, 1, 4)`,
  };
  return keys[grouping];
}

/**
 * Where a customer's "new" period starts: the time bucket (cut to the period) for time groupings,
 * else the period. Keys of time buckets compare with ISO times as text ('2011-03' <= '2011-03-04T...').
 */
function newSince(d: FactsDialect, grouping: FactsGrouping): string {
  return TIME_GROUPINGS.includes(grouping) ? d.greatest(groupKey(d, grouping), '@from') : '@from';
}

interface FilterParams {
  from: string;
  to: string;
  countries: string | null;
  excludeCountries: string | null;
  skus: string | null;
  nameWords: string | null;
  segments: string | null;
  stages: string | null;
  minOrder: number;
  maxOrder: number;
  minSpend: number;
  maxSpend: number;
}

function filterParams(f: FactsFilter): FilterParams {
  const list = (xs?: string[]) => (xs?.length ? JSON.stringify(xs) : null);
  return {
    from: f.from ?? '',
    to: f.to ?? '9999',
    countries: list(f.countries),
    excludeCountries: list(f.excludeCountries),
    skus: list(f.skus),
    nameWords: list(f.nameWords),
    segments: list(f.segments),
    stages: list(f.stages),
    minOrder: f.orderValue?.min ?? -Number.MAX_VALUE,
    maxOrder: f.orderValue?.max ?? Number.MAX_VALUE,
    minSpend: f.customerSpend?.min ?? -Number.MAX_VALUE,
    maxSpend: f.customerSpend?.max ?? Number.MAX_VALUE,
  };
}

/** Conditions on orders `o` and lines `l` for the filter's lists (period and merchandise apart). */
function listConditions(d: FactsDialect, f: FactsFilter): string[] {
  const c: string[] = [];
  if (f.countries?.length) c.push(`COALESCE(o.country, 'Unknown') IN (${d.jsonValues('@countries')})`);
  if (f.excludeCountries?.length)
    c.push(`COALESCE(o.country, 'Unknown') NOT IN (${d.jsonValues('@excludeCountries')})`);
  if (f.skus?.length)
    c.push(`l.product_id IN (SELECT id FROM products WHERE sku IN (${d.jsonValues('@skus')}))`);
  if (f.nameWords?.length) c.push(`l.product_id IN (${d.namedProducts})`);
  if (f.segments?.length)
    c.push(`o.customer_id IN (SELECT customer_id FROM sc WHERE segment IN (${d.jsonValues('@segments')}))`);
  if (f.stages?.length)
    c.push(`o.customer_id IN (SELECT customer_id FROM sc WHERE stage IN (${d.jsonValues('@stages')}))`);
  return c;
}

const needsScores = (f: FactsFilter, grouping: string) =>
  grouping === 'segment' || grouping === 'stage' || !!f.segments?.length || !!f.stages?.length;

/** A signature of the fragments a statement is made of: one prepared statement per signature. */
function signature(kind: string, f: FactsFilter, grouping: string): string {
  return [
    kind,
    grouping,
    f.from || f.to ? 'd' : '',
    f.countries?.length ? 'c' : '',
    f.excludeCountries?.length ? 'x' : '',
    f.skus?.length ? 'p' : '',
    f.nameWords?.length ? 'w' : '',
    f.segments?.length ? 's' : '',
    f.stages?.length ? 't' : '',
    f.customerKind ?? '',
    f.orderValue ? 'v' : '',
    f.customerSpend ? 'm' : '',
  ].join('|');
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type ShopFactsRepository = PublicApi<ShopFactsReader>;

/** The facts on any engine: the statements in its dialect, prepared on its connection. */
export class ShopFactsReader {
  private readonly statements = new Map<string, PortableStatement>();
  private readonly extentStmt;
  private readonly versionStmt;
  private readonly scoresAsOfStmt;
  private readonly countriesStmt;
  private readonly productsStmt;

  constructor(
    private readonly db: PortableDb,
    private readonly dialect: FactsDialect,
  ) {
    const n = dialect.name;
    this.extentStmt = db.prepare(
      `SELECT MIN(ordered_at) AS ${n('firstOrderAt')}, MAX(ordered_at) AS ${n('lastOrderAt')} FROM orders`,
    );
    this.versionStmt = db.prepare(`
      SELECT (SELECT MAX(id) FROM orders) || '/' || (SELECT MAX(id) FROM order_lines) || '/' ||
             COALESCE((SELECT MAX(id) FROM model_runs), 0) AS version`);
    this.scoresAsOfStmt = db.prepare(`SELECT MAX(as_of) AS ${n('asOf')} FROM customer_scores`);
    this.countriesStmt = db.prepare(`
      SELECT country, COUNT(*) AS orders FROM orders WHERE country IS NOT NULL
       GROUP BY country ORDER BY orders DESC, country`);
    this.productsStmt = db.prepare(`
      SELECT sku AS code, description AS name FROM products
       WHERE kind = 'product' AND description IS NOT NULL ORDER BY sku`);
  }

  extent(): OrderExtent {
    return this.extentStmt.get() as OrderExtent;
  }

  /**
   * Changes whenever orders are imported or models are trained: figures computed for one version
   * stay true until the next. Reads three row ids, so it costs next to nothing.
   */
  dataVersion(): string {
    return String((this.versionStmt.get() as { version: string | null }).version);
  }

  /** The date of the latest stored scores (segments, stages, churn, CLV), or null before training. */
  scoresAsOf(): string | null {
    return (this.scoresAsOfStmt.get() as { asOf: string | null }).asOf;
  }

  /** Countries with orders, most orders first. */
  countries(): string[] {
    return (this.countriesStmt.all() as { country: string }[]).map((r) => r.country);
  }

  /** The catalogue of merchandise (code and newest name). */
  products(): { code: string; name: string }[] {
    return this.productsStmt.all() as { code: string; name: string }[];
  }

  /** Sales figures per group: one row per group with any merchandise line in the filter. */
  sales(filter: FactsFilter, grouping: FactsGrouping): SalesFacts[] {
    const stmt = this.statement(signature('sales', filter, grouping), () =>
      salesSql(this.dialect, filter, grouping),
    );
    return stmt.all(filterParams(filter)) as SalesFacts[];
  }

  /**
   * Customers who bought in `previous` but not in the filter's period (both under the same
   * filter), per group of their previous orders.
   */
  lost(filter: FactsFilter, previous: { from: string; to: string }, grouping: CustomerGrouping): LostFacts[] {
    const stmt = this.statement(signature('lost', filter, grouping), () =>
      lostSql(this.dialect, filter, grouping),
    );
    return stmt.all({ ...filterParams(filter), prevFrom: previous.from, prevTo: previous.to }) as LostFacts[];
  }

  /**
   * The latest stored scores per group. With a period (or products) only customers who bought
   * in it (them) count.
   */
  scores(filter: FactsFilter, grouping: CustomerGrouping): ScoreFacts[] {
    const stmt = this.statement(signature('scores', filter, grouping), () =>
      scoresSql(this.dialect, filter, grouping),
    );
    return stmt.all(filterParams(filter)) as ScoreFacts[];
  }

  private statement(key: string, build: () => string): PortableStatement {
    let stmt = this.statements.get(key);
    if (!stmt) {
      stmt = this.db.prepare(build());
      this.statements.set(key, stmt);
    }
    return stmt;
  }
}

export class SqliteShopFactsRepository extends ShopFactsReader {
  constructor(db: Db) {
    super(db, SQLITE);
  }
}

function salesSql(d: FactsDialect, f: FactsFilter, grouping: FactsGrouping): string {
  const withScores = needsScores(f, grouping);
  const since = newSince(d, grouping);
  const ctes = [FIRST_PURCHASE_CTE];
  if (withScores) ctes.push(SCORES_CTE);
  const orderConditions = listConditions(d, f);
  if (f.customerKind === 'guest') orderConditions.push('o.customer_id IS NULL');
  if (f.customerKind === 'registered') orderConditions.push('o.customer_id IS NOT NULL');
  const amount = d.money('l.quantity * l.unit_price');
  if (f.orderValue) {
    orderConditions.push('o.id IN (SELECT id FROM ov)');
    ctes.push(`ov AS (
      SELECT o.id FROM orders o ${d.linesJoin} order_lines l ON l.order_id = o.id
       WHERE o.kind = 'purchase' AND o.ordered_at >= @from AND o.ordered_at < @to AND ${MERCHANDISE}
       GROUP BY o.id
      HAVING SUM(${amount}) > @minOrder AND SUM(${amount}) < @maxOrder)`);
  }
  if (f.customerSpend) {
    orderConditions.push('o.customer_id IN (SELECT customer_id FROM cs)');
    // Spend within the same countries, products, segments and stages as the question.
    ctes.push(`cs AS (
      SELECT o.customer_id FROM orders o ${d.linesJoin} order_lines l ON l.order_id = o.id
       WHERE o.kind = 'purchase' AND o.customer_id IS NOT NULL AND o.ordered_at >= @from AND o.ordered_at < @to
         AND ${MERCHANDISE} ${and(listConditions(d, f))}
       GROUP BY o.customer_id
      HAVING SUM(${amount}) > @minSpend AND SUM(${amount}) < @maxSpend)`);
  }
  return grouping === 'product'
    ? productSalesSql(d, f, ctes, orderConditions)
    : orderSalesSql(d, f, grouping, since, ctes, orderConditions);
}

const and = (conditions: string[]) => conditions.map((c) => `AND ${c}`).join('\n         ');

/** Any grouping but products: orders first (one row each), then per group and customer, then per group. */
function orderSalesSql(
  d: FactsDialect,
  f: FactsFilter,
  grouping: FactsGrouping,
  since: string,
  ctes: string[],
  orderConditions: string[],
): string {
  const customerConditions: string[] = [];
  // A table of customers: guest checkouts have no customer to be a row.
  if (grouping === 'customer') orderConditions.push('o.customer_id IS NOT NULL');
  if (f.customerKind === 'new') customerConditions.push(`fp.first_at >= ${since}`);
  if (f.customerKind === 'returning') customerConditions.push(`fp.first_at < ${since}`);
  // Grouped in the order of the orders_time_facts index, which then needs no sorting.
  ctes.push(`ol AS (
    SELECT o.id AS id, o.kind AS kind, o.customer_id AS customer_id, o.country AS country,
           o.ordered_at AS ordered_at, SUM(${d.money('l.quantity * l.unit_price')}) AS value, SUM(l.quantity) AS units
      FROM orders o ${d.linesJoin} order_lines l ON l.order_id = o.id
     WHERE o.ordered_at >= @from AND o.ordered_at < @to AND ${MERCHANDISE}
         ${and(orderConditions)}
     GROUP BY o.ordered_at, o.kind, o.customer_id, o.country, o.id)`);
  ctes.push(`f AS (
    SELECT o.kind AS kind, o.customer_id AS customer_id, o.value AS value, o.units AS units,
           ${groupKey(d, grouping)} AS key, CASE WHEN fp.first_at >= ${since} THEN 1 ELSE 0 END AS is_new,
           substr(o.ordered_at, 1, 10) AS day
      FROM ol o LEFT JOIN fp ON fp.customer_id = o.customer_id
      ${needsScores(f, grouping) ? 'LEFT JOIN sc ON sc.customer_id = o.customer_id' : ''}
     WHERE ${d.always} ${and(customerConditions)})`);
  // Per group and customer (all guests of a group together), so that new customers and
  // customers who bought on two or more days count once per group.
  ctes.push(`fc AS (
    SELECT key, customer_id, MAX(is_new) AS is_new,
           SUM(value) AS value, SUM(units) AS units,
           SUM(CASE WHEN kind = 'purchase' THEN 1 ELSE 0 END) AS orders,
           SUM(CASE WHEN kind = 'purchase' THEN value ELSE 0 END) AS purchase_value,
           SUM(CASE WHEN kind = 'purchase' THEN units ELSE 0 END) AS purchase_units,
           -SUM(CASE WHEN kind <> 'purchase' THEN value ELSE 0 END) AS cancelled_value,
           SUM(CASE WHEN kind <> 'purchase' THEN 1 ELSE 0 END) AS cancellations,
           COUNT(DISTINCT CASE WHEN kind = 'purchase' THEN day END) AS purchase_days
      FROM f GROUP BY key, customer_id)`);
  const customer = grouping === 'customer';
  const key = customer ? `COALESCE(c.external_id, 'Guest checkouts')` : 'fc.key';
  const n = d.name;
  return `WITH ${ctes.join(',\n')}
    SELECT ${key} AS key, ${key} AS label,
           SUM(value) AS revenue, SUM(units) AS units, SUM(orders) AS orders,
           SUM(purchase_value) AS ${n('purchaseValue')}, SUM(purchase_units) AS ${n('purchaseUnits')},
           SUM(CASE WHEN customer_id IS NOT NULL THEN purchase_value ELSE 0 END) AS ${n('customerPurchaseValue')},
           SUM(CASE WHEN customer_id IS NOT NULL THEN orders ELSE 0 END) AS ${n('customerOrders')},
           SUM(cancelled_value) AS ${n('cancelledValue')}, SUM(cancellations) AS cancellations,
           SUM(CASE WHEN customer_id IS NOT NULL AND orders > 0 THEN 1 ELSE 0 END) AS customers,
           SUM(CASE WHEN customer_id IS NOT NULL AND orders > 0 AND is_new = 1 THEN 1 ELSE 0 END) AS ${n('newCustomers')},
           SUM(CASE WHEN customer_id IS NOT NULL AND purchase_days >= 2 THEN 1 ELSE 0 END) AS ${n('repeatCustomers')}
      FROM fc ${customer ? 'LEFT JOIN customers c ON c.id = fc.key' : ''}
     GROUP BY fc.key${customer ? ', c.external_id' : ''}`;
}

/**
 * Per product, straight from the lines: an order holds many products, so orders and customers
 * are distinct counts. New and repeat customers per product are not computed (null).
 */
function productSalesSql(d: FactsDialect, f: FactsFilter, ctes: string[], orderConditions: string[]): string {
  if (f.customerKind === 'new')
    orderConditions.push(`o.customer_id IN (SELECT customer_id FROM fp WHERE first_at >= @from)`);
  if (f.customerKind === 'returning')
    orderConditions.push(`o.customer_id IN (SELECT customer_id FROM fp WHERE first_at < @from)`);
  const purchase = (x: string) => `CASE WHEN o.kind = 'purchase' THEN ${x} END`;
  const other = (x: string) => `CASE WHEN o.kind <> 'purchase' THEN ${x} END`;
  const value = d.money('l.quantity * l.unit_price');
  const n = d.name;
  ctes.push(`pl AS (
    SELECT l.product_id AS product_id, SUM(${value}) AS revenue, SUM(l.quantity) AS units,
           COUNT(DISTINCT ${purchase('o.id')}) AS orders,
           COALESCE(SUM(${purchase(value)}), 0) AS ${n('purchaseValue')},
           COALESCE(SUM(${purchase('l.quantity')}), 0) AS ${n('purchaseUnits')},
           COALESCE(SUM(CASE WHEN o.kind = 'purchase' AND o.customer_id IS NOT NULL THEN ${value} END), 0)
             AS ${n('customerPurchaseValue')},
           COUNT(DISTINCT CASE WHEN o.kind = 'purchase' AND o.customer_id IS NOT NULL THEN o.id END) AS ${n('customerOrders')},
           -COALESCE(SUM(${other(value)}), 0) AS ${n('cancelledValue')},
           COUNT(DISTINCT ${other('o.id')}) AS cancellations,
           COUNT(DISTINCT ${purchase('o.customer_id')}) AS customers
      FROM orders o ${d.linesJoin} order_lines l ON l.order_id = o.id
     WHERE o.ordered_at >= @from AND o.ordered_at < @to AND ${MERCHANDISE}
         ${and(orderConditions)}
     GROUP BY l.product_id)`);
  return `WITH ${ctes.join(',\n')}
    SELECT p.sku AS key, COALESCE(p.description, p.sku) AS label, pl.revenue, pl.units, pl.orders,
           pl.${n('purchaseValue')}, pl.${n('purchaseUnits')}, pl.${n('customerPurchaseValue')}, pl.${n('customerOrders')}, pl.${n('cancelledValue')},
           pl.cancellations,
           pl.customers, NULL AS ${n('newCustomers')}, NULL AS ${n('repeatCustomers')}
      FROM pl JOIN products p ON p.id = pl.product_id`;
}

const CUSTOMER_KEY: Record<CustomerGrouping, string> = {
  none: `'all'`,
  country: `COALESCE(o.country, 'Unknown')`,
  segment: `COALESCE(sc.segment, 'Not scored')`,
  stage: `COALESCE(sc.stage, 'Not scored')`,
};

function lostSql(d: FactsDialect, f: FactsFilter, grouping: CustomerGrouping): string {
  const withScores = needsScores(f, grouping);
  const conditions = and(listConditions(d, f));
  const buyers = (from: string, to: string, select: string, group: string) => `
      SELECT ${select} FROM orders o ${d.linesJoin} order_lines l ON l.order_id = o.id
        ${withScores ? 'LEFT JOIN sc ON sc.customer_id = o.customer_id' : ''}
       WHERE o.kind = 'purchase' AND o.customer_id IS NOT NULL
         AND o.ordered_at >= ${from} AND o.ordered_at < ${to} AND ${MERCHANDISE} ${conditions}
       ${group}`;
  const ctes = [
    ...(withScores ? [SCORES_CTE] : []),
    // A customer who bought in two countries belongs to the first in alphabetical order.
    `prev AS (${buyers('@prevFrom', '@prevTo', `o.customer_id AS customer_id, MIN(${CUSTOMER_KEY[grouping]}) AS key`, 'GROUP BY o.customer_id')})`,
    `cur AS (${buyers('@from', '@to', 'DISTINCT o.customer_id AS customer_id', '')})`,
  ];
  return `WITH ${ctes.join(',\n')}
    SELECT prev.key AS key, prev.key AS label, COUNT(*) AS ${d.name('previousCustomers')},
           SUM(CASE WHEN cur.customer_id IS NULL THEN 1 ELSE 0 END) AS lost
      FROM prev LEFT JOIN cur ON cur.customer_id = prev.customer_id
     GROUP BY prev.key`;
}

const SCORE_KEY: Record<CustomerGrouping, string> = {
  none: `'all'`,
  country: `COALESCE(c.country, 'Unknown')`,
  segment: 's.segment',
  stage: 's.stage',
};

function scoresSql(d: FactsDialect, f: FactsFilter, grouping: CustomerGrouping): string {
  const c: string[] = [];
  if (f.countries?.length) c.push(`COALESCE(c.country, 'Unknown') IN (${d.jsonValues('@countries')})`);
  if (f.excludeCountries?.length)
    c.push(`COALESCE(c.country, 'Unknown') NOT IN (${d.jsonValues('@excludeCountries')})`);
  if (f.segments?.length) c.push(`s.segment IN (${d.jsonValues('@segments')})`);
  if (f.stages?.length) c.push(`s.stage IN (${d.jsonValues('@stages')})`);
  if (f.from || f.to || f.skus?.length || f.nameWords?.length) {
    const products =
      (f.skus?.length
        ? `AND l.product_id IN (SELECT id FROM products WHERE sku IN (${d.jsonValues('@skus')}))`
        : '') + (f.nameWords?.length ? ` AND l.product_id IN (${d.namedProducts})` : '');
    c.push(`s.customer_id IN (
      SELECT o.customer_id FROM orders o ${d.linesJoin} order_lines l ON l.order_id = o.id
       WHERE o.kind = 'purchase' AND o.customer_id IS NOT NULL
         AND o.ordered_at >= @from AND o.ordered_at < @to AND ${MERCHANDISE} ${products})`);
  }
  return `
    SELECT ${SCORE_KEY[grouping]} AS key, ${SCORE_KEY[grouping]} AS label, COUNT(*) AS customers,
           AVG(s.churn_probability) AS ${d.name('churnRisk')}, AVG(s.clv) AS clv, SUM(s.clv) AS ${d.name('totalClv')}
      FROM customer_scores s JOIN customers c ON c.id = s.customer_id
     WHERE s.as_of = (SELECT MAX(as_of) FROM customer_scores) ${c.map((x) => `AND ${x}`).join(' ')}
     GROUP BY 1`;
}
