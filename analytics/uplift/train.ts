/**
 * Trains an uplift model on a randomised experiment and says honestly whether it can be used.
 *
 * Candidates: the two-model and the class-transformation learner, each on a logistic regression
 * and a 16-unit MLP. Each candidate is cross-validated on the training data alone (folds
 * stratified by group and outcome): every training customer gets a prediction from a model that
 * never saw them, and the candidate with the best Qini coefficient of those held-out predictions
 * is kept (an MLP must win by MLP_MARGIN). Its fold models, averaged, are the model; its held-out
 * predictions calibrate it (calibration.ts).
 *
 * Usable only when both groups are big enough and the held-out Qini beats random rankings of the
 * same customers clearly: above `threshold`, the one-sided 5% level of random rankings' Qini
 * (their spread measured on PERMUTATIONS shuffles), Bonferroni-corrected for the candidates tried.
 * Otherwise `usable` is false and `reason` says which limit was hit.
 */
import { quantileGrid } from '../features/churnFeatures';
import { normalQuantile } from '../math/special';
import { seededRandom, shuffleInPlace } from '../../lib/random';
import { fitCalibration } from './calibration';
import { fitLearner, predictLearner, type Arms, type Learner, type LearnerModel } from './learners';
import { ensembleScores, standardise, type CandidateResult, type UpliftModel } from './model';
import { perfectCurves, randomRankingMeasures, rankingMeasures } from './metrics';
import type { Architecture, Matrix } from './network';

export interface UpliftTrainingOptions {
  seed?: number;
  folds?: number;
  /** Which candidates to try (default: every learner on every architecture). */
  candidates?: Array<{ learner: Learner; architecture: Architecture }>;
  /** Gradient steps per network fit (see network.ts). */
  steps?: number;
  /** Smallest group (treated or control) for a usable model, and fewest outcomes in each. */
  minPerArm?: number;
  minOutcomesPerArm?: number;
}

export const ALL_CANDIDATES: Array<{ learner: Learner; architecture: Architecture }> = [
  { learner: 'two-model', architecture: 'logistic' },
  { learner: 'class-transformation', architecture: 'logistic' },
  { learner: 'two-model', architecture: 'mlp' },
  { learner: 'class-transformation', architecture: 'mlp' },
];

/** Below these a fit is not even attempted: there is nothing to learn from. */
export const MIN_ROWS_TO_FIT = { perArm: 20, outcomesPerArm: 2 };
const DEFAULT_MIN_PER_ARM = 100;
const DEFAULT_MIN_OUTCOMES_PER_ARM = 10;
const MLP_MARGIN = 0.01;
const PERMUTATIONS = 40;
const L2 = { logistic: 1e-3, mlp: 3e-3 };

export class TooLittleDataError extends Error {}

export interface ArmCounts {
  rows: number;
  treated: number;
  control: number;
  treatedHits: number;
  controlHits: number;
}

export function armCounts(arms: Arms, rows = arms.t.length): ArmCounts {
  const c = { rows, treated: 0, control: 0, treatedHits: 0, controlHits: 0 };
  for (let i = 0; i < rows; i++) {
    if (arms.t[i] === 1) {
      c.treated++;
      c.treatedHits += arms.y[i];
    } else {
      c.control++;
      c.controlHits += arms.y[i];
    }
  }
  return c;
}

/** Why the groups are too small to fit at all (null: they are not). */
export function tooLittleToFit(c: ArmCounts): string | null {
  const { perArm, outcomesPerArm } = MIN_ROWS_TO_FIT;
  if (c.treated < perArm || c.control < perArm)
    return `only ${c.treated} treated and ${c.control} control customers: at least ${perArm} of each are needed to learn anything`;
  if (c.treatedHits < outcomesPerArm || c.controlHits < outcomesPerArm)
    return `only ${c.treatedHits} outcomes among the treated and ${c.controlHits} among the control customers: too few to learn anything`;
  return null;
}

/** Fold of each row: stratified by (group, outcome), in a seeded order. */
export function stratifiedFolds(arms: Arms, folds: number, seed: number): Int32Array {
  const fold = new Int32Array(arms.t.length);
  const random = seededRandom(seed);
  for (const t of [0, 1]) {
    for (const y of [0, 1]) {
      const members: number[] = [];
      for (let i = 0; i < fold.length; i++) if (arms.t[i] === t && arms.y[i] === y) members.push(i);
      shuffleInPlace(members, random);
      members.forEach((i, k) => (fold[i] = k % folds));
    }
  }
  return fold;
}

function meanStd(m: Matrix): { mean: number[]; std: number[] } {
  const mean = new Array<number>(m.cols).fill(0);
  const sq = new Array<number>(m.cols).fill(0);
  for (let r = 0; r < m.rows; r++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.x[r * m.cols + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  for (let j = 0; j < m.cols; j++) {
    mean[j] /= m.rows;
    sq[j] = sq[j] / m.rows - mean[j] * mean[j];
  }
  // A feature that never varied in training taught the model nothing: std 0 marks it, and
  // standardise() keeps it at 0 even when it varies later (e.g. offer history after the first campaign).
  return { mean, std: sq.map((v) => (v > 1e-12 ? Math.sqrt(v) : 0)) };
}

/** Spread of the Qini coefficient when the same customers are ranked at random. */
function randomQiniSd(arms: Arms, seed: number): number {
  const values = randomRankingMeasures(arms, seededRandom(seed), PERMUTATIONS).map((m) => m.qini);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * Fits the model on raw feature rows `m` with groups and outcomes `arms`. Throws
 * TooLittleDataError when there is too little to fit at all.
 */
export async function trainUpliftModel(
  m: Matrix,
  features: string[],
  arms: Arms,
  options: UpliftTrainingOptions = {},
): Promise<UpliftModel> {
  const seed = options.seed ?? 42;
  const folds = options.folds ?? 3;
  const counts = armCounts(arms, m.rows);
  const hopeless = tooLittleToFit(counts);
  if (hopeless) throw new TooLittleDataError(hopeless);
  const { mean, std } = meanStd(m);
  const z = standardise({ mean, std }, m);
  const fold = stratifiedFolds(arms, folds, seed);
  const rowsOf = (k: number, inFold: boolean) => {
    const out: number[] = [];
    for (let i = 0; i < fold.length; i++) if ((fold[i] === k) === inFold) out.push(i);
    return out;
  };

  const perfect = perfectCurves(arms);
  const candidates: CandidateResult[] = [];
  let best: { candidate: CandidateResult; models: LearnerModel[]; oof: Float64Array } | undefined;
  for (const { learner, architecture } of options.candidates ?? ALL_CANDIDATES) {
    const oof = new Float64Array(m.rows);
    const models: LearnerModel[] = [];
    for (let k = 0; k < folds; k++) {
      const model = await fitLearner(
        learner,
        architecture,
        z,
        arms,
        { seed: seed + 13 * k, l2: L2[architecture], steps: options.steps },
        rowsOf(k, false),
      );
      models.push(model);
      const held = rowsOf(k, true);
      const s = predictLearner(model, subMatrix(z, held));
      // Each fold's predictions as ranks within the fold: a fold model that is shifted as a whole
      // (its groups' base rates differ by chance) must not move its customers up or down the
      // pooled ranking; only the order it gives its own customers counts.
      const ranks = withinRanks(s);
      held.forEach((r, i) => (oof[r] = ranks[i]));
    }
    const measured = rankingMeasures(arms, oof, 0.3, perfect);
    const candidate: CandidateResult = {
      learner,
      architecture,
      validationQini: measured.qini,
      validationUpliftAt30: finiteOrNull(measured.upliftAtK),
    };
    candidates.push(candidate);
    const margin = architecture === 'mlp' ? MLP_MARGIN : 0;
    if (!best || candidate.validationQini > best.candidate.validationQini + margin)
      best = { candidate, models, oof };
  }
  const chosen = best!;
  const sd = randomQiniSd(arms, seed + 1);
  const threshold = normalQuantile(1 - 0.05 / candidates.length) * sd;
  const calibration = fitCalibration(chosen.oof, arms);
  const scoreGrid = quantileGrid(Array.from(ensembleScores(chosen.models, z)), 201);
  const usable = usability(counts, chosen.candidate.validationQini, threshold, options);
  return {
    kind: 'uplift',
    features,
    mean,
    std,
    learner: chosen.candidate.learner,
    architecture: chosen.candidate.architecture,
    folds: chosen.models,
    scoreGrid,
    calibration,
    validation: {
      qini: chosen.candidate.validationQini,
      upliftAt30: chosen.candidate.validationUpliftAt30,
      randomQiniSd: sd,
      threshold,
      folds,
      candidates,
    },
    data: {
      rows: counts.rows,
      treated: counts.treated,
      control: counts.control,
      treatedRate: counts.treatedHits / counts.treated,
      controlRate: counts.controlHits / counts.control,
    },
    ...usable,
  };
}

function usability(
  c: ArmCounts,
  qini: number,
  threshold: number,
  options: UpliftTrainingOptions,
): { usable: boolean; reason: string } {
  const minArm = options.minPerArm ?? DEFAULT_MIN_PER_ARM;
  const minHits = options.minOutcomesPerArm ?? DEFAULT_MIN_OUTCOMES_PER_ARM;
  if (c.treated < minArm || c.control < minArm)
    return {
      usable: false,
      reason: `only ${c.treated} treated and ${c.control} control customers to learn from; at least ${minArm} of each are needed`,
    };
  if (c.treatedHits < minHits || c.controlHits < minHits)
    return {
      usable: false,
      reason: `only ${c.treatedHits} outcomes among the treated and ${c.controlHits} among the control customers; at least ${minHits} of each are needed`,
    };
  const q = qini.toFixed(3);
  if (!(qini > threshold))
    return {
      usable: false,
      reason: `on held-out customers the model ranked no better than random (Qini ${q}; random rankings reach ${threshold.toFixed(3)} by chance)`,
    };
  return {
    usable: true,
    reason: `on held-out customers the model ranked better than random (Qini ${q}, chance level ${threshold.toFixed(3)})`,
  };
}

/** Each value's rank among `values` as a fraction in (0, 1); ties share their mean rank. */
function withinRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = ((i + j) / 2 + 0.5) / n;
    i = j + 1;
  }
  return ranks;
}

function subMatrix(m: Matrix, rows: number[]): Matrix {
  const x = new Float32Array(rows.length * m.cols);
  rows.forEach((r, i) => x.set(m.x.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return { x, rows: rows.length, cols: m.cols };
}
