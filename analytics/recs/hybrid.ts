/**
 * The recommender the shop uses: item-kNN (recency-decayed co-purchases), ALS, content
 * similarity and popularity, blended with weights chosen on a validation window at the end of
 * the training period (never on the period being predicted). Every recommendation carries a
 * reason built from numbers stored in the model, so it can be checked against the raw orders.
 */
import { buildInteractions, type Interactions } from './interactions';
import { scoreFromNeighbours } from './neighbours';
import { fitItemKnn, type ItemKnnModel, type ItemKnnOptions } from './itemKnn';
import { fitAls, scoreAls, type AlsModel, type AlsOptions } from './als';
import type { AlsBatchScorer } from './alsBatch';
import { fitContent, sharedWords, type ContentModel } from './content';
import { fitPopularity, isTrending, popularityScores, type PopularityModel } from './popularity';
import { topK } from './topK';
import { RankingAccumulator, type RankingMetrics } from './metrics';
import { DAY_MS, type TrainingData } from './types';
import { withDefaults } from '../../lib/options';

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

interface Components {
  m: Interactions;
  knn: ItemKnnModel;
  als: AlsModel;
  content: ContentModel;
  popularity: PopularityModel;
}

function fitComponents(
  data: TrainingData,
  params: RecsParams,
  itemSkus: string[],
  content: ContentModel,
): Components {
  const m = buildInteractions(data, { halfLifeDays: params.halfLifeDays }, itemSkus);
  return {
    m,
    knn: fitItemKnn(m, params.knn),
    als: fitAls(m, params.als),
    content,
    popularity: fitPopularity(data, m.itemIndex, params.popularityWindowDays),
  };
}

/** Products that can be recommended: real products (no postage, fees...) seen in the catalogue or sold. */
function itemUniverse(data: TrainingData): string[] {
  const kinds = new Map(data.catalogue.map((c) => [c.sku, c.kind]));
  const skus = new Set<string>();
  for (const c of data.catalogue) if (c.kind === 'product') skus.add(c.sku);
  for (const p of data.purchases)
    if (p.at < data.asOf && (kinds.get(p.sku) ?? 'product') === 'product') skus.add(p.sku);
  return [...skus].sort();
}

/** Below this many validation customers the choice would be noise: defaults are kept. */
const MIN_VALIDATION_CUSTOMERS = 20;

/**
 * The recency half-life that makes item-kNN best at predicting the validation window (ties: the
 * first candidate); null when there is no choice to make or too little data to make it.
 */
function chooseHalfLife(
  early: TrainingData,
  data: TrainingData,
  params: RecsParams,
  itemSkus: string[],
): number | null {
  if (params.halfLifeCandidates.length < 2) return null;
  let best: { h: number; key: number } | null = null;
  for (const h of params.halfLifeCandidates) {
    const m = buildInteractions(early, { halfLifeDays: h }, itemSkus);
    const truth = firstPurchasesAfter(m, data, early.asOf, data.asOf);
    if (truth.size < MIN_VALIDATION_CUSTOMERS) return null;
    const knn = fitItemKnn(m, params.knn);
    const n = itemSkus.length;
    const scores = new Float64Array(n);
    const source = new Int32Array(n);
    const contribution = new Float64Array(n);
    const acc = new RankingAccumulator(10);
    for (const u of [...truth.keys()].sort((x, y) => x - y)) {
      const a = m.userPtr[u];
      const b = m.userPtr[u + 1];
      scores.fill(0);
      contribution.fill(0);
      scoreFromNeighbours(
        knn,
        m.userItems.subarray(a, b),
        m.userWeights.subarray(a, b),
        scores,
        source,
        contribution,
      );
      acc.add(
        topK(scores, 10, (j) => scores[j] > 0 && !hasBought(m.userItems, a, b, j)),
        truth.get(u)!,
      );
    }
    const r = acc.result();
    const key = r['ndcg@10'] + r['hitRate@10'];
    if (!best || key > best.key + 1e-12) best = { h, key };
  }
  return best!.h;
}

/** Trains the hybrid: chooses the blend on the validation window, then refits on everything before asOf. */
export function fitRecs(data: TrainingData, overrides: Partial<RecsParams> = {}): RecsModel {
  const params: RecsParams = withDefaults(DEFAULT_PARAMS, overrides);
  const itemSkus = itemUniverse(data);
  const catalogue = new Map(data.catalogue.map((c) => [c.sku, c]));
  const descriptions = itemSkus.map((s) => catalogue.get(s)?.description ?? null);
  // Descriptions are known before any sale, so the content model is the same for both fits.
  const content = fitContent(descriptions, params.contentNeighbours);

  // Used only when the validation window is too thin to choose from (a tiny or new shop).
  let weights: BlendWeights = { knn: 0.4, als: 0.3, content: 0.1, popularity: 0.2 };
  let validation: RankingMetrics | null = null;
  const validationStart = data.asOf - params.validationDays * DAY_MS;
  const early: TrainingData = { ...data, asOf: validationStart };
  const halfLife = chooseHalfLife(early, data, params, itemSkus);
  if (halfLife !== null) params.halfLifeDays = halfLife;
  const earlyComponents = fitComponents(early, params, itemSkus, content);
  const truth = firstPurchasesAfter(earlyComponents.m, data, validationStart, data.asOf);
  if (truth.size >= MIN_VALIDATION_CUSTOMERS) {
    const chosen = chooseWeights(earlyComponents, truth, params.weightStep);
    weights = chosen.weights;
    validation = chosen.metrics;
  }

  const c = fitComponents(data, params, itemSkus, content);
  return {
    version: RECS_MODEL_VERSION,
    asOf: data.asOf,
    params,
    weights,
    validation,
    items: {
      skus: itemSkus,
      descriptions,
      prices: Float64Array.from(itemSkus, (s) => catalogue.get(s)?.lastUnitPrice ?? NaN),
      availableIn: itemSkus.map((s) => catalogue.get(s)?.availableIn ?? null),
    },
    customers: {
      ids: c.m.customerIds,
      country: c.m.customerIds.map((id) => data.customerCountry?.[id] ?? null),
    },
    history: {
      ptr: c.m.userPtr,
      items: c.m.userItems,
      weights: c.m.userWeights,
      orders: c.m.userOrders,
      lastAt: c.m.userLastAt,
    },
    knn: c.knn,
    als: c.als,
    content: c.content,
    popularity: c.popularity,
    itemIndex: c.m.itemIndex,
    customerIndex: c.m.customerIndex,
  };
}

/**
 * For each customer known in `m` who buys in [from, before): the products bought then that the
 * customer had never bought before `from` (index into m's products).
 */
export function firstPurchasesAfter(
  m: Interactions,
  data: TrainingData,
  from: number,
  before: number,
): Map<number, Set<number>> {
  const truth = new Map<number, Set<number>>();
  for (const p of data.purchases) {
    if (p.at < from || p.at >= before || p.customer === null || p.quantity <= 0) continue;
    const u = m.customerIndex.get(p.customer);
    const j = m.itemIndex.get(p.sku);
    if (u === undefined || j === undefined) continue;
    if (hasBought(m.userItems, m.userPtr[u], m.userPtr[u + 1], j)) continue;
    let set = truth.get(u);
    if (!set) truth.set(u, (set = new Set()));
    set.add(j);
  }
  return truth;
}

/** Binary search in a customer's sorted product list. */
function hasBought(items: Int32Array, start: number, end: number, j: number): boolean {
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

/** Per-component scores of every product for one customer, each scaled to [0, 1]. */
interface ComponentScores {
  knn: Float64Array;
  als: Float64Array;
  content: Float64Array;
  popularity: Float64Array;
  knnSource: Int32Array;
  contentSource: Int32Array;
}

class Scorer {
  private readonly s: ComponentScores;
  private readonly knnBest: Float64Array;
  private readonly contentBest: Float64Array;
  private readonly popularity: Float64Array;
  /** Scratch for serving: the blended scores, and a mark on each product the customer bought. */
  readonly blended: Float64Array;
  private readonly bought: Uint8Array;

  constructor(
    private readonly c: Pick<Components, 'knn' | 'als' | 'content' | 'popularity'>,
    nItems: number,
  ) {
    this.s = {
      knn: new Float64Array(nItems),
      als: new Float64Array(nItems),
      content: new Float64Array(nItems),
      popularity: new Float64Array(nItems),
      knnSource: new Int32Array(nItems),
      contentSource: new Int32Array(nItems),
    };
    this.knnBest = new Float64Array(nItems);
    this.contentBest = new Float64Array(nItems);
    this.popularity = new Float64Array(nItems);
    this.blended = new Float64Array(nItems);
    this.bought = new Uint8Array(nItems);
    popularityScores(c.popularity, this.popularity);
    scaleToUnit(this.popularity);
  }

  markBought(items: Int32Array): Uint8Array {
    for (let h = 0; h < items.length; h++) this.bought[items[h]] = 1;
    return this.bought;
  }

  unmarkBought(items: Int32Array): void {
    for (let h = 0; h < items.length; h++) this.bought[items[h]] = 0;
  }

  /**
   * Fills the component scores; `user` is -1 for a customer with no history. `alsRow`: the
   * customer's ALS scores when they were computed in a batch (recommendMany).
   */
  score(
    user: number,
    histItems: Int32Array,
    histWeights: Float32Array,
    alsRow?: Float32Array,
  ): ComponentScores {
    const s = this.s;
    s.knn.fill(0);
    s.content.fill(0);
    this.knnBest.fill(0);
    this.contentBest.fill(0);
    s.knnSource.fill(-1);
    s.contentSource.fill(-1);
    s.popularity.set(this.popularity);
    if (user < 0 || histItems.length === 0) {
      s.als.fill(0);
      return s;
    }
    scoreFromNeighbours(this.c.knn, histItems, histWeights, s.knn, s.knnSource, this.knnBest);
    scoreFromNeighbours(this.c.content, histItems, histWeights, s.content, s.contentSource, this.contentBest);
    if (alsRow) s.als.set(alsRow);
    else scoreAls(this.c.als, user, s.als);
    scaleToUnit(s.knn);
    scaleToUnit(s.content);
    scaleToUnit(s.als);
    return s;
  }
}

/** Divides by the maximum; negative values (ALS) become 0: "no evidence for". */
function scaleToUnit(a: Float64Array): void {
  let max = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > max) max = a[i];
  if (max <= 0) {
    a.fill(0);
    return;
  }
  const inv = 1 / max;
  for (let i = 0; i < a.length; i++) a[i] = a[i] > 0 ? a[i] * inv : 0;
}

/**
 * Grid search over the weight simplex on the validation window. For speed each customer is
 * scored once; candidates are the union of every component's top 50 (the blend's top 10 comes
 * from there in practice). Ties in the metric go to the first weights in grid order.
 */
function chooseWeights(
  c: Components,
  truth: Map<number, Set<number>>,
  step: number,
): { weights: BlendWeights; metrics: RankingMetrics } {
  const nItems = c.m.itemSkus.length;
  const scorer = new Scorer(c, nItems);
  interface Cached {
    cand: Int32Array;
    vals: Float64Array; // 4 per candidate
    truth: Set<number>;
  }
  const cache: Cached[] = [];
  const users = [...truth.keys()].sort((a, b) => a - b);
  for (const u of users) {
    const a = c.m.userPtr[u];
    const b = c.m.userPtr[u + 1];
    const items = c.m.userItems.subarray(a, b);
    const s = scorer.score(u, items, c.m.userWeights.subarray(a, b));
    const notBought = (j: number) => !hasBought(c.m.userItems, a, b, j);
    const cand = new Set<number>();
    for (const comp of COMPONENTS) for (const j of topK(s[comp], 50, notBought)) cand.add(j);
    const candArr = Int32Array.from([...cand].sort((x, y) => x - y));
    const vals = new Float64Array(candArr.length * 4);
    candArr.forEach((j, k) => COMPONENTS.forEach((comp, ci) => (vals[k * 4 + ci] = s[comp][j])));
    cache.push({ cand: candArr, vals, truth: truth.get(u)! });
  }
  const steps = Math.round(1 / step);
  let best: { weights: BlendWeights; metrics: RankingMetrics; key: number } | null = null;
  const blended = new Float64Array(nItems);
  for (let a = 0; a <= steps; a++)
    for (let b = 0; a + b <= steps; b++)
      for (let d = 0; a + b + d <= steps; d++) {
        const e = steps - a - b - d;
        const w = [a / steps, b / steps, d / steps, e / steps];
        const acc = new RankingAccumulator(10);
        for (const x of cache) {
          for (let k = 0; k < x.cand.length; k++) {
            blended[k] =
              w[0] * x.vals[k * 4] +
              w[1] * x.vals[k * 4 + 1] +
              w[2] * x.vals[k * 4 + 2] +
              w[3] * x.vals[k * 4 + 3];
          }
          const top = topK(blended.subarray(0, x.cand.length), 10).map((k) => x.cand[k]);
          acc.add(top, x.truth);
        }
        const metrics = acc.result();
        // Select on ndcg@10 plus hit rate: both are what the shop reads.
        const key = metrics['ndcg@10'] + metrics['hitRate@10'];
        if (!best || key > best.key + 1e-12) {
          best = { weights: { knn: w[0], als: w[1], content: w[2], popularity: w[3] }, metrics, key };
        }
      }
  return { weights: best!.weights, metrics: best!.metrics };
}

// ---------------------------------------------------------------------------------------------
// Serving

export interface RecommendOptions {
  k?: number;
  /** Leave out products the customer already bought (default true). */
  excludeBought?: boolean;
  minPrice?: number;
  maxPrice?: number;
  /** Ship-to country; products whose availability is known and excludes it are left out. */
  country?: string | null;
}

export type ReasonKind = 'boughtWith' | 'customersAlsoBought' | 'similarDescription' | 'popular' | 'trending';

export interface Reason {
  kind: ReasonKind;
  /** A sentence a customer understands. */
  text: string;
  /** The product of the customer's history the reason refers to. */
  sku?: string;
  description?: string | null;
  /** Customers (in training) who bought both products. */
  customersWhoBoughtBoth?: number;
  /** Orders with both products, and lift of that co-occurrence over independence. */
  ordersWithBoth?: number;
  lift?: number;
  sharedWords?: string[];
  /** Distinct customers who bought the product in the popularity window, and the window before. */
  recentBuyers?: number;
  previousBuyers?: number;
  windowDays?: number;
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

/** Position of j among i's item-kNN neighbours, or -1. */
function knnSlot(model: RecsModel, i: number, j: number): number {
  const K = model.knn.neighbours;
  for (let r = 0; r < K; r++) {
    const x = model.knn.nbrIdx[i * K + r];
    if (x < 0) return -1;
    if (x === j) return i * K + r;
  }
  return -1;
}

/** Lift from which "often bought with" is said rather than "customers who bought X also bought". */
const STRONG_LIFT = 2;
const STRONG_LIFT_MIN_ORDERS = 3;

/**
 * The reason for recommending product j. `forCustomer`: the sources are products the customer
 * bought ("because you bought X"); otherwise j is shown next to product X ("similar products").
 */
function explain(
  model: RecsModel,
  j: number,
  source: Component,
  knnSource: number,
  contentSource: number,
  forCustomer = true,
): Reason {
  const name = (i: number) => model.items.descriptions[i] ?? model.items.skus[i];
  const coPurchase = (): Reason | null => {
    if (knnSource < 0) return null;
    const slot = knnSlot(model, knnSource, j);
    if (slot < 0) return null;
    const base = {
      sku: model.items.skus[knnSource],
      description: model.items.descriptions[knnSource],
      customersWhoBoughtBoth: model.knn.nbrCoBuyers[slot],
      ordersWithBoth: model.knn.nbrBasketCount[slot],
      lift: round(model.knn.nbrBasketLift[slot], 2),
    };
    if (base.lift >= STRONG_LIFT && base.ordersWithBoth >= STRONG_LIFT_MIN_ORDERS) {
      return {
        kind: 'boughtWith',
        text: `often bought with ${name(knnSource)} (lift ${base.lift.toFixed(1)})`,
        ...base,
      };
    }
    const text = forCustomer
      ? `because you bought ${name(knnSource)}: ${base.customersWhoBoughtBoth} customers bought both`
      : `${base.customersWhoBoughtBoth} customers who bought ${name(knnSource)} also bought it`;
    return { kind: 'customersAlsoBought', text, ...base };
  };
  const similar = (): Reason | null => {
    if (contentSource < 0) return null;
    const words = sharedWords(model.items.descriptions[contentSource], model.items.descriptions[j]);
    if (!words.length) return null;
    return {
      kind: 'similarDescription',
      text: `similar to ${name(contentSource)}${forCustomer ? ' you bought' : ''} (${words.join(', ')})`,
      sku: model.items.skus[contentSource],
      description: model.items.descriptions[contentSource],
      sharedWords: words,
    };
  };
  const popular = (): Reason => {
    const p = model.popularity;
    const base = { recentBuyers: p.recent[j], previousBuyers: p.previous[j], windowDays: p.windowDays };
    if (isTrending(p, j)) {
      return {
        kind: 'trending',
        text: `trending: ${p.recent[j]} customers bought it in the last ${p.windowDays} days, up from ${p.previous[j]}`,
        ...base,
      };
    }
    return {
      kind: 'popular',
      text: `popular this month: ${p.recent[j]} customers bought it in the last ${p.windowDays} days`,
      ...base,
    };
  };
  // ALS has no single cause; it is explained by the co-purchase evidence that supports it.
  const order: Array<() => Reason | null> =
    source === 'content' ? [similar, coPurchase] : source === 'popularity' ? [] : [coPurchase, similar];
  for (const f of order) {
    const r = f();
    if (r) return r;
  }
  return popular();
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

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface RecsEvaluation extends RankingMetrics {
  baselines: { popularity: RankingMetrics; itemKnn: RankingMetrics };
}

/**
 * Trains on purchases before `asOf` and scores, for every customer with purchases both before
 * and in [asOf, until), the products that customer bought for the first time after asOf.
 * Customers whose purchases after asOf are all repeats have nothing to find and are not counted;
 * products first sold after asOf cannot be recommended and are not in the truth.
 * The baselines (popularity; plain item-kNN: binary counts, no decay) run on the same customers.
 */
export function evaluateRecs(
  data: TrainingData,
  asOf: number,
  until = Infinity,
  overrides: Partial<RecsParams> = {},
): { evaluation: RecsEvaluation; model: RecsModel } {
  const purchases = data.purchases.filter((p) => p.at < asOf);
  // The catalogue as it was: products first sold after asOf were not known then.
  const soldBefore = new Set(purchases.map((p) => p.sku));
  const catalogue = data.catalogue.filter((c) => soldBefore.has(c.sku));
  const training: TrainingData = { ...data, asOf, purchases, catalogue };
  const model = fitRecs(training, overrides);
  const m = buildInteractions(training, { halfLifeDays: Infinity }, model.items.skus);
  const truth = firstPurchasesAfter(m, data, asOf, until);
  const plainKnn = fitItemKnn(m, { neighbours: model.params.knn.neighbours, binary: true, damping: false });
  const popScores = new Float64Array(m.itemSkus.length);
  popularityScores(model.popularity, popScores);

  const hybrid = new RankingAccumulator(10);
  const pop = new RankingAccumulator(10);
  const knn = new RankingAccumulator(10);
  const knnScores = new Float64Array(m.itemSkus.length);
  const src = new Int32Array(m.itemSkus.length);
  const best = new Float64Array(m.itemSkus.length);
  const users = [...truth.keys()].sort((x, y) => x - y);
  const maxPop = Math.max(1, ...popScores);
  for (const u of users) {
    const t = truth.get(u)!;
    const customer = m.customerIds[u];
    const hybridTop = recommend(model, customer, { k: 10 }).items.map((r) => m.itemIndex.get(r.sku)!);
    hybrid.add(hybridTop, t);
    const a = m.userPtr[u];
    const b = m.userPtr[u + 1];
    const notBought = (j: number) => !hasBought(m.userItems, a, b, j);
    pop.add(topK(popScores, 10, notBought), t);
    knnScores.fill(0);
    best.fill(0);
    scoreFromNeighbours(
      plainKnn,
      m.userItems.subarray(a, b),
      new Float32Array(b - a).fill(1),
      knnScores,
      src,
      best,
    );
    // Customers whose products have no neighbours get nothing from plain kNN; popularity fills in
    // (as any deployed kNN would), with scores below every kNN score.
    for (let j = 0; j < knnScores.length; j++)
      if (knnScores[j] === 0) knnScores[j] = (-1 + popScores[j] / maxPop) * 1e-6;
    knn.add(topK(knnScores, 10, notBought), t);
  }
  return {
    evaluation: { ...hybrid.result(), baselines: { popularity: pop.result(), itemKnn: knn.result() } },
    model,
  };
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
