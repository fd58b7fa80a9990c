/**
 * What the recommendation models are trained on. Plain data, built by data/repositories/recsData.ts
 * from the database (or by tests and benchmarks directly); the models never read SQLite.
 */
import type { ProductKind } from '../../data/repositories/orderHistory';

export interface Purchase {
  /** The shop's customer id (e.g. '12347'); null for guest checkouts (used for baskets only). */
  customer: string | null;
  /** Order (invoice) the line belongs to: lines sharing it form one basket. */
  orderId: string;
  sku: string;
  /** Milliseconds since the epoch (UTC). */
  at: number;
  quantity: number;
}

export interface CatalogueItem {
  sku: string;
  description: string | null;
  kind: ProductKind;
  /** Price of the most recent sale, in the shop's currency; null when never sold at a price. */
  lastUnitPrice: number | null;
  /** Countries the product can be shipped to, when the shop knows; null or absent: everywhere. */
  availableIn?: string[] | null;
}

export interface TrainingData {
  /** Purchases (not cancellations or returns) strictly before `asOf`, in time order. */
  purchases: Purchase[];
  catalogue: CatalogueItem[];
  /** Country of each known customer, when known (used by the availability filter). */
  customerCountry?: Record<string, string | null>;
  /** End of the training period (ms since the epoch, exclusive). */
  asOf: number;
}

export const DAY_MS = 86_400_000;
