/**
 * Baskets from the shop's orders: one basket per order, real products only (postage, fees,
 * vouchers and the like would pair with everything and say nothing).
 */
import type { CatalogueItem, Purchase } from '../recs/types';

export function basketsFromPurchases(purchases: Purchase[], catalogue: CatalogueItem[]): string[][] {
  const kind = new Map(catalogue.map((c) => [c.sku, c.kind]));
  const byOrder = new Map<string, Set<string>>();
  for (const p of purchases) {
    if (p.quantity <= 0 || (kind.get(p.sku) ?? 'product') !== 'product') continue;
    let basket = byOrder.get(p.orderId);
    if (!basket) byOrder.set(p.orderId, (basket = new Set()));
    basket.add(p.sku);
  }
  return [...byOrder.values()].map((b) => [...b]);
}
