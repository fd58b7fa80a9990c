/**
 * The buying profile the churn and uplift models both start from: how recently, how often and how
 * much a customer bought, for how long, their average order, and whether they ever came back.
 * Logs tame the long tails of counts and amounts.
 */
import type { CustomerFacts } from './customerFacts';

export const PROFILE_FEATURES = [
  'logRecency',
  'logFrequency',
  'logMonetary',
  'logTenure',
  'logAverageOrder',
  'hasRepeat',
] as const;

/** The values of PROFILE_FEATURES, in that order. */
export function profileFeatures(f: CustomerFacts): number[] {
  return [
    Math.log1p(f.recencyDays),
    Math.log1p(f.frequency),
    Math.log1p(f.monetary),
    Math.log1p(f.tenureDays),
    Math.log1p(Math.max(0, f.grossValue / f.orders)),
    f.meanIntervalDays !== null ? 1 : 0,
  ];
}
