/**
 * One training run as of a date: RFM segments, k-means clusters, the churn model, BG/NBD +
 * Gamma-Gamma lifetime value and the lifecycle stage, for every customer with a purchase before
 * the date. Pure: takes histories (built from the repository's order lines), returns scores and
 * serialisable models; storing them is the caller's job (data/repositories/customerScores.ts).
 */
import { DAY_MS, truncateHistories, type Histories } from './history';
import { allCustomerFacts, type CustomerFacts } from './features/customerFacts';
import {
  churnFeatureVector,
  featureContext,
  homeCountryOf,
  type FeatureContext,
} from './features/churnFeatures';
import { scoreRfm, DEFAULT_SEGMENT_RULES, type SegmentRule } from './rfm/rfm';
import { assignCluster, fitClusters, type ClusterModel, type ClusterOptions } from './segments/clusters';
import { segmentProfiles, type SegmentProfile } from './segments/profiles';
import { fitChurnAsOf, type ChurnFitOptions } from './churn/evaluate';
import { predictChurn, type ChurnModel } from './churn/model';
import { churnDrivers, type ChurnDriver } from './churn/drivers';
import { fitClvModels, scoreClv, type ClvModels } from './clv/fromFacts';
import { probabilityNoPurchase } from './clv/bgnbd';
import { stageFor, DEFAULT_STAGE_THRESHOLDS, type Stage, type StageThresholds } from './stage/stage';
import type { BinaryEvaluation } from './metrics/classification';

export interface TrainOptions {
  asOf: number;
  horizonDays?: number;
  clvMonths?: number;
  seed?: number;
  segmentRules?: SegmentRule[];
  clusters?: ClusterOptions;
  stageThresholds?: StageThresholds;
  churn?: ChurnFitOptions;
  /** Names for products in segment profiles. */
  productName?: (productId: number) => string;
}

export interface CustomerScore {
  customerId: number;
  country: string | null;
  recencyDays: number;
  frequency: number;
  monetary: number;
  tenureDays: number;
  rfmScore: string;
  segment: string;
  cluster: number;
  clusterDescription: string;
  churnProbability: number;
  churnDrivers: ChurnDriver[];
  pAlive: number;
  expectedPurchases: number;
  clv: number | null;
  stage: Stage;
}

export interface AnalyticsRun {
  asOf: string;
  horizonDays: number;
  clvMonths: number;
  scores: CustomerScore[];
  /** Null when the history before asOf is too short for a churn model (BG/NBD is used instead). */
  churnModel: ChurnModel | null;
  churnValidation: BinaryEvaluation | null;
  /** What churnFeatureVector needs to score a customer with `churnModel` as of this date. */
  churnContext: FeatureContext;
  clusterModel: ClusterModel;
  clvModels: ClvModels;
  segmentRules: SegmentRule[];
  segmentProfiles: SegmentProfile[];
  clusterProfiles: SegmentProfile[];
  warnings: string[];
  timingsMs: Record<string, number>;
}

export async function trainAll(histories: Histories, options: TrainOptions): Promise<AnalyticsRun> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = Date.now() - since);
  const asOf = options.asOf;
  const horizonDays = options.horizonDays ?? 90;
  const clvMonths = options.clvMonths ?? 12;
  const seed = options.seed ?? 42;
  const rules = options.segmentRules ?? DEFAULT_SEGMENT_RULES;
  const warnings: string[] = [];

  const past = truncateHistories(histories.customers, asOf);
  const facts = allCustomerFacts(past, asOf);
  if (facts.length === 0)
    throw new Error(`no customer bought anything before ${new Date(asOf).toISOString().slice(0, 10)}`);
  if (facts.length < 100) warnings.push(`only ${facts.length} customers: segments and models are rough`);

  let t = Date.now();
  const rfm = scoreRfm(facts, rules);
  const clusterModel = fitClusters(facts, { seed, ...options.clusters });
  lap('segments', t);

  t = Date.now();
  const clvModels = fitClvModels(facts);
  warnings.push(...clvModels.warnings);
  lap('clv', t);

  t = Date.now();
  let churnModel: ChurnModel | null = null;
  let churnValidation: BinaryEvaluation | null = null;
  try {
    const fit = await fitChurnAsOf(histories, asOf, horizonDays, { seed, ...options.churn });
    churnModel = fit.model;
    churnValidation = fit.validation;
  } catch (err) {
    warnings.push(
      `churn model not trained (${(err as Error).message}); churn probability comes from BG/NBD instead`,
    );
  }
  // The scoring-time BG/NBD features use the CLV fit (same customers, same sample): no second fit.
  const ctx: FeatureContext = featureContext(facts, homeCountryOf(past), horizonDays, clvModels.bgnbd);
  lap('churn', t);

  t = Date.now();
  const scores: CustomerScore[] = facts.map((f: CustomerFacts, i) => {
    const clv = scoreClv(clvModels, f, horizonDays, clvMonths);
    let churnProbability: number;
    let drivers: ChurnDriver[] = [];
    if (churnModel) {
      const x = churnFeatureVector(f, ctx);
      churnProbability = predictChurn(churnModel, x);
      drivers = churnDrivers(churnModel, x, f, 3, clv.expectedPurchases);
    } else {
      churnProbability = probabilityNoPurchase(
        clvModels.bgnbd,
        horizonDays,
        f.repeatPurchases,
        f.recencySpanDays,
        f.ageDays,
      );
    }
    const cluster = assignCluster(clusterModel, f);
    return {
      customerId: f.customerId,
      country: f.country,
      recencyDays: f.recencyDays,
      frequency: f.frequency,
      monetary: f.monetary,
      tenureDays: f.tenureDays,
      rfmScore: rfm[i].score,
      segment: rfm[i].segment,
      cluster,
      clusterDescription: clusterModel.descriptions[cluster],
      churnProbability,
      churnDrivers: drivers,
      pAlive: clv.pAlive,
      expectedPurchases: clv.expectedPurchases,
      clv: clv.clv,
      stage: stageFor(
        { ...f, churnProbability },
        horizonDays,
        options.stageThresholds ?? DEFAULT_STAGE_THRESHOLDS,
      ),
    };
  });
  lap('score', t);

  t = Date.now();
  const byId = new Map(past.map((c) => [c.customerId, c]));
  const member = (s: CustomerScore, group: string) => ({ ...s, group });
  const segmentProfilesList = segmentProfiles(
    scores.map((s) => member(s, s.segment)),
    byId,
    asOf,
    options.productName,
  );
  const clusterProfiles = segmentProfiles(
    scores.map((s) => member(s, `${s.cluster}: ${s.clusterDescription}`)),
    byId,
    asOf,
    options.productName,
  );
  lap('profiles', t);
  timings.total = Date.now() - t0;
  if (histories.lastAt < asOf - 2 * horizonDays * DAY_MS) {
    warnings.push('the newest order is long before the as-of date: every customer looks lapsed');
  }

  return {
    asOf: new Date(asOf).toISOString(),
    horizonDays,
    clvMonths,
    scores,
    churnModel,
    churnValidation,
    churnContext: ctx,
    clusterModel,
    clvModels,
    segmentRules: rules,
    segmentProfiles: segmentProfilesList,
    clusterProfiles,
    warnings,
    timingsMs: timings,
  };
}
