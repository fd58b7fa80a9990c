/** The shop's own names (customers, countries, products, segments) for the language model. */
import type { Store } from '../data/store';
import { DEFAULT_SEGMENT_RULES } from '../analytics/rfm/rfm';
import { STAGES } from '../analytics/stage/stage';
import { shopGazetteer } from '../nlp/entities/shopGazetteer';
import type { Gazetteer } from '../nlp/entities/extract';

/** Segment names, plus the lifecycle stage "lapsed" ("at risk" is already a segment name). */
export const SEGMENT_WORDS: string[] = [
  ...DEFAULT_SEGMENT_RULES.map((r) => r.name),
  ...STAGES.filter((s) => s === 'lapsed'),
];

export function shopVocabulary(store: Store): Gazetteer {
  return shopGazetteer({
    customers: store.orders.listCustomers(),
    products: store.orders.listProducts(),
    segments: SEGMENT_WORDS,
  });
}
