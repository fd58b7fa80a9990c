/**
 * Trains the hybrid: the recency half-life and the blend weights are chosen on a validation
 * window at the end of the training period (never on the period being predicted), then every
 * part is refitted on everything before asOf.
 */
import { buildInteractions, hasBought, type Interactions } from './interactions';
import { scoreFromNeighbours } from './neighbours';
import { fitItemKnn, type ItemKnnModel } from './itemKnn';
import { fitAls, type AlsModel } from './als';
import { fitContent, type ContentModel } from './content';
import { fitPopularity, type PopularityModel } from './popularity';
import { topK } from './topK';
import { RankingAccumulator, type RankingMetrics } from './metrics';
import { Scorer } from './scorer';
import { DAY_MS, type TrainingData } from './types';
import {
  COMPONENTS,
  DEFAULT_PARAMS,
  RECS_MODEL_VERSION,
  type BlendWeights,
  type RecsModel,
  type RecsParams,
} from './model';
import { withDefaults } from '../../lib/options';

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
