/**
 * The customer x product matrix of implicit feedback, in compressed sparse rows (per customer)
 * and columns (per product), plus the baskets (orders) for co-purchase statistics.
 *
 * One order counts once per product however many units it had: many customers are wholesalers
 * and quantities would drown everyone else. Each order's contribution decays with its age at the
 * end of training (half-life in days), so last month's purchases say more than last year's.
 */
import { DAY_MS, type CatalogueItem, type TrainingData } from './types';

export interface InteractionOptions {
  /** Half-life of an order's weight in days; Infinity means no decay (plain counts). */
  halfLifeDays: number;
}

export interface Interactions {
  asOf: number;
  itemSkus: string[];
  itemIndex: Map<string, number>;
  customerIds: string[];
  customerIndex: Map<string, number>;
  /** CSR by customer: items, decayed weights, number of orders, last purchase time. */
  userPtr: Int32Array;
  userItems: Int32Array;
  userWeights: Float32Array;
  userOrders: Int32Array;
  userLastAt: Float64Array;
  /** CSC by item: customers and the same weights. */
  itemPtr: Int32Array;
  itemUsers: Int32Array;
  itemWeights: Float32Array;
  /** Baskets (one per order, guests included): items of each order. */
  basketPtr: Int32Array;
  basketItems: Int32Array;
}

/** Only real products are recommendable or used as evidence (no postage, fees, vouchers...). */
export function productUniverse(data: TrainingData): string[] {
  const kinds = new Map<string, CatalogueItem['kind']>(data.catalogue.map((c) => [c.sku, c.kind]));
  const skus = new Set<string>();
  for (const c of data.catalogue) if (c.kind === 'product') skus.add(c.sku);
  for (const p of data.purchases) if ((kinds.get(p.sku) ?? 'product') === 'product') skus.add(p.sku);
  return [...skus].sort();
}

export function buildInteractions(
  data: TrainingData,
  options: InteractionOptions,
  itemSkus = productUniverse(data),
): Interactions {
  const itemIndex = new Map(itemSkus.map((s, i) => [s, i] as [string, number]));
  const nItems = itemSkus.length;
  const customerIds: string[] = [];
  const customerIndex = new Map<string, number>();
  const decayRate = Number.isFinite(options.halfLifeDays) ? Math.LN2 / (options.halfLifeDays * DAY_MS) : 0;

  // Pair accumulation keyed by customer * nItems + item.
  const pairSlot = new Map<number, number>();
  const pairUser: number[] = [];
  const pairItem: number[] = [];
  const pairWeight: number[] = [];
  const pairOrders: number[] = [];
  const pairLastAt: number[] = [];
  const pairLastOrder: string[] = [];
  const basketOf = new Map<string, number[]>();

  for (const p of data.purchases) {
    if (p.at >= data.asOf || p.quantity <= 0) continue;
    const item = itemIndex.get(p.sku);
    if (item === undefined) continue;
    let basket = basketOf.get(p.orderId);
    if (!basket) basketOf.set(p.orderId, (basket = []));
    if (!basket.includes(item)) basket.push(item);
    if (p.customer === null) continue;
    let u = customerIndex.get(p.customer);
    if (u === undefined) {
      u = customerIds.length;
      customerIds.push(p.customer);
      customerIndex.set(p.customer, u);
    }
    const key = u * nItems + item;
    let slot = pairSlot.get(key);
    if (slot === undefined) {
      slot = pairUser.length;
      pairSlot.set(key, slot);
      pairUser.push(u);
      pairItem.push(item);
      pairWeight.push(0);
      pairOrders.push(0);
      pairLastAt.push(0);
      pairLastOrder.push('');
    }
    if (pairLastOrder[slot] === p.orderId) continue; // same product twice in one order
    pairLastOrder[slot] = p.orderId;
    pairWeight[slot] += Math.exp(-decayRate * (data.asOf - p.at));
    pairOrders[slot] += 1;
    if (p.at > pairLastAt[slot]) pairLastAt[slot] = p.at;
  }

  const nUsers = customerIds.length;
  const nnz = pairUser.length;
  const userPtr = new Int32Array(nUsers + 1);
  const itemPtr = new Int32Array(nItems + 1);
  for (let s = 0; s < nnz; s++) {
    userPtr[pairUser[s] + 1]++;
    itemPtr[pairItem[s] + 1]++;
  }
  for (let u = 0; u < nUsers; u++) userPtr[u + 1] += userPtr[u];
  for (let i = 0; i < nItems; i++) itemPtr[i + 1] += itemPtr[i];
  const userItems = new Int32Array(nnz);
  const userWeights = new Float32Array(nnz);
  const userOrders = new Int32Array(nnz);
  const userLastAt = new Float64Array(nnz);
  const itemUsers = new Int32Array(nnz);
  const itemWeights = new Float32Array(nnz);
  // Fill in (user, item) order so rows come out sorted by item and columns by user.
  const order = Array.from({ length: nnz }, (_, s) => s).sort(
    (a, b) => pairUser[a] - pairUser[b] || pairItem[a] - pairItem[b],
  );
  const uFill = userPtr.slice(0, nUsers);
  const iFill = itemPtr.slice(0, nItems);
  for (const s of order) {
    const u = pairUser[s];
    const i = pairItem[s];
    const a = uFill[u]++;
    userItems[a] = i;
    userWeights[a] = pairWeight[s];
    userOrders[a] = pairOrders[s];
    userLastAt[a] = pairLastAt[s];
    const b = iFill[i]++;
    itemUsers[b] = u;
    itemWeights[b] = pairWeight[s];
  }

  const basketList = [...basketOf.values()];
  const basketPtr = new Int32Array(basketList.length + 1);
  basketList.forEach((b, k) => (basketPtr[k + 1] = basketPtr[k] + b.length));
  const basketItems = new Int32Array(basketPtr[basketList.length]);
  basketList.forEach((b, k) =>
    basketItems.set(
      b.sort((x, y) => x - y),
      basketPtr[k],
    ),
  );

  return {
    asOf: data.asOf,
    itemSkus,
    itemIndex,
    customerIds,
    customerIndex,
    userPtr,
    userItems,
    userWeights,
    userOrders,
    userLastAt,
    itemPtr,
    itemUsers,
    itemWeights,
    basketPtr,
    basketItems,
  };
}

/** Binary search in a customer's sorted product list. */
export function hasBought(items: Int32Array, start: number, end: number, j: number): boolean {
  let lo = start;
  let hi = end - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid] === j) return true;
    if (items[mid] < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
