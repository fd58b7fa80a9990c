/**
 * Erasure in a trained recommender: the same model without some customers' rows (their id,
 * country, purchase history and ALS factors), so a forgotten customer is not listed in a saved
 * model until the next retrain. Item-level figures (co-purchase counts, popularity) are sums
 * over everybody and name nobody; they stay until the next retrain, as they would for a guest
 * order.
 */
import type { RecsModel } from './model';

/** The model without the given customers; null when none of them is in it. */
export function withoutCustomers(model: RecsModel, externalIds: Iterable<string>): RecsModel | null {
  const drop = new Set<number>();
  for (const id of externalIds) {
    const u = model.customerIndex.get(id);
    if (u !== undefined) drop.add(u);
  }
  if (drop.size === 0) return null;

  const n = model.customers.ids.length;
  const kept: number[] = [];
  for (let u = 0; u < n; u++) if (!drop.has(u)) kept.push(u);

  const h = model.history;
  const entries = kept.reduce((sum, u) => sum + h.ptr[u + 1] - h.ptr[u], 0);
  const ptr = new Int32Array(kept.length + 1);
  const items = new Int32Array(entries);
  const weights = new Float32Array(entries);
  const orders = new Int32Array(entries);
  const lastAt = new Float64Array(entries);
  const f = model.als.factors;
  const userFactors = new Float32Array(kept.length * f);
  let at = 0;
  kept.forEach((u, row) => {
    const a = h.ptr[u];
    const b = h.ptr[u + 1];
    items.set(h.items.subarray(a, b), at);
    weights.set(h.weights.subarray(a, b), at);
    orders.set(h.orders.subarray(a, b), at);
    lastAt.set(h.lastAt.subarray(a, b), at);
    at += b - a;
    ptr[row + 1] = at;
    userFactors.set(model.als.userFactors.subarray(u * f, (u + 1) * f), row * f);
  });

  const ids = kept.map((u) => model.customers.ids[u]);
  return {
    ...model,
    customers: { ids, country: kept.map((u) => model.customers.country[u]) },
    history: { ptr, items, weights, orders, lastAt },
    als: { ...model.als, nUsers: kept.length, userFactors },
    customerIndex: new Map(ids.map((id, i) => [id, i] as [string, number])),
  };
}
