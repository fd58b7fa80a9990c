/**
 * The churn model's inputs: numeric transforms of CustomerFacts, and the training examples
 * (features as of a cutoff, label from the horizon after it) built from earlier windows only.
 *
 * Feature choices (documented for marketers and reviewers):
 * - recency, frequency, monetary, tenure and average order value, on a log scale (heavy tails:
 *   many customers are wholesalers);
 * - the usual gap between purchase days, and recency relative to that gap ("no order for 142 days,
 *   usually orders every 30"), plus how regular the gaps are;
 * - the purchase rate per month of tenure and the activity in the last 30 and 90 days; the trend is
 *   the share of all purchase days that fell in the last 90 days (it does not depend on how much
 *   history the database holds, which differs between training windows and the scoring date);
 * - the share of value cancelled or returned, basket size (units and distinct products), product
 *   breadth, and whether the customer is in the shop's home country (its most common country);
 * - how much the customer's products are in demand right now (log of productDemandShare: the
 *   typical share of the other customers of the last 30 days who bought each of their products).
 *   Buyers of what the shop's customers are buying now come back more often than buyers of
 *   niche or out-of-season goods; it is the only order-content signal that helped in every
 *   check (see analytics/README.md);
 * - BG/NBD's probability of no purchase within the horizon (as log-odds) and its expected
 *   purchases, from a BG/NBD refitted at each cutoff;
 * - for the features whose scale grows with the history the shop has (frequency, spend, tenure,
 *   product breadth, purchase rate, last-90-day activity, its share, the usual gap), their
 *   percentile among the customers at the same cutoff (RANKED_FEATURES). Training windows sit
 *   months before the scoring date, so their customers have had less time to buy: the raw values
 *   drift, the percentiles do not (see rankReferences).
 */
import { DAY_MS, purchasedBetween, type CustomerHistory } from '../history';
import { allCustomerFacts, type CustomerFacts } from './customerFacts';
import { PROFILE_FEATURES, profileFeatures } from './profileFeatures';
import { sampleAtMost } from '../../lib/random';

/** BG/NBD is fitted on at most this many customers (a seeded sample beyond). */
export const MAX_FIT_CUSTOMERS = 10000;
import { expectedPurchases, fitBgNbd, probabilityNoPurchase, type BgNbdParams } from '../clv/bgnbd';

export const CHURN_FEATURES = [
  ...PROFILE_FEATURES,
  'logMeanInterval',
  'recencyVsInterval',
  'intervalIrregularity',
  'logMonthlyRate',
  'logLast30',
  'logLast90',
  'recentShare',
  'returnShare',
  'logBasketUnits',
  'logBasketProducts',
  'logProductBreadth',
  'domestic',
  'productDemand',
  'bgnbdNoPurchaseLogit',
  'bgnbdLogExpected',
  'logHorizon',
  'frequencyRank',
  'monetaryRank',
  'tenureRank',
  'productBreadthRank',
  'monthlyRateRank',
  'last90Rank',
  'recentShareRank',
  'meanIntervalRank',
] as const;
export type ChurnFeatureName = (typeof CHURN_FEATURES)[number];

/** Each rank feature and the raw feature it ranks (within the customers at the same cutoff). */
export const RANKED_FEATURES: readonly [ChurnFeatureName, ChurnFeatureName][] = [
  ['frequencyRank', 'logFrequency'],
  ['monetaryRank', 'logMonetary'],
  ['tenureRank', 'logTenure'],
  ['productBreadthRank', 'logProductBreadth'],
  ['monthlyRateRank', 'logMonthlyRate'],
  ['last90Rank', 'logLast90'],
  ['recentShareRank', 'recentShare'],
  ['meanIntervalRank', 'logMeanInterval'],
];

/** Points in each rank reference (quantiles 0, 1/200, ..., 1): small enough to store with the model. */
export const RANK_REFERENCE_POINTS = 201;

/** What the features need besides the customer: the home market and the BG/NBD fitted at the same cutoff. */
export interface FeatureContext {
  homeCountry: string | null;
  bgnbd: BgNbdParams;
  horizonDays: number;
  /**
   * Per rank feature (in RANKED_FEATURES order), the quantiles of its raw feature among the
   * customers at this cutoff (RANK_REFERENCE_POINTS values, ascending).
   */
  rankReferences: number[][];
}

/**
 * The context at a cutoff. BG/NBD is refitted on the customers' history at that cutoff (unless a
 * fit of the same customers is passed in), so its two features adapt to how much history there
 * is; the rank references are the same customers' feature quantiles.
 */
export function featureContext(
  facts: CustomerFacts[],
  homeCountry: string | null,
  horizonDays: number,
  fittedBgNbd?: BgNbdParams,
): FeatureContext {
  const sample = sampleAtMost(facts, MAX_FIT_CUSTOMERS);
  let bgnbd = fittedBgNbd;
  if (!bgnbd) {
    const fit = fitBgNbd({
      x: sample.map((f) => f.repeatPurchases),
      tx: sample.map((f) => f.recencySpanDays),
      T: sample.map((f) => f.ageDays),
    });
    bgnbd = { r: fit.r, alpha: fit.alpha, a: fit.a, b: fit.b };
  }
  const { r, alpha, a, b } = bgnbd;
  const ctx: FeatureContext = { homeCountry, horizonDays, bgnbd: { r, alpha, a, b }, rankReferences: [] };
  ctx.rankReferences = rankReferences(sample.map((f) => rawFeatureVector(f, ctx)));
  return ctx;
}

const rawIndex = (name: ChurnFeatureName) => CHURN_FEATURES.indexOf(name);

/** The quantile grid of every ranked raw feature over the given raw vectors. */
export function rankReferences(rawVectors: number[][]): number[][] {
  return RANKED_FEATURES.map(([, raw]) =>
    quantileGrid(
      rawVectors.map((x) => x[rawIndex(raw)]),
      RANK_REFERENCE_POINTS,
    ),
  );
}

/** `points` evenly spaced quantiles (0 .. 1, nearest rank) of the values; empty for no values. */
export function quantileGrid(values: number[], points: number): number[] {
  if (values.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const grid: number[] = [];
  for (let k = 0; k < points; k++) {
    grid.push(sorted[Math.round((k / (points - 1)) * (sorted.length - 1))]);
  }
  return grid;
}

/**
 * Where `v` falls in a quantile grid, 0..1: linear between neighbouring quantiles, and the middle
 * of the run when `v` equals several quantiles (a tie, e.g. the many one-purchase customers, gets
 * its midrank). 0.5 without a reference.
 */
export function percentileIn(grid: number[], v: number): number {
  const n = grid.length;
  if (n === 0) return 0.5;
  if (n === 1) return v < grid[0] ? 0 : v > grid[0] ? 1 : 0.5;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (grid[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  const firstAtLeast = lo;
  let firstAbove = firstAtLeast;
  while (firstAbove < n && grid[firstAbove] === v) firstAbove++;
  if (firstAbove > firstAtLeast) return (firstAtLeast + firstAbove - 1) / 2 / (n - 1);
  if (firstAtLeast === 0) return 0;
  if (firstAtLeast === n) return 1;
  const below = grid[firstAtLeast - 1];
  const above = grid[firstAtLeast];
  return (firstAtLeast - 1 + (v - below) / (above - below)) / (n - 1);
}

export function churnFeatureVector(f: CustomerFacts, ctx: FeatureContext): number[] {
  const x = rawFeatureVector(f, ctx);
  RANKED_FEATURES.forEach(([, raw], i) =>
    x.push(percentileIn(ctx.rankReferences[i] ?? [], x[rawIndex(raw)])),
  );
  return x;
}

/** The features before the rank features (CHURN_FEATURES up to logHorizon). */
function rawFeatureVector(f: CustomerFacts, ctx: FeatureContext): number[] {
  const homeCountry = ctx.homeCountry;
  const p0 = Math.min(
    1 - 1e-6,
    Math.max(
      1e-6,
      probabilityNoPurchase(ctx.bgnbd, ctx.horizonDays, f.repeatPurchases, f.recencySpanDays, f.ageDays),
    ),
  );
  const expected = expectedPurchases(
    ctx.bgnbd,
    ctx.horizonDays,
    f.repeatPurchases,
    f.recencySpanDays,
    f.ageDays,
  );
  const repeat = f.meanIntervalDays !== null;
  const interval = f.meanIntervalDays ?? f.tenureDays;
  return [
    ...profileFeatures(f),
    Math.log1p(interval),
    repeat ? Math.log((f.recencyDays + 1) / (interval + 1)) : 0,
    f.intervalStdDays !== null && f.meanIntervalDays
      ? Math.min(3, f.intervalStdDays / f.meanIntervalDays)
      : 0,
    Math.log1p((f.frequency / Math.max(f.tenureDays, 7)) * 30),
    Math.log1p(f.purchasesLast30),
    Math.log1p(f.purchasesLast90),
    f.purchasesLast90 / f.frequency,
    f.returnShare,
    Math.log1p(f.meanUnits),
    Math.log1p(f.meanProducts),
    Math.log1p(f.productBreadth),
    homeCountry !== null && f.country === homeCountry ? 1 : 0,
    Math.log(demandShareOf(f)),
    Math.log(p0 / (1 - p0)),
    Math.log1p(Number.isFinite(expected) ? Math.max(0, expected) : 0),
    Math.log(ctx.horizonDays),
  ];
}

function demandShareOf(f: CustomerFacts): number {
  if (f.productDemandShare === null) {
    throw new Error('churn features need the shop-wide product demand: build facts with allCustomerFacts');
  }
  return f.productDemandShare;
}

/** The most common customer country (the shop's home market), or null when unknown. */
export function homeCountryOf(customers: CustomerHistory[]): string | null {
  const counts = new Map<string, number>();
  for (const c of customers) if (c.country) counts.set(c.country, (counts.get(c.country) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [country, n] of counts) if (n > bestCount) [best, bestCount] = [country, n];
  return best;
}

export interface ChurnExample {
  customerId: number;
  /** The cutoff the features are computed at (ms). */
  cutoff: number;
  /** The label period's length in days (shorter than the scoring horizon in auxiliary windows). */
  horizonDays: number;
  facts: CustomerFacts;
  x: number[];
  /** 1: no purchase in [cutoff, cutoff + horizon); 0: bought again. */
  y: number;
}

/**
 * Labels: a customer with a purchase before `cutoff` churned when they made no purchase in
 * [cutoff, cutoff + horizonDays). `visibleBefore` is the newest instant the caller may look at
 * (the scoring date when training): a window whose label period would cross it is an error,
 * which is what keeps the future out of training.
 */
export function labelledExamples(
  customers: CustomerHistory[],
  cutoff: number,
  horizonDays: number,
  homeCountry: string | null,
  visibleBefore = Infinity,
): ChurnExample[] {
  const labelEnd = cutoff + horizonDays * DAY_MS;
  if (labelEnd > visibleBefore) {
    throw new Error(
      `label window ${new Date(cutoff).toISOString()} + ${horizonDays} days crosses ${new Date(visibleBefore).toISOString()}`,
    );
  }
  const byId = new Map(customers.map((c) => [c.customerId, c]));
  const facts = allCustomerFacts(customers, cutoff);
  if (facts.length === 0) return [];
  const ctx = featureContext(facts, homeCountry, horizonDays);
  return facts.map((f) => ({
    customerId: f.customerId,
    cutoff,
    horizonDays,
    facts: f,
    x: churnFeatureVector(f, ctx),
    y: purchasedBetween(byId.get(f.customerId)!, cutoff, labelEnd) ? 0 : 1,
  }));
}

export interface WindowOptions {
  horizonDays: number;
  /** Days between successive training cutoffs. */
  stepDays?: number;
  /** At most this many windows. */
  maxWindows?: number;
  /** A window's cutoff needs at least this much history before it. */
  minHistoryDays?: number;
  /**
   * When fewer full-horizon windows than this fit before the scoring date, windows with shorter
   * label periods are added (see trainingWindows). Default 4; 0 turns them off.
   */
  minFullWindows?: number;
  /** Lengths of the shorter label periods, as fractions of the horizon (default: half). */
  auxHorizonFractions?: number[];
  /** Days between successive cutoffs of the shorter windows. */
  auxStepDays?: number;
  /** At most this many shorter windows per shorter horizon. */
  maxAuxWindows?: number;
}

export interface TrainingWindow {
  cutoff: number;
  horizonDays: number;
}

/** Label periods shorter than this say little about churn. */
const MIN_AUX_HORIZON_DAYS = 14;

/**
 * Every training window for scoring at `asOf`: the full-horizon windows of trainingCutoffs, and,
 * when history is short (few full-horizon windows fit before asOf), windows with shorter label
 * periods at more cutoffs. The horizon is a model input (logHorizon, and BG/NBD's no-purchase
 * probability is computed over each window's own horizon), so these windows teach the model how
 * customers' features rank their risk without pretending their labels cover the full horizon.
 * Every label period ends at or before asOf.
 */
export function trainingWindows(asOf: number, dataStart: number, options: WindowOptions): TrainingWindow[] {
  const full = trainingCutoffs(asOf, dataStart, options).map((cutoff) => ({
    cutoff,
    horizonDays: options.horizonDays,
  }));
  if (full.length === 0 || full.length >= (options.minFullWindows ?? 4)) return full;
  const windows = [...full];
  for (const fraction of options.auxHorizonFractions ?? [0.5]) {
    const horizonDays = Math.round(options.horizonDays * fraction);
    if (horizonDays < MIN_AUX_HORIZON_DAYS || horizonDays >= options.horizonDays) continue;
    const cutoffs = trainingCutoffs(asOf, dataStart, {
      horizonDays,
      stepDays: options.auxStepDays ?? 7,
      maxWindows: options.maxAuxWindows ?? 8,
      minHistoryDays: options.minHistoryDays,
    });
    for (const cutoff of cutoffs) windows.push({ cutoff, horizonDays });
  }
  return windows;
}

/**
 * Cutoffs of the training windows for scoring at `asOf`: asOf - horizon, then earlier by
 * `stepDays`, while at least `minHistoryDays` of data lie before the cutoff. Every label period
 * ends at or before `asOf`.
 */
export function trainingCutoffs(asOf: number, dataStart: number, options: WindowOptions): number[] {
  const step = (options.stepDays ?? 14) * DAY_MS;
  const maxWindows = options.maxWindows ?? 4;
  const minStart = dataStart + (options.minHistoryDays ?? 28) * DAY_MS;
  const cutoffs: number[] = [];
  for (let c = asOf - options.horizonDays * DAY_MS; c >= minStart && cutoffs.length < maxWindows; c -= step) {
    cutoffs.push(c);
  }
  return cutoffs;
}

/** Training examples for scoring at `asOf`: every window's features and labels lie before asOf. */
export function trainingExamples(
  customers: CustomerHistory[],
  asOf: number,
  dataStart: number,
  homeCountry: string | null,
  options: WindowOptions,
): ChurnExample[] {
  const out: ChurnExample[] = [];
  for (const { cutoff, horizonDays } of trainingWindows(asOf, dataStart, options)) {
    out.push(...labelledExamples(customers, cutoff, horizonDays, homeCountry, asOf));
  }
  return out;
}
