/**
 * Uplift learners: ways to turn a randomised experiment into a per-customer estimate of how much
 * the treatment changes the outcome.
 *
 * - Two-model (T-learner): one network for P(outcome | x, treated) on the treated rows, one for
 *   P(outcome | x, control) on the control rows; uplift = the difference of the two.
 * - Class transformation (Jaskowski & Jaroszewicz 2012): Z = 1 for treated responders and control
 *   non-responders, 0 otherwise. With both groups weighted to half the total (rows weighted by
 *   0.5 / share of their group), P(Z = 1 | x) = (1 + uplift) / 2, so one network on Z gives
 *   uplift = 2 P(Z = 1 | x) - 1. The weighting is what makes it valid when the treated share is
 *   not one half (a campaign's control group is usually 10%).
 *
 * Each fits either network shape of network.ts. Pure: arrays in, JSON out.
 */
import { fitNetwork, predictProbabilities, type Architecture, type Matrix, type Network } from './network';

export type Learner = 'two-model' | 'class-transformation';

export interface LearnerModel {
  learner: Learner;
  architecture: Architecture;
  /** two-model: [treated, control]; class-transformation: [z]. */
  networks: Network[];
}

export interface Arms {
  /** 1 treated, 0 control. */
  t: ArrayLike<number>;
  /** Outcome, 0 or 1. */
  y: ArrayLike<number>;
}

export interface LearnerOptions {
  seed: number;
  l2: number;
  hiddenUnits?: number;
  steps?: number;
}

/** Fits `learner` on the given rows of `m` (all rows when omitted). */
export async function fitLearner(
  learner: Learner,
  architecture: Architecture,
  m: Matrix,
  arms: Arms,
  options: LearnerOptions,
  rows?: ArrayLike<number>,
): Promise<LearnerModel> {
  const index = rows ? Array.from(rows) : Array.from({ length: m.rows }, (_, i) => i);
  const fit = { architecture, ...options };
  if (learner === 'two-model') {
    const treated = index.filter((r) => arms.t[r] === 1);
    const control = index.filter((r) => arms.t[r] === 0);
    const networks = [
      await fitNetwork(m, arms.y, fit, treated),
      await fitNetwork(m, arms.y, { ...fit, seed: options.seed + 7 }, control),
    ];
    return { learner, architecture, networks };
  }
  let treated = 0;
  for (const r of index) treated += arms.t[r];
  const share = treated / index.length;
  const z = new Float32Array(m.rows);
  const w = new Float32Array(m.rows);
  for (const r of index) {
    z[r] = arms.t[r] === 1 ? arms.y[r] : 1 - arms.y[r];
    w[r] = arms.t[r] === 1 ? 0.5 / share : 0.5 / (1 - share);
  }
  return { learner, architecture, networks: [await fitNetwork(m, z, fit, index, w)] };
}

/** The learner's uplift for every row of `m` (a difference of probabilities, -1 to 1). */
export function predictLearner(model: LearnerModel, m: Matrix): Float64Array {
  if (model.learner === 'two-model') {
    const treated = predictProbabilities(model.networks[0], m);
    const control = predictProbabilities(model.networks[1], m);
    return treated.map((p, i) => p - control[i]);
  }
  return predictProbabilities(model.networks[0], m).map((p) => 2 * p - 1);
}
