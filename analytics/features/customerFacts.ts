/**
 * Readable facts about one customer as of a date, computed only from orders strictly before it.
 * These feed RFM, the churn model (after the transforms in churnFeatures.ts) and the sentences
 * that explain a churn score to a marketer.
 */
import { DAY_MS, dayOf, type CustomerHistory } from '../history';

export interface CustomerFacts {
  customerId: number;
  country: string | null;
  /** Days from the last purchase to the as-of date. */
  recencyDays: number;
  /** Days from the first purchase to the as-of date. */
  tenureDays: number;
  /** Distinct purchase days (several invoices on one day are one occasion). */
  frequency: number;
  /** Purchase orders (invoices). */
  orders: number;
  /** Net merchandise value: purchases minus cancellations and returns (never below 0). */
  monetary: number;
  /** Value of purchases alone. */
  grossValue: number;
  /** Mean days between purchase days; null with a single purchase day. */
  meanIntervalDays: number | null;
  /** Standard deviation of the gaps; null with fewer than three purchase days. */
  intervalStdDays: number | null;
  /** Purchase days in the last 30 and 90 days, and in the 90 days before those. */
  purchasesLast30: number;
  purchasesLast90: number;
  purchasesPrior90: number;
  /** Share of the purchase value cancelled or returned (0..1). */
  returnShare: number;
  /** Mean units and distinct products per purchase order. */
  meanUnits: number;
  meanProducts: number;
  /** Distinct products ever bought. */
  productBreadth: number;
  /** For BG/NBD: repeat purchase days, day of the last minus the first, days since the first. */
  repeatPurchases: number;
  recencySpanDays: number;
  ageDays: number;
  /** Mean value per purchase day (for Gamma-Gamma). */
  meanDayValue: number;
  /** Mean value of repeat purchase days only (the Gamma-Gamma convention); 0 without repeats. */
  meanRepeatValue: number;
  /**
   * How much the products this customer buys are in demand right now: for each distinct product
   * they ever bought, the share of the other customers active in the last DEMAND_WINDOW_DAYS
   * who bought it in that window; the geometric mean of those shares (each smoothed as
   * (buyers + 1) / (active + 1)). Null when computed without the other customers (customerFacts
   * on one history); allCustomerFacts always fills it.
   */
  productDemandShare: number | null;
}

/** The window over which "in demand right now" is measured. */
export const DEMAND_WINDOW_DAYS = 30;

/**
 * Who bought what in the last DEMAND_WINDOW_DAYS before a date: per product, the customers who
 * bought it on a purchase order in [asOf - window, asOf), and how many customers bought anything.
 */
export interface ProductDemand {
  activeCustomers: number;
  buyers: Map<number, number>;
  /** The start of the window (ms); orders at or after it and before asOf count. */
  from: number;
}

/** The shop's recent product demand as of `asOf`, from orders strictly before it. */
export function productDemandAt(customers: CustomerHistory[], asOf: number): ProductDemand {
  const from = asOf - DEMAND_WINDOW_DAYS * DAY_MS;
  const buyers = new Map<number, number>();
  let activeCustomers = 0;
  for (const c of customers) {
    const bought = recentProducts(c, from, asOf);
    if (bought === null) continue;
    activeCustomers++;
    for (const p of bought) buyers.set(p, (buyers.get(p) ?? 0) + 1);
  }
  return { activeCustomers, buyers, from };
}

/** Distinct products the customer bought in [from, before); null when they made no purchase there. */
function recentProducts(history: CustomerHistory, from: number, before: number): Set<number> | null {
  let active = false;
  const products = new Set<number>();
  for (const o of history.orders) {
    if (o.t >= before) break;
    if (o.t < from || o.kind !== 'purchase') continue;
    active = true;
    for (const p of o.products) products.add(p);
  }
  return active ? products : null;
}

/**
 * The geometric mean over `products` of the share of the other recently active customers who
 * bought each one (see CustomerFacts.productDemandShare). The customer's own recent purchases are
 * left out, so the figure says what everybody else is buying, not how recently this customer bought.
 */
function demandShare(
  history: CustomerHistory,
  products: Set<number>,
  demand: ProductDemand,
  asOf: number,
): number {
  const own = recentProducts(history, demand.from, asOf);
  const others = demand.activeCustomers - (own === null ? 0 : 1);
  if (products.size === 0) return 1 / (others + 1);
  let sumLog = 0;
  for (const p of products) {
    const buyers = (demand.buyers.get(p) ?? 0) - (own?.has(p) ? 1 : 0);
    sumLog += Math.log((buyers + 1) / (others + 1));
  }
  return Math.exp(sumLog / products.size);
}

/**
 * Facts as of `asOf` (ms) for a customer, or null when they had no purchase before it.
 * Time is measured in days; the as-of date counts as day boundaries in UTC.
 */
export function customerFacts(
  history: CustomerHistory,
  asOf: number,
  demand?: ProductDemand,
): CustomerFacts | null {
  const asOfDay = asOf / DAY_MS;
  const dayValues: number[] = [];
  const days: number[] = [];
  const products = new Set<number>();
  let orders = 0;
  let gross = 0;
  let negative = 0;
  let units = 0;
  let productsPerOrder = 0;
  let lastT = -Infinity;
  let firstT = Infinity;
  for (const o of history.orders) {
    if (o.t >= asOf) break;
    if (o.kind !== 'purchase') {
      negative += -o.value;
      continue;
    }
    orders++;
    gross += o.value;
    units += o.units;
    productsPerOrder += o.products.length;
    for (const p of o.products) products.add(p);
    if (o.t > lastT) lastT = o.t;
    if (o.t < firstT) firstT = o.t;
    const d = dayOf(o.t);
    if (days.length === 0 || days[days.length - 1] !== d) {
      days.push(d);
      dayValues.push(o.value);
    } else {
      dayValues[dayValues.length - 1] += o.value;
    }
  }
  if (orders === 0) return null;

  const frequency = days.length;
  const gaps: number[] = [];
  for (let i = 1; i < days.length; i++) gaps.push(days[i] - days[i - 1]);
  const meanInterval = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null;
  let intervalStd: number | null = null;
  if (gaps.length >= 2 && meanInterval !== null) {
    intervalStd = Math.sqrt(gaps.reduce((a, g) => a + (g - meanInterval) ** 2, 0) / (gaps.length - 1));
  }
  const countSince = (fromDay: number, toDay: number) => days.filter((d) => d >= fromDay && d < toDay).length;
  const todayIndex = Math.ceil(asOfDay);
  const repeatValues = dayValues.slice(1);
  const firstDay = days[0];
  const lastDay = days[days.length - 1];

  return {
    customerId: history.customerId,
    country: history.country,
    recencyDays: (asOf - lastT) / DAY_MS,
    tenureDays: (asOf - firstT) / DAY_MS,
    frequency,
    orders,
    monetary: Math.max(0, gross - Math.max(0, negative)),
    grossValue: gross,
    meanIntervalDays: meanInterval,
    intervalStdDays: intervalStd,
    purchasesLast30: countSince(todayIndex - 30, todayIndex),
    purchasesLast90: countSince(todayIndex - 90, todayIndex),
    purchasesPrior90: countSince(todayIndex - 180, todayIndex - 90),
    returnShare: gross > 0 ? Math.min(1, Math.max(0, negative) / gross) : 0,
    meanUnits: units / orders,
    meanProducts: productsPerOrder / orders,
    productBreadth: products.size,
    repeatPurchases: frequency - 1,
    recencySpanDays: lastDay - firstDay,
    ageDays: asOfDay - firstDay,
    meanDayValue: gross / frequency,
    meanRepeatValue: repeatValues.length ? repeatValues.reduce((a, b) => a + b, 0) / repeatValues.length : 0,
    productDemandShare: demand ? demandShare(history, products, demand, asOf) : null,
  };
}

/** Facts for every customer with a purchase before `asOf` (product demand measured among them). */
export function allCustomerFacts(customers: CustomerHistory[], asOf: number): CustomerFacts[] {
  const demand = productDemandAt(customers, asOf);
  const out: CustomerFacts[] = [];
  for (const c of customers) {
    const f = customerFacts(c, asOf, demand);
    if (f) out.push(f);
  }
  return out;
}
