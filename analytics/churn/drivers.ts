/**
 * Why a customer got their churn score, in words a marketer can read. Each driver is a group of
 * related features; its effect is how much the model's log-odds change when the group is set
 * to the training average (occlusion). This works the same for logistic regression and the MLP.
 */
import { DEMAND_WINDOW_DAYS, type CustomerFacts } from '../features/customerFacts';
import type { ChurnFeatureName } from '../features/churnFeatures';
import { logitOfStandardised, standardise, type ChurnModel } from './model';

export interface ChurnDriver {
  factor:
    | 'recency'
    | 'frequency'
    | 'recent activity'
    | 'spend'
    | 'tenure'
    | 'returns'
    | 'basket'
    | 'market'
    | 'product demand'
    | 'expected purchases';
  /** Change in log-odds of churn this factor causes compared with an average customer. */
  effect: number;
  /** Whether the factor makes churn more or less likely. */
  direction: 'raises risk' | 'lowers risk';
  text: string;
}

const GROUPS: { factor: ChurnDriver['factor']; features: ChurnFeatureName[] }[] = [
  { factor: 'recency', features: ['logRecency', 'recencyVsInterval'] },
  {
    factor: 'frequency',
    features: [
      'logFrequency',
      'hasRepeat',
      'logMeanInterval',
      'intervalIrregularity',
      'logMonthlyRate',
      'frequencyRank',
      'meanIntervalRank',
      'monthlyRateRank',
    ],
  },
  {
    factor: 'recent activity',
    features: ['logLast30', 'logLast90', 'recentShare', 'last90Rank', 'recentShareRank'],
  },
  { factor: 'spend', features: ['logMonetary', 'logAverageOrder', 'monetaryRank'] },
  { factor: 'tenure', features: ['logTenure', 'tenureRank'] },
  { factor: 'returns', features: ['returnShare'] },
  {
    factor: 'basket',
    features: ['logBasketUnits', 'logBasketProducts', 'logProductBreadth', 'productBreadthRank'],
  },
  { factor: 'market', features: ['domestic'] },
  { factor: 'product demand', features: ['productDemand'] },
  { factor: 'expected purchases', features: ['bgnbdNoPurchaseLogit', 'bgnbdLogExpected'] },
];

const days = (d: number) => `${Math.round(d)} day${Math.round(d) === 1 ? '' : 's'}`;
/** A share as a percentage a reader can compare: one decimal below 10%, whole numbers above. */
const percent = (share: number) =>
  `${(share * 100).toLocaleString('en-GB', { maximumFractionDigits: share < 0.1 ? 1 : 0 })}%`;
const money = (v: number) => `£${v.toLocaleString('en-GB', { maximumFractionDigits: 0 })}`;
const orders = (n: number) => (n === 1 ? 'one order' : `${n} orders`);

export function describeFactor(
  factor: ChurnDriver['factor'],
  f: CustomerFacts,
  horizonDays: number,
  expected?: number,
): string {
  switch (factor) {
    case 'recency':
      return f.meanIntervalDays !== null
        ? `no order for ${days(f.recencyDays)}, usually orders every ${days(f.meanIntervalDays)}`
        : `no order for ${days(f.recencyDays)}, bought only once`;
    case 'frequency':
      return f.frequency === 1
        ? 'a single purchase so far'
        : `${f.frequency} purchase days in ${days(f.tenureDays)}${f.meanIntervalDays !== null ? `, about one every ${days(f.meanIntervalDays)}` : ''}`;
    case 'recent activity':
      return f.purchasesLast90 === 0
        ? 'no purchase in the last 90 days'
        : `${f.purchasesLast90} purchase day${f.purchasesLast90 === 1 ? '' : 's'} in the last 90 days (${f.purchasesLast30} in the last 30)`;
    case 'spend':
      // Net of cancellations and returns; say so when they made a difference, or the numbers look contradictory.
      if (f.monetary < f.grossValue)
        return `${orders(f.orders)} worth ${money(f.grossValue)}, ${money(Math.max(0, f.monetary))} after cancellations and returns`;
      return f.orders === 1
        ? `spent ${money(f.monetary)} on one order`
        : `spent ${money(f.monetary)} over ${orders(f.orders)}, about ${money(f.monetary / f.orders)} each`;
    case 'tenure':
      return `first bought ${days(f.tenureDays)} ago`;
    case 'returns':
      return f.returnShare > 0
        ? `cancelled or returned ${Math.round(f.returnShare * 100)}% of what they bought`
        : 'never cancelled or returned anything';
    case 'basket':
      return `${f.productBreadth} different products bought, about ${Math.round(f.meanProducts)} per order`;
    case 'market':
      return f.country ? `a customer in ${f.country}` : 'country unknown';
    case 'product demand':
      if (f.productDemandShare === null) return 'demand for their products not known';
      // Below half a percent, "about 0.1%" reads as a precise figure; what it means is "hardly anyone".
      return f.productDemandShare < 0.005
        ? `hardly any other customer bought their products in the last ${days(DEMAND_WINDOW_DAYS)}`
        : `each of their products was bought by about ${percent(f.productDemandShare)} of the other customers of the last ${days(DEMAND_WINDOW_DAYS)}`;
    case 'expected purchases':
      return expected !== undefined
        ? `expected to buy about ${expected.toFixed(1)} times in the next ${days(horizonDays)} at their usual pace`
        : `purchase pattern over the next ${days(horizonDays)}`;
  }
}

/** The top drivers (largest absolute effect first) of the customer's churn score. */
export function churnDrivers(
  model: ChurnModel,
  x: number[],
  facts: CustomerFacts,
  top = 3,
  expected?: number,
): ChurnDriver[] {
  const z = standardise(model, x);
  const base = logitOfStandardised(model, z);
  const index = new Map(model.features.map((name, i) => [name, i]));
  const drivers: ChurnDriver[] = [];
  for (const group of GROUPS) {
    const occluded = z.slice();
    let present = false;
    for (const name of group.features) {
      const i = index.get(name);
      if (i === undefined) continue;
      occluded[i] = 0;
      present = true;
    }
    if (!present) continue;
    const effect = (base - logitOfStandardised(model, occluded)) * model.calibration.a;
    drivers.push({
      factor: group.factor,
      effect: Math.round(effect * 1000) / 1000,
      direction: effect >= 0 ? 'raises risk' : 'lowers risk',
      text: describeFactor(group.factor, facts, model.horizonDays, expected),
    });
  }
  return drivers.sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect)).slice(0, top);
}
