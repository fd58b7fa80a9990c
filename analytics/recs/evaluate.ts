/**
 * Honest evaluation at a date: train on purchases before asOf, then score the products each
 * customer bought for the first time afterwards, against popularity and plain item-kNN from the
 * same run.
 */
import { buildInteractions, hasBought } from './interactions';
import { scoreFromNeighbours } from './neighbours';
import { fitItemKnn } from './itemKnn';
import { popularityScores } from './popularity';
import { topK } from './topK';
import { RankingAccumulator, type RankingMetrics } from './metrics';
import type { TrainingData } from './types';
import { fitRecs, firstPurchasesAfter } from './train';
import { recommend } from './recommend';
import type { RecsModel, RecsParams } from './model';

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
