/**
 * A question about the shop's figures as plain, JSON-serialisable data: what to compute
 * (measure), how to shape it (a figure, a ranking, a breakdown, a trend or a comparison), over
 * which period and for whom. The dialog keeps the last one in conversation state so that
 * follow-ups ("and in France?") can change one part of it.
 */

export const MEASURES = [
  'revenue',
  'orders',
  'units',
  'customers',
  'newCustomers',
  'returningCustomers',
  'repeatCustomers',
  'lostCustomers',
  'churnRate',
  'retentionRate',
  'aov',
  'itemsPerOrder',
  'spendPerCustomer',
  'ordersPerCustomer',
  'repeatRate',
  'returnRate',
  'cancelledValue',
  'cancellations',
  'churnRisk',
  'clv',
  'totalClv',
] as const;
export type Measure = (typeof MEASURES)[number];

export const TIME_DIMENSIONS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];

export const DIMENSIONS = [
  'country',
  'product',
  'customer',
  'segment',
  'stage',
  'customerType',
  ...TIME_DIMENSIONS,
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export type Shape = 'figure' | 'ranking' | 'breakdown' | 'trend' | 'comparison';

/** Dates are ISO (YYYY-MM-DD, UTC); `to` is exclusive. */
export interface Period {
  from: string;
  to: string;
  /** The words it was read from ("since march"), for the answer's statement. */
  text?: string;
}

export interface AmountRange {
  /** Exclusive lower bound. */
  min?: number;
  /** Exclusive upper bound. */
  max?: number;
}

export type CustomerKind = 'new' | 'returning' | 'guest' | 'registered';

export interface ProductRef {
  code: string;
  name: string;
}

export interface QueryFilters {
  countries?: string[];
  excludeCountries?: string[];
  segments?: string[];
  stages?: string[];
  products?: ProductRef[];
  /** Words of product names: every product whose name has them all ("christmas", "bag"). */
  productWords?: string[];
  customerKind?: CustomerKind;
  /** Orders whose merchandise value is in the range ("orders over £500"). */
  orderValue?: AmountRange;
  /** Customers whose spend in the period is in the range ("customers who spent over £500"). */
  customerSpend?: AmountRange;
}

/** Two or more sides, in the order they were asked. */
export type Comparison =
  | { by: 'period'; periods: Period[] }
  | { by: 'country' | 'segment' | 'stage' | 'customerType'; members: string[] }
  | { by: 'product'; members: ProductRef[] };

export interface QuerySpec {
  measure: Measure;
  shape: Shape;
  dimension?: Dimension;
  /** Absent: all the data (or the measure's default period, which the answer states). */
  period?: Period;
  filters: QueryFilters;
  comparison?: Comparison;
  /** "top 5": the number of rows asked for. */
  limit?: number;
  order: 'desc' | 'asc';
  /** Rows sorted by another measure than the one shown first ("sort by revenue"). */
  sortBy?: Measure;
  /** 0-based page of rows shown ("show me more" turns it). */
  page: number;
  /** A figure as a share of the same figure for the whole shop ("what share of revenue comes from the UK"). */
  share?: boolean;
  /** How the words were read: corrected typos, defaults and assumptions, in words. */
  notes: string[];
}

export type Understanding =
  | { kind: 'query'; spec: QuerySpec }
  | { kind: 'followup'; spec: QuerySpec; action?: 'more' | 'why' | 'export' }
  | { kind: 'unsupported'; reason: string };

/** Measures read from the stored per-customer scores (as of one date), not from orders. */
export const SCORE_MEASURES: readonly Measure[] = ['churnRisk', 'clv', 'totalClv'];
/** Measures about customers who stopped buying: one period against the one before. */
export const LOST_MEASURES: readonly Measure[] = ['lostCustomers', 'churnRate', 'retentionRate'];
/** Measures that compare a customer's first purchase with the period. */
export const FLOW_MEASURES: readonly Measure[] = ['newCustomers', 'returningCustomers', ...LOST_MEASURES];

export const isTimeDimension = (d: Dimension | undefined): d is TimeDimension =>
  !!d && (TIME_DIMENSIONS as readonly string[]).includes(d);

/**
 * Why a measure cannot be shown this way, in words, or null when it can. Shared by the
 * understanding (to say so at once) and the analyst (which never computes a meaningless table).
 */
export function unsupportedCombination(
  spec: Pick<QuerySpec, 'measure' | 'dimension' | 'filters'>,
): string | null {
  const { measure, dimension, filters } = spec;
  const scores = SCORE_MEASURES.includes(measure);
  const lost = LOST_MEASURES.includes(measure);
  if (scores && isTimeDimension(dimension))
    return 'Churn risk and lifetime value are scores of each customer as of the latest training, not figures per day, week or month, so they have no trend. I can show them by country, segment or lifecycle stage.';
  if (scores && (dimension === 'product' || dimension === 'customerType' || dimension === 'customer'))
    return `Churn risk and lifetime value belong to customers, so I can show them by country, segment or lifecycle stage, not by ${dimensionWords(dimension)}.`;
  if (lost && (dimension === 'product' || dimension === 'customerType' || dimension === 'customer'))
    return `Lost customers are counted per customer, so I can show them by country, segment, lifecycle stage or over time, not by ${dimensionWords(dimension)}.`;
  if (
    (measure === 'aov' || measure === 'itemsPerOrder') &&
    (dimension === 'product' || filters.products?.length)
  )
    return 'An order holds many products, so average order value and items per order are not meaningful per product. I can show revenue, units, orders or customers per product.';
  if (
    dimension === 'product' &&
    ['newCustomers', 'returningCustomers', 'repeatCustomers', 'repeatRate', 'ordersPerCustomer'].includes(
      measure,
    )
  )
    return 'I count new, returning and repeat customers for the whole shop, not per product. I can show how many customers bought each product.';
  if ((lost || scores) && (filters.orderValue || filters.customerSpend))
    return 'Amount filters ("over £500") apply to orders and spend in a period, not to churn, lifetime value or lost customers.';
  if ((lost || scores) && filters.customerKind && filters.customerKind !== 'registered')
    return 'New, returning and guest customers are defined by orders in a period; churn risk, lifetime value and lost customers are not split that way.';
  return null;
}

function dimensionWords(d: Dimension | undefined): string {
  switch (d) {
    case 'customerType':
      return 'new vs returning customers';
    case 'stage':
      return 'lifecycle stage';
    case undefined:
      return '';
    default:
      return d;
  }
}
