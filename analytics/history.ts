/**
 * Compact per-customer order histories, built once from the order lines that
 * OrderHistoryRepository.iterateLines streams (or from any iterable of the same shape: tests and
 * the benchmark generate them). Every model in analytics/ reads these histories "as of" a date:
 * it only ever looks at orders strictly before that date (see asOf.ts).
 *
 * Money: an order's value is the sum of quantity x unit price over merchandise lines (products,
 * discounts, vouchers). Postage, fees and manual adjustments are left out because they say little
 * about how much a customer wants the shop's goods. Cancellations and returns carry negative values.
 */
import type { OrderKind, ProductKind } from '../data/repositories/orderHistory';

export const DAY_MS = 86_400_000;

/** The fields of an order line the analytics need (a subset of OrderLineRecord). */
export interface LineInput {
  orderId: number | string;
  customerId: number | null;
  /** ISO-8601 string or milliseconds since the epoch. */
  orderedAt: string | number;
  orderKind: OrderKind;
  country: string | null;
  productId: number;
  productKind: ProductKind;
  quantity: number;
  unitPrice: number;
}

export interface OrderEvent {
  /** Milliseconds since the epoch (UTC). */
  t: number;
  kind: OrderKind;
  /** Merchandise value (negative for cancellations and returns). */
  value: number;
  /** Units of merchandise (absolute). */
  units: number;
  /** Distinct merchandise products on the order. */
  products: Int32Array;
}

export interface CustomerHistory {
  customerId: number;
  /** Country of the customer's most recent order. */
  country: string | null;
  /** Orders in time order. */
  orders: OrderEvent[];
}

export interface Histories {
  customers: CustomerHistory[];
  /** Time of the first and last order seen (ms), NaN when there are none. */
  firstAt: number;
  lastAt: number;
}

const MERCHANDISE: ReadonlySet<ProductKind> = new Set(['product', 'discount', 'voucher']);

function toMs(v: string | number): number {
  return typeof v === 'number' ? v : Date.parse(v);
}

/**
 * Groups order lines (in time order, as the repository streams them) into orders per customer.
 * Lines of guests (no customer) are skipped. Lines of one order must be consecutive.
 */
export function buildHistories(lines: Iterable<LineInput>): Histories {
  const byCustomer = new Map<number, CustomerHistory>();
  let firstAt = NaN;
  let lastAt = NaN;
  let currentOrder: unknown = undefined;
  let current: OrderEvent | undefined;
  let currentProducts: number[] = [];

  const closeOrder = () => {
    if (current) current.products = Int32Array.from(new Set(currentProducts));
    current = undefined;
    currentProducts = [];
  };

  for (const line of lines) {
    const t = toMs(line.orderedAt);
    if (Number.isNaN(firstAt) || t < firstAt) firstAt = t;
    if (Number.isNaN(lastAt) || t > lastAt) lastAt = t;
    if (line.customerId === null) continue;
    if (line.orderId !== currentOrder) {
      closeOrder();
      currentOrder = line.orderId;
      let history = byCustomer.get(line.customerId);
      if (!history) {
        history = { customerId: line.customerId, country: line.country, orders: [] };
        byCustomer.set(line.customerId, history);
      }
      if (line.country) history.country = line.country;
      current = { t, kind: line.orderKind, value: 0, units: 0, products: new Int32Array(0) };
      history.orders.push(current);
    }
    if (!current || !MERCHANDISE.has(line.productKind)) continue;
    current.value += line.quantity * line.unitPrice;
    current.units += Math.abs(line.quantity);
    if (line.productKind === 'product' && line.quantity > 0) currentProducts.push(line.productId);
  }
  closeOrder();

  const customers = [...byCustomer.values()];
  for (const c of customers) {
    // The repository streams in time order already; sorting is a cheap guard for other sources.
    let sorted = true;
    for (let i = 1; i < c.orders.length; i++) if (c.orders[i].t < c.orders[i - 1].t) sorted = false;
    if (!sorted) c.orders.sort((a, b) => a.t - b.t);
  }
  customers.sort((a, b) => a.customerId - b.customerId);
  return { customers, firstAt, lastAt };
}

/** Start of the UTC day of `t`: purchases are counted per day, like the BG/NBD literature does. */
export function dayOf(t: number): number {
  return Math.floor(t / DAY_MS);
}

/** True when the customer has a purchase in [from, before). */
export function purchasedBetween(history: CustomerHistory, from: number, before: number): boolean {
  for (const o of history.orders) {
    if (o.t >= before) return false;
    if (o.t >= from && o.kind === 'purchase') return true;
  }
  return false;
}

/** The same customers with only their orders strictly before `before` (customers left empty are dropped). */
export function truncateHistories(customers: CustomerHistory[], before: number): CustomerHistory[] {
  const out: CustomerHistory[] = [];
  for (const c of customers) {
    let n = 0;
    while (n < c.orders.length && c.orders[n].t < before) n++;
    if (n > 0) out.push({ ...c, orders: c.orders.slice(0, n) });
  }
  return out;
}
