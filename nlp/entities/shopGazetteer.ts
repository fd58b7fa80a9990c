/**
 * What the shop's data names, for entity extraction: customer ids, countries, the product
 * catalogue, and the segment and stage names marketers use. Built from plain records, so the
 * language side never reads the database; the bot and `retain nlp understand --with-data` share it.
 */
import type { Gazetteer } from './extract';

export interface ShopVocabularySource {
  customers: Array<{ externalId: string; country: string | null }>;
  products: Array<{ sku: string; description: string | null; kind: string }>;
  /** Segment names, and lifecycle stages a marketer names like segments ("lapsed"). */
  segments: string[];
}

export function shopGazetteer(source: ShopVocabularySource): Gazetteer {
  return {
    customerIds: source.customers.map((c) => c.externalId),
    countries: [...new Set(source.customers.map((c) => c.country).filter((c): c is string => !!c))],
    products: source.products
      .filter((p) => p.kind === 'product' && p.description)
      .map((p) => ({ code: p.sku, name: p.description! })),
    segments: source.segments,
  };
}
