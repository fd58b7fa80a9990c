/**
 * The recommender the shop uses, as plain data: item-kNN (recency-decayed co-purchases), ALS,
 * content similarity and popularity, blended with weights chosen on a validation window at the
 * end of the training period (train.ts). Serving (recommend.ts) and the reasons it gives
 * (reasons.ts) read only this model, so every reason can be checked against the raw orders.
 */
import type { ItemKnnModel, ItemKnnOptions } from './itemKnn';
import type { AlsModel, AlsOptions } from './als';
import type { ContentModel } from './content';
import type { PopularityModel } from './popularity';
import type { RankingMetrics } from './metrics';

export const RECS_MODEL_VERSION = 'recs-hybrid-1';

export interface RecsParams {
  /** Half-life of a purchase's weight (days) for kNN and ALS; chosen from the candidates when given. */
  halfLifeDays: number;
  /** Half-lives tried on the validation window (by item-kNN alone, which is cheap to refit). */
  halfLifeCandidates: number[];
  knn: ItemKnnOptions;
  als: AlsOptions;
  contentNeighbours: number;
  popularityWindowDays: number;
  /** Length of the validation window at the end of the training period (days). */
  validationDays: number;
  /** Step of the weight grid searched on the validation window. */
  weightStep: number;
}

/**
 * Defaults from the literature and common practice (Hu et al. 2008 for ALS; 30-day popularity
 * windows), not tuned on any evaluation period.
 */
export const DEFAULT_PARAMS: RecsParams = {
  halfLifeDays: 90,
  halfLifeCandidates: [30, 90, 180, 365],
  knn: { neighbours: 50, binary: false, damping: true },
  als: { factors: 32, iterations: 10, regularization: 0.1, alpha: 20, seed: 42 },
  contentNeighbours: 20,
  popularityWindowDays: 30,
  validationDays: 30,
  weightStep: 0.1,
};

export const COMPONENTS = ['knn', 'als', 'content', 'popularity'] as const;
export type Component = (typeof COMPONENTS)[number];
export type BlendWeights = Record<Component, number>;

export interface RecsModel {
  version: string;
  asOf: number;
  params: RecsParams;
  weights: BlendWeights;
  /** Validation metrics of the chosen blend (on the window before asOf). */
  validation: RankingMetrics | null;
  items: {
    skus: string[];
    descriptions: Array<string | null>;
    /** Price of the latest sale; NaN when unknown. */
    prices: Float64Array;
    availableIn: Array<string[] | null>;
  };
  customers: { ids: string[]; country: Array<string | null> };
  /** Each customer's purchases: products, decayed weights, orders, last purchase time (CSR). */
  history: {
    ptr: Int32Array;
    items: Int32Array;
    weights: Float32Array;
    orders: Int32Array;
    lastAt: Float64Array;
  };
  knn: ItemKnnModel;
  als: AlsModel;
  content: ContentModel;
  popularity: PopularityModel;
  itemIndex: Map<string, number>;
  customerIndex: Map<string, number>;
}
