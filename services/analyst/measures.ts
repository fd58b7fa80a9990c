/**
 * What each measure is, in words and in arithmetic over the repository's facts. The definitions
 * are stated in every answer, so that a marketer knows exactly what was counted.
 */
import type { LostFacts, SalesFacts, ScoreFacts } from '../../data/repositories/shopFacts';
import type { Measure } from '../../nlp/query/spec';

export type Format = 'money' | 'number' | 'percent';

interface Base {
  /** "Revenue": headers and titles. */
  label: string;
  /** "revenue": inside sentences. */
  words: string;
  format: Format;
  /** What was computed, stated with every answer. */
  definition: string;
}

export interface SalesMeasure extends Base {
  source: 'sales';
  value: (f: SalesFacts) => number | null;
  /** A ratio's parts, so that a change can be split between groups exactly (drivers.ts). */
  ratio?: { numerator: (f: SalesFacts) => number; denominator: (f: SalesFacts) => number };
  /** Sums over groups of orders (countries, segments...) add up to the whole. */
  additive: boolean;
}

export interface LostMeasure extends Base {
  source: 'lost';
  value: (f: LostFacts) => number | null;
}

export interface ScoreMeasure extends Base {
  source: 'scores';
  value: (f: ScoreFacts) => number | null;
}

export type MeasureDefinition = SalesMeasure | LostMeasure | ScoreMeasure;

const divide = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);

const GUESTS_IN = 'guest checkouts included';
const MERCHANDISE = 'merchandise (postage, fees, discounts, vouchers and manual adjustments left out)';

export const MEASURE_DEFINITIONS: Record<Measure, MeasureDefinition> = {
  revenue: {
    source: 'sales',
    label: 'Revenue',
    words: 'revenue',
    format: 'money',
    additive: true,
    value: (f) => f.revenue,
    definition: `Revenue: ${MERCHANDISE} sold, net of cancellations and returns (each counted on its own date); ${GUESTS_IN}.`,
  },
  orders: {
    source: 'sales',
    label: 'Orders',
    words: 'orders',
    format: 'number',
    additive: true,
    value: (f) => f.orders,
    definition: `Orders: purchase invoices with merchandise; ${GUESTS_IN}. Cancellations are not subtracted, as they cannot be tied to the order they undo.`,
  },
  units: {
    source: 'sales',
    label: 'Units',
    words: 'units',
    format: 'number',
    additive: true,
    value: (f) => f.units,
    definition: `Units: merchandise units sold, net of cancelled and returned units; ${GUESTS_IN}.`,
  },
  customers: {
    source: 'sales',
    label: 'Customers',
    words: 'customers',
    format: 'number',
    additive: false,
    value: (f) => f.customers,
    definition:
      'Customers: named customers with at least one order in the period. Guest checkouts have no customer id and are not counted.',
  },
  newCustomers: {
    source: 'sales',
    label: 'New customers',
    words: 'new customers',
    format: 'number',
    additive: false,
    value: (f) => f.newCustomers,
    definition:
      'New customers: customers whose first order ever falls in the period (guest checkouts not counted). The order history has a first day: customers who bought before it look new in its first weeks.',
  },
  returningCustomers: {
    source: 'sales',
    label: 'Returning customers',
    words: 'returning customers',
    format: 'number',
    additive: false,
    value: (f) => (f.newCustomers === null ? null : f.customers - f.newCustomers),
    definition: 'Returning customers: customers with an order in the period who had ordered before it.',
  },
  repeatCustomers: {
    source: 'sales',
    label: 'Repeat customers',
    words: 'repeat customers',
    format: 'number',
    additive: false,
    value: (f) => f.repeatCustomers,
    definition: 'Repeat customers: customers who bought on two or more different days in the period.',
  },
  lostCustomers: {
    source: 'lost',
    label: 'Lost customers',
    words: 'lost customers',
    format: 'number',
    value: (f) => f.lost,
    definition:
      'Lost customers: customers who ordered in the previous period of the same length but not in this one. This counts what happened; the churn model\'s forecast is "churn risk".',
  },
  churnRate: {
    source: 'lost',
    label: 'Churn rate',
    words: 'churn rate',
    format: 'percent',
    value: (f) => divide(f.lost, f.previousCustomers),
    definition:
      "Churn rate: of the customers who ordered in the previous period of the same length, the share who did not order in this one (what happened, not the churn model's forecast).",
  },
  retentionRate: {
    source: 'lost',
    label: 'Retention rate',
    words: 'retention rate',
    format: 'percent',
    value: (f) => divide(f.previousCustomers - f.lost, f.previousCustomers),
    definition:
      'Retention rate: of the customers who ordered in the previous period of the same length, the share who ordered again in this one.',
  },
  aov: {
    source: 'sales',
    label: 'Average order value',
    words: 'average order value',
    format: 'money',
    additive: false,
    value: (f) => divide(f.purchaseValue, f.orders),
    ratio: { numerator: (f) => f.purchaseValue, denominator: (f) => f.orders },
    definition: `Average order value: ${MERCHANDISE} per purchase order, as ordered (later cancellations and returns not deducted); ${GUESTS_IN}.`,
  },
  itemsPerOrder: {
    source: 'sales',
    label: 'Items per order',
    words: 'items per order',
    format: 'number',
    additive: false,
    value: (f) => divide(f.purchaseUnits, f.orders),
    ratio: { numerator: (f) => f.purchaseUnits, denominator: (f) => f.orders },
    definition: `Items per order: merchandise units per purchase order, as ordered; ${GUESTS_IN}.`,
  },
  spendPerCustomer: {
    source: 'sales',
    label: 'Spend per customer',
    words: 'spend per customer',
    format: 'money',
    additive: false,
    value: (f) => divide(f.customerPurchaseValue, f.customers),
    ratio: { numerator: (f) => f.customerPurchaseValue, denominator: (f) => f.customers },
    definition:
      'Spend per customer: merchandise that named customers ordered in the period (as ordered), divided by the number of those customers; guest checkouts left out.',
  },
  ordersPerCustomer: {
    source: 'sales',
    label: 'Orders per customer',
    words: 'orders per customer',
    format: 'number',
    additive: false,
    value: (f) => divide(f.customerOrders, f.customers),
    ratio: { numerator: (f) => f.customerOrders, denominator: (f) => f.customers },
    definition:
      'Orders per customer: purchase orders of named customers in the period divided by the number of those customers.',
  },
  repeatRate: {
    source: 'sales',
    label: 'Repeat-purchase rate',
    words: 'repeat-purchase rate',
    format: 'percent',
    additive: false,
    value: (f) => divide(f.repeatCustomers, f.customers),
    ratio: { numerator: (f) => f.repeatCustomers ?? 0, denominator: (f) => f.customers },
    definition:
      "Repeat-purchase rate: share of the period's customers who bought on two or more different days within it (guest checkouts not counted).",
  },
  returnRate: {
    source: 'sales',
    label: 'Cancellation and return rate',
    words: 'cancellation and return rate',
    format: 'percent',
    additive: false,
    value: (f) => divide(f.cancelledValue, f.purchaseValue),
    ratio: { numerator: (f) => f.cancelledValue, denominator: (f) => f.purchaseValue },
    definition:
      'Cancellation and return rate: merchandise value cancelled or returned in the period as a share of merchandise value ordered in it. Online Retail records returns as cancellation invoices, so both are counted together.',
  },
  cancelledValue: {
    source: 'sales',
    label: 'Cancelled and returned value',
    words: 'cancelled and returned value',
    format: 'money',
    additive: true,
    value: (f) => f.cancelledValue,
    definition:
      'Cancelled and returned value: merchandise value of cancellation and return invoices dated in the period.',
  },
  cancellations: {
    source: 'sales',
    label: 'Cancellations and returns',
    words: 'cancellations and returns',
    format: 'number',
    additive: true,
    value: (f) => f.cancellations,
    definition:
      'Cancellations and returns: cancellation and return invoices with merchandise, dated in the period.',
  },
  churnRisk: {
    source: 'scores',
    label: 'Churn risk',
    words: 'churn risk',
    format: 'percent',
    value: (f) => f.churnRisk,
    definition:
      "Churn risk: the churn model's probability that a customer stops buying, averaged over customers, from the latest training (a forecast; lost customers count what happened).",
  },
  clv: {
    source: 'scores',
    label: 'Lifetime value',
    words: 'average lifetime value',
    format: 'money',
    value: (f) => f.clv,
    definition:
      "Lifetime value: the model's forecast of what a customer will spend (BG/NBD with Gamma-Gamma), averaged over customers, from the latest training.",
  },
  totalClv: {
    source: 'scores',
    label: 'Total lifetime value',
    words: 'total lifetime value',
    format: 'money',
    value: (f) => f.totalClv,
    definition:
      "Total lifetime value: the model's forecast of what the customers will spend (BG/NBD with Gamma-Gamma), summed, from the latest training.",
  },
};

/** Other measures shown next to the one asked for, so that a table answers the next question too. */
export function companions(measure: Measure, dimension: string | undefined): Measure[] {
  const def = MEASURE_DEFINITIONS[measure];
  if (def.source !== 'sales') return [];
  const pool: Measure[] =
    dimension === 'product' ? ['revenue', 'units', 'orders'] : ['revenue', 'orders', 'customers'];
  return pool.filter((m) => m !== measure).slice(0, 2);
}
