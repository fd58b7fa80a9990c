/**
 * What the shop's data names, for the language model's entity extraction: customer ids,
 * countries and the product catalogue. Shared by the bot and `retain nlp understand --with-data`.
 */
import type { OrderHistoryRepository } from '../data/repositories/orderHistory';
import type { Gazetteer } from '../nlp/entities/extract';

export function shopGazetteer(orders: OrderHistoryRepository): Gazetteer {
  const customers = orders.listCustomers();
  return {
    customerIds: customers.map((c) => c.externalId),
    countries: [...new Set(customers.map((c) => c.country).filter((c): c is string => !!c))],
    products: orders
      .listProducts()
      .filter((p) => p.kind === 'product' && p.description)
      .map((p) => ({ code: p.sku, name: p.description! })),
  };
}
