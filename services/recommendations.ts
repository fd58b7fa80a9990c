/**
 * Recommendations for chat: the loaded recommender model (swapped after a retrain), asked for a
 * customer's picks, similar items, or the cold-start answer for visitors nobody knows yet.
 */
import type { CustomerRecord } from '../data/repositories/orderHistory';
import {
  recommend,
  similarItems,
  type RecsModel,
  type RecommendResult,
  type SimilarItem,
} from '../analytics/recs';

export interface RecommendOptions {
  k?: number;
  minPrice?: number;
  maxPrice?: number;
  /** Products not to suggest again (already shown in this conversation). */
  exclude?: string[];
}

export class RecommendationService {
  private loaded: { model: RecsModel | null } | null = null;

  /** `load` gives the model trained last (null: unavailable until one is trained). */
  constructor(private readonly load: () => RecsModel | null) {}

  /** Loaded on first use, so commands that never recommend never read the model file. */
  private get model(): RecsModel | null {
    if (!this.loaded) this.loaded = { model: this.load() };
    return this.loaded.model;
  }

  /** Reads the model again now (after a retrain); keeps the old one if none can be read. */
  reload(): void {
    const previous = this.loaded?.model ?? null;
    this.loaded = { model: this.load() ?? previous };
  }

  get available(): boolean {
    return this.model !== null;
  }

  /** Picks for a known customer, or the cold-start answer (popular and trending) for anyone else. */
  forCustomer(customer: CustomerRecord | undefined, options: RecommendOptions = {}): RecommendResult | null {
    if (!this.model) return null;
    const k = options.k ?? 5;
    const exclude = new Set(options.exclude ?? []);
    const result = recommend(this.model, customer?.externalId ?? '', {
      k: k + exclude.size,
      minPrice: options.minPrice,
      maxPrice: options.maxPrice,
      country: customer?.country ?? null,
    });
    return { ...result, items: result.items.filter((i) => !exclude.has(i.sku)).slice(0, k) };
  }

  /** By the shop's customer id, as the marketer's customer view asks for it. */
  forExternalId(externalId: string, k = 3): RecommendResult | null {
    return this.model ? recommend(this.model, externalId, { k }) : null;
  }

  similar(sku: string, k = 5): SimilarItem[] | null {
    return this.model ? similarItems(this.model, sku, k) : null;
  }
}
