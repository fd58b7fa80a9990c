/**
 * Training on a shop's data, shared by the CLI, the bot's first start and the nightly job: load
 * histories through the repositories, train the pure models as of a date, store scores, models and
 * stage changes. Reading them back for reports is the reports service's job (services/reports).
 */
import type { Store } from '../data/store';
import { buildHistories, DAY_MS, type Histories } from './history';
import { defaultAsOf } from './asOf';
import { trainAll, type AnalyticsRun, type TrainOptions } from './pipeline';
import { evaluateChurn, type ChurnEvaluation, type ChurnEvaluationOptions } from './churn/evaluate';
import { stageChanges } from './stage/stage';

export const ANALYTICS_MODEL_VERSION = 'analytics-1';

/** Customers' order histories strictly before `before` (all of them when omitted). */
export function loadHistories(store: Store, before?: Date): Histories {
  const repo = store.orders;
  return buildHistories(repo.iterateLines({ before, customersOnly: true }));
}

/** The as-of date to use when none is given: the day after the newest order. */
export function defaultAsOfFor(store: Store): Date {
  return defaultAsOf(store.orders.dataExtent().lastOrderAt);
}

export interface TrainSummary {
  asOf: string;
  horizonDays: number;
  customers: number;
  version: string;
  churnModel: string;
  churnValidation: AnalyticsRun['churnValidation'];
  clusters: { id: number; description: string; customers: number }[];
  segments: { name: string; customers: number; revenueShare: number }[];
  stages: Record<string, number>;
  stageChanges: number;
  clv: { bgnbd: Record<string, number>; gammaGamma: Record<string, number> | null; totalClv: number };
  warnings: string[];
  timingsMs: Record<string, number>;
}

export async function trainAndStore(
  store: Store,
  options: Partial<Omit<TrainOptions, 'asOf'>> & { asOf?: Date } = {},
): Promise<{ run: AnalyticsRun; summary: TrainSummary }> {
  const t0 = Date.now();
  const asOf = options.asOf ?? defaultAsOfFor(store);
  const orderRepo = store.orders;
  const histories = buildHistories(orderRepo.iterateLines({ before: asOf, customersOnly: true }));
  const loadMs = Date.now() - t0;
  const products = new Map(orderRepo.listProducts().map((p) => [p.id, p.description ?? p.sku]));
  const run = await trainAll(histories, {
    ...options,
    asOf: asOf.getTime(),
    productName: (id) => products.get(id) ?? String(id),
  });

  const t1 = Date.now();
  const runs = store.runs;
  const trainedAt = new Date();
  const version = `${ANALYTICS_MODEL_VERSION}@${run.asOf.slice(0, 10)}#${trainedAt.toISOString()}`;
  const common = { version, asOf: run.asOf, trainedAt };
  runs.record({
    ...common,
    model: 'segments',
    params: { segmentRules: run.segmentRules, clusterModel: run.clusterModel },
    metrics: { segmentProfiles: run.segmentProfiles, clusterProfiles: run.clusterProfiles },
  });
  runs.record({
    ...common,
    model: 'clv',
    params: { bgnbd: run.clvModels.bgnbd, gammaGamma: run.clvModels.gammaGamma, months: run.clvMonths },
    metrics: { warnings: run.clvModels.warnings },
  });
  const churnRun = runs.record({
    ...common,
    model: 'churn',
    params: { model: run.churnModel, horizonDays: run.horizonDays, featureContext: run.churnContext },
    metrics: { validation: run.churnValidation, warnings: run.warnings },
  });
  const scoresRepo = store.scores;
  scoresRepo.saveScores(run.asOf, churnRun.id, run.scores);
  const changes = stageChanges(run.scores, scoresRepo.latestStages());
  scoresRepo.recordStageChanges(changes, run.asOf, run.asOf);
  const storeMs = Date.now() - t1;

  const stages: Record<string, number> = {};
  for (const s of run.scores) stages[s.stage] = (stages[s.stage] ?? 0) + 1;
  const clusterCounts = new Map<number, number>();
  for (const s of run.scores) clusterCounts.set(s.cluster, (clusterCounts.get(s.cluster) ?? 0) + 1);
  const { bgnbd, gammaGamma } = run.clvModels;
  const summary: TrainSummary = {
    asOf: run.asOf,
    horizonDays: run.horizonDays,
    customers: run.scores.length,
    version,
    churnModel: run.churnModel ? run.churnModel.architecture : 'bgnbd (fallback)',
    churnValidation: run.churnValidation,
    clusters: run.clusterModel.descriptions.map((description, id) => ({
      id,
      description,
      customers: clusterCounts.get(id) ?? 0,
    })),
    segments: run.segmentProfiles.map((p) => ({
      name: p.name,
      customers: p.customers,
      revenueShare: p.revenueShare,
    })),
    stages,
    stageChanges: changes.length,
    clv: {
      bgnbd: { r: bgnbd.r, alpha: bgnbd.alpha, a: bgnbd.a, b: bgnbd.b },
      gammaGamma: gammaGamma ? { p: gammaGamma.p, q: gammaGamma.q, v: gammaGamma.v } : null,
      totalClv: run.scores.reduce((s, c) => s + (c.clv ?? 0), 0),
    },
    warnings: run.warnings,
    timingsMs: { load: loadMs, ...run.timingsMs, store: storeMs, total: Date.now() - t0 },
  };
  return { run, summary };
}

/** Evaluation of churn prediction at `asOf` on whatever data is imported. */
export async function evaluateChurnInDb(
  store: Store,
  asOf: Date,
  horizonDays: number,
  options: ChurnEvaluationOptions = {},
): Promise<ChurnEvaluation> {
  // Nothing at or after the end of the label period is even loaded.
  const histories = loadHistories(store, new Date(asOf.getTime() + horizonDays * DAY_MS));
  if (histories.customers.length === 0) throw new Error('there are no customer orders: import orders first');
  return evaluateChurn(histories, asOf.getTime(), horizonDays, options);
}
