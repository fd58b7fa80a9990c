/**
 * Glue between the pure models and the database, shared by the CLI, the bot and scheduled jobs:
 * load histories through the repositories, train as of a date, store scores, models and stage
 * changes, and read them back for reports. No SQL here: repositories do that.
 */
import type { Db } from '../data/db';
import { OrderHistoryRepository } from '../data/repositories/orderHistory';
import { ModelRunRepository, type ModelRun } from '../data/repositories/modelRuns';
import {
  CustomerScoreRepository,
  type StoredScore,
  type StageHistoryEntry,
} from '../data/repositories/customerScores';
import { buildHistories, DAY_MS, type Histories } from './history';
import { defaultAsOf } from './asOf';
import { trainAll, type AnalyticsRun, type TrainOptions } from './pipeline';
import { evaluateChurn, type ChurnEvaluation, type ChurnEvaluationOptions } from './churn/evaluate';
import { stageChanges, type Stage } from './stage/stage';
import type { SegmentProfile } from './segments/profiles';

export const ANALYTICS_MODEL_VERSION = 'analytics-1';

/**
 * The repositories of one database, made once: reports are read on every chat message, and
 * preparing the statements anew each time cost more than running them.
 */
const repositoriesOf = new WeakMap<
  Db,
  { orders: OrderHistoryRepository; runs: ModelRunRepository; scores: CustomerScoreRepository }
>();
function repositories(db: Db) {
  let r = repositoriesOf.get(db);
  if (!r) {
    r = {
      orders: new OrderHistoryRepository(db),
      runs: new ModelRunRepository(db),
      scores: new CustomerScoreRepository(db),
    };
    repositoriesOf.set(db, r);
  }
  return r;
}

/** Customers' order histories strictly before `before` (all of them when omitted). */
export function loadHistories(db: Db, before?: Date): Histories {
  const repo = new OrderHistoryRepository(db);
  return buildHistories(repo.iterateLines({ before, customersOnly: true }));
}

/** The as-of date to use when none is given: the day after the newest order. */
export function defaultAsOfFor(db: Db): Date {
  return defaultAsOf(new OrderHistoryRepository(db).dataExtent().lastOrderAt);
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
  db: Db,
  options: Partial<Omit<TrainOptions, 'asOf'>> & { asOf?: Date } = {},
): Promise<{ run: AnalyticsRun; summary: TrainSummary }> {
  const t0 = Date.now();
  const asOf = options.asOf ?? defaultAsOfFor(db);
  const orderRepo = new OrderHistoryRepository(db);
  const histories = buildHistories(orderRepo.iterateLines({ before: asOf, customersOnly: true }));
  const loadMs = Date.now() - t0;
  const products = new Map(orderRepo.listProducts().map((p) => [p.id, p.description ?? p.sku]));
  const run = await trainAll(histories, {
    ...options,
    asOf: asOf.getTime(),
    productName: (id) => products.get(id) ?? String(id),
  });

  const t1 = Date.now();
  const runs = new ModelRunRepository(db);
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
  const scoresRepo = new CustomerScoreRepository(db);
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
  db: Db,
  asOf: Date,
  horizonDays: number,
  options: ChurnEvaluationOptions = {},
): Promise<ChurnEvaluation> {
  // Nothing at or after the end of the label period is even loaded.
  const histories = loadHistories(db, new Date(asOf.getTime() + horizonDays * DAY_MS));
  if (histories.customers.length === 0) throw new Error('there are no customer orders: import orders first');
  return evaluateChurn(histories, asOf.getTime(), horizonDays, options);
}

export class NotTrainedError extends Error {
  readonly exitCode = 3;
  constructor() {
    super('no analytics yet: run `retain train` first');
  }
}

export interface SegmentReport {
  asOf: string;
  version: string;
  segments: SegmentProfile[];
  clusters: SegmentProfile[];
}

export function segmentReport(db: Db): SegmentReport {
  const run = repositories(db).runs.latest('segments');
  if (!run) throw new NotTrainedError();
  const metrics = run.metrics as { segmentProfiles: SegmentProfile[]; clusterProfiles: SegmentProfile[] };
  return {
    asOf: run.asOf ?? '',
    version: run.version,
    segments: metrics.segmentProfiles,
    clusters: metrics.clusterProfiles,
  };
}

export interface ChurnReportEntry {
  customer: string;
  churnProbability: number;
  segment: string;
  stage: string;
  clv: number | null;
  recencyDays: number;
  frequency: number;
  drivers: unknown[];
}

export interface ChurnReport {
  asOf: string;
  customers: number;
  meanChurnProbability: number;
  expectedChurners: number;
  atRiskClv: number;
  top: ChurnReportEntry[];
}

export function churnReport(db: Db, top = 20): ChurnReport {
  const repo = new CustomerScoreRepository(db);
  const asOf = repo.latestAsOf();
  if (!asOf) throw new NotTrainedError();
  const all = repo.allAt(asOf);
  const entry = (s: StoredScore): ChurnReportEntry => ({
    customer: s.externalId,
    churnProbability: s.churnProbability,
    segment: s.segment,
    stage: s.stage,
    clv: s.clv,
    recencyDays: s.recencyDays,
    frequency: s.frequency,
    drivers: s.churnDrivers,
  });
  return {
    asOf,
    customers: all.length,
    meanChurnProbability: all.reduce((s, c) => s + c.churnProbability, 0) / Math.max(1, all.length),
    expectedChurners: all.reduce((s, c) => s + c.churnProbability, 0),
    atRiskClv: all.reduce((s, c) => s + c.churnProbability * (c.clv ?? 0), 0),
    top: repo.topChurn(asOf, top).map(entry),
  };
}

export interface CustomerReport {
  customer: string;
  customerId: number;
  country: string | null;
  asOf: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  rfmScore: string;
  segment: string;
  cluster: { id: number; description: string | null };
  churn: { probability: number; drivers: unknown[] };
  pAlive: number;
  expectedPurchases: number;
  clv: number | null;
  /** Why p(alive), expected purchases and CLV should not be trusted (empty when the fit is sound). */
  clvWarnings: string[];
  stage: { current: Stage | string; since: string | null; history: StageHistoryEntry[] };
}

/** Everything known about one customer, by the shop's id (or the internal id as a fallback). */
export function customerReport(db: Db, id: string): CustomerReport | undefined {
  const { orders, runs, scores: repo } = repositories(db);
  const customer =
    orders.customerByExternal(id) ?? (/^\d+$/.test(id) ? orders.customer(Number(id)) : undefined);
  if (!customer) return undefined;
  const s = repo.forCustomer(customer.id);
  if (!s) {
    if (!repo.latestAsOf()) throw new NotTrainedError();
    return undefined;
  }
  const segmentsRun: ModelRun | undefined = runs.latest('segments');
  const descriptions = (segmentsRun?.params as { clusterModel?: { descriptions?: string[] } } | undefined)
    ?.clusterModel?.descriptions;
  const clvRun = runs.latest('clv');
  const clvWarnings = (clvRun?.metrics as { warnings?: string[] } | undefined)?.warnings ?? [];
  const history = repo.stageHistory(customer.id);
  const last = history[history.length - 1];
  return {
    customer: customer.externalId,
    customerId: customer.id,
    country: customer.country,
    asOf: s.asOf,
    recencyDays: s.recencyDays,
    frequency: s.frequency,
    monetary: s.monetary,
    rfmScore: s.rfmScore,
    segment: s.segment,
    cluster: { id: s.cluster, description: descriptions?.[s.cluster] ?? null },
    churn: { probability: s.churnProbability, drivers: s.churnDrivers },
    pAlive: s.pAlive,
    expectedPurchases: s.expectedPurchases,
    clv: s.clv,
    clvWarnings,
    stage: { current: s.stage, since: last && last.stage === s.stage ? last.changedAt : null, history },
  };
}
