/**
 * Serving: the blended top products for a customer (with filters and cold start), for many
 * customers at once, and products similar to one product. Each item carries its reason.
 */
import type { AlsBatchScorer } from './alsBatch';
import { topK } from './topK';
import { Scorer } from './scorer';
import { explain, knnSlot, round, type Reason } from './reasons';
import { COMPONENTS, type Component, type RecsModel } from './model';

export interface RecommendOptions {
  k?: number;
  /** Leave out products the customer already bought (default true). */
  excludeBought?: boolean;
  minPrice?: number;
  maxPrice?: number;
  /** Ship-to country; products whose availability is known and excludes it are left out. */
  country?: string | null;
}

export interface Recommendation {
  rank: number;
  sku: string;
  description: string | null;
  unitPrice: number | null;
  score: number;
  /** Which model part contributed most to the score. */
  source: Component;
  reason: Reason;
}

export interface RecommendResult {
  customer: string;
  coldStart: boolean;
  items: Recommendation[];
}

/** Serving state allocated once per loaded model (scratch arrays; not thread-safe, Node is single-threaded). */
const scorers = new WeakMap<RecsModel, Scorer>();
function scorerFor(model: RecsModel): Scorer {
  let s = scorers.get(model);
  if (!s) scorers.set(model, (s = new Scorer(model, model.items.skus.length)));
  return s;
}

export function recommend(
  model: RecsModel,
  customer: string,
  options: RecommendOptions = {},
): RecommendResult {
  return recommendFor(model, customer, model.customerIndex.get(customer) ?? -1, options);
}

/**
 * recommend() for many customers, the same answers (up to float32 rounding of the ALS part):
 * their ALS scores come from one matrix product (see alsBatch.ts) instead of one loop each.
 */
export function recommendMany(
  model: RecsModel,
  customers: readonly string[],
  als: AlsBatchScorer,
  options: RecommendOptions = {},
): RecommendResult[] {
  const users = customers.map((c) => model.customerIndex.get(c) ?? -1);
  const known = users.filter((u) => u >= 0);
  const scores = als.scoreUsers(known);
  const n = model.items.skus.length;
  let row = 0;
  return customers.map((customer, i) => {
    let alsRow: Float32Array | undefined;
    if (users[i] >= 0) {
      alsRow = scores.subarray(row * n, (row + 1) * n);
      row++;
    }
    return recommendFor(model, customer, users[i], options, alsRow);
  });
}

function recommendFor(
  model: RecsModel,
  customer: string,
  u: number,
  options: RecommendOptions,
  alsRow?: Float32Array,
): RecommendResult {
  const k = options.k ?? 10;
  const excludeBought = options.excludeBought ?? true;
  const a = u >= 0 ? model.history.ptr[u] : 0;
  const b = u >= 0 ? model.history.ptr[u + 1] : 0;
  const histItems = model.history.items.subarray(a, b);
  const histWeights = model.history.weights.subarray(a, b);
  const coldStart = histItems.length === 0;
  const scorer = scorerFor(model);
  const s = scorer.score(u, histItems, histWeights, alsRow);
  const w = coldStart ? { knn: 0, als: 0, content: 0, popularity: 1 } : model.weights;
  const nItems = model.items.skus.length;
  const blended = scorer.blended;
  for (let j = 0; j < nItems; j++) {
    blended[j] =
      w.knn * s.knn[j] + w.als * s.als[j] + w.content * s.content[j] + w.popularity * s.popularity[j];
  }
  const country =
    options.country === undefined ? (u >= 0 ? model.customers.country[u] : null) : options.country;
  const accept = itemFilter(
    model,
    { ...options, country },
    excludeBought ? scorer.markBought(histItems) : undefined,
  );
  const top = topK(blended, k, accept);
  if (excludeBought) scorer.unmarkBought(histItems);
  const items = top.map((j, r) => {
    let source: Component = 'popularity';
    let bestPart = -1;
    for (const comp of COMPONENTS) {
      const part = w[comp] * s[comp][j];
      if (part > bestPart) {
        bestPart = part;
        source = comp;
      }
    }
    return {
      ...itemFacts(model, j, r, blended[j]),
      source,
      reason: explain(model, j, source, s.knnSource[j], s.contentSource[j]),
    };
  });
  return { customer, coldStart, items };
}

function itemFilter(model: RecsModel, o: RecommendOptions, bought?: Uint8Array): (j: number) => boolean {
  return (j) => {
    if (bought && bought[j]) return false;
    const price = model.items.prices[j];
    if (o.minPrice !== undefined && !(price >= o.minPrice)) return false;
    if (o.maxPrice !== undefined && !(price <= o.maxPrice)) return false;
    const avail = model.items.availableIn[j];
    if (o.country && avail && !avail.includes(o.country)) return false;
    return true;
  };
}

/** Products like this one: bought by the same customers, or described alike (new products). */
export interface SimilarItem {
  rank: number;
  sku: string;
  description: string | null;
  unitPrice: number | null;
  score: number;
  reason: Reason;
}

export function similarItems(model: RecsModel, sku: string, k = 10): SimilarItem[] | null {
  const i = model.itemIndex.get(sku);
  if (i === undefined) return null;
  const nItems = model.items.skus.length;
  const score = new Float64Array(nItems);
  const K = model.knn.neighbours;
  const C = model.content.neighbours;
  // Co-purchase similarity first; description similarity fills in, half-weighted, for products
  // with few or no buyers.
  for (let r = 0; r < K; r++) {
    const j = model.knn.nbrIdx[i * K + r];
    if (j < 0) break;
    score[j] += model.knn.nbrSim[i * K + r];
  }
  for (let r = 0; r < C; r++) {
    const j = model.content.nbrIdx[i * C + r];
    if (j < 0) break;
    score[j] += 0.5 * model.content.nbrSim[i * C + r];
  }
  const top = topK(score, k, (j) => j !== i && score[j] > 0);
  return top.map((j, r) => {
    const slot = knnSlot(model, i, j);
    const contentOnly = slot < 0;
    const reason = contentOnly
      ? explain(model, j, 'content', -1, i, false)
      : explain(model, j, 'knn', i, -1, false);
    return { ...itemFacts(model, j, r, score[j]), reason };
  });
}

/** What every listed item shows: its rank, identity, price and score. */
function itemFacts(model: RecsModel, j: number, rank: number, score: number) {
  const price = model.items.prices[j];
  return {
    rank: rank + 1,
    sku: model.items.skus[j],
    description: model.items.descriptions[j],
    unitPrice: Number.isNaN(price) ? null : price,
    score: round(score, 6),
  };
}
