/**
 * Calibrated uplift: what a customer's rank by predicted uplift has meant in customers the model
 * never saw. Held-out predictions are cut into equal-size groups by rank; each group's observed
 * uplift (treated rate - control rate) is measured; neighbouring groups are pooled where the
 * observed uplift falls as the predicted one rises (isotonic regression by pool-adjacent-
 * violators, weighted by group size), so the calibrated uplift never decreases with the score. A
 * model without signal thus calibrates to one pooled group: the average effect for everyone.
 *
 * Each calibrated group keeps its counts, so an estimate for many customers can carry an interval
 * (expectedEffect below). Pure.
 */
import { estimateUplift } from '../campaigns/uplift';
import type { Arms } from './learners';

export interface UpliftGroup {
  /** The group holds ranks (percentiles of the score, 0..1) below this (the last one: 1). */
  upTo: number;
  treated: number;
  treatedHits: number;
  control: number;
  controlHits: number;
  /** Observed uplift of the pooled group (treated rate - control rate). */
  uplift: number;
  /** Its 95% Newcombe interval. */
  low: number;
  high: number;
  /** Variance of the uplift estimate (normal approximation), for sums over customers. */
  variance: number;
}

export interface UpliftCalibration {
  groups: UpliftGroup[];
}

/** Groups with at least this many customers in the smaller arm each (at most MAX_GROUPS). */
const MIN_PER_ARM = 40;
const MAX_GROUPS = 10;

function group(upTo: number, treated: number, treatedHits: number, control: number, controlHits: number) {
  const e = estimateUplift(
    { successes: treatedHits, trials: treated },
    { successes: controlHits, trials: control },
  );
  const pt = treated ? treatedHits / treated : 0;
  const pc = control ? controlHits / control : 0;
  return {
    upTo,
    treated,
    treatedHits,
    control,
    controlHits,
    uplift: e.uplift ?? 0,
    low: e.interval?.low ?? -1,
    high: e.interval?.high ?? 1,
    variance: (treated ? (pt * (1 - pt)) / treated : 0.25) + (control ? (pc * (1 - pc)) / control : 0.25),
  };
}

/** Calibration from held-out scores of a randomised experiment. */
export function fitCalibration(scores: ArrayLike<number>, arms: Arms): UpliftCalibration {
  const n = scores.length;
  let treated = 0;
  for (let i = 0; i < n; i++) treated += arms.t[i];
  const smaller = Math.min(treated, n - treated);
  const count = Math.max(1, Math.min(MAX_GROUPS, Math.floor(smaller / MIN_PER_ARM)));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
  // Raw groups by rank, lowest scores first; then pooled until the uplift never decreases.
  type Block = { upTo: number; nt: number; yt: number; nc: number; yc: number };
  const blocks: Block[] = [];
  for (let g = 0; g < count; g++) {
    const from = Math.floor((g * n) / count);
    const to = Math.floor(((g + 1) * n) / count);
    const b: Block = { upTo: (g + 1) / count, nt: 0, yt: 0, nc: 0, yc: 0 };
    for (let k = from; k < to; k++) {
      const i = order[k];
      if (arms.t[i] === 1) {
        b.nt++;
        b.yt += arms.y[i];
      } else {
        b.nc++;
        b.yc += arms.y[i];
      }
    }
    blocks.push(b);
    const rate = (x: Block) => (x.nt ? x.yt / x.nt : 0) - (x.nc ? x.yc / x.nc : 0);
    while (blocks.length > 1 && rate(blocks[blocks.length - 2]) > rate(blocks[blocks.length - 1])) {
      const last = blocks.pop()!;
      const prev = blocks[blocks.length - 1];
      prev.upTo = last.upTo;
      prev.nt += last.nt;
      prev.yt += last.yt;
      prev.nc += last.nc;
      prev.yc += last.yc;
    }
  }
  return { groups: blocks.map((b) => group(b.upTo, b.nt, b.yt, b.nc, b.yc)) };
}

/** The calibrated group of a customer whose score ranks at `percentile` (0..1) among training customers. */
export function groupAt(c: UpliftCalibration, percentile: number): UpliftGroup {
  for (const g of c.groups) if (percentile < g.upTo) return g;
  return c.groups[c.groups.length - 1];
}

export interface EffectEstimate {
  /** Expected extra outcomes (e.g. purchases) among the customers. */
  estimate: number;
  /** 95% interval (normal approximation over the groups' measured uplift). */
  low: number;
  high: number;
}

/** Sum over groups of k x uplift, with variance sum of k^2 x variance (k: customers counted per group). */
function effectOf(counts: Map<UpliftGroup, number>, z: number): EffectEstimate {
  let estimate = 0;
  let variance = 0;
  for (const [g, k] of counts) {
    estimate += k * g.uplift;
    variance += k * k * g.variance;
  }
  const half = z * Math.sqrt(variance);
  return { estimate, low: estimate - half, high: estimate + half };
}

function tally(
  c: UpliftCalibration,
  percentiles: number[],
  sign: number,
  counts = new Map<UpliftGroup, number>(),
) {
  for (const p of percentiles) {
    const g = groupAt(c, p);
    counts.set(g, (counts.get(g) ?? 0) + sign);
  }
  return counts;
}

/**
 * Expected extra outcomes when treating customers at these percentiles: the sum of their groups'
 * uplift. Customers in one group share its estimate, so the variance is the sum over groups of
 * (customers in the group)^2 x the group's variance. The interval is that of the expected value
 * (how well the experiments pinned the groups' uplift down), not of one campaign's chance result.
 */
export function expectedEffect(
  c: UpliftCalibration,
  percentiles: number[],
  z = 1.959963984540054,
): EffectEstimate {
  return effectOf(tally(c, percentiles, 1), z);
}

/** How many more extra outcomes one selection is expected to bring than another, with the interval of the difference. */
export function effectDifference(
  c: UpliftCalibration,
  chosen: number[],
  other: number[],
  z = 1.959963984540054,
): EffectEstimate {
  return effectOf(tally(c, other, -1, tally(c, chosen, 1)), z);
}
