/**
 * A trained uplift model as plain JSON: the standardisation of its inputs, the learner fitted on
 * each cross-validation fold (their average is the prediction), where a prediction ranks among the
 * training customers, and the calibration that turns that rank into uplift measured on held-out
 * customers. Scoring is plain TypeScript (no TensorFlow).
 */
import { percentileIn } from '../features/churnFeatures';
import { groupAt, type UpliftCalibration, type UpliftGroup } from './calibration';
import { predictLearner, type Learner, type LearnerModel } from './learners';
import type { Architecture, Matrix } from './network';

/** Standardised inputs further out than this are clipped: no extrapolation far outside training. */
export const MAX_Z = 5;

export interface CandidateResult {
  learner: Learner;
  architecture: Architecture;
  /** Qini coefficient of the held-out (out-of-fold) predictions on the training data. */
  validationQini: number;
  validationUpliftAt30: number | null;
}

export interface UpliftValidation {
  /** The chosen candidate's held-out Qini coefficient and uplift at 30%. */
  qini: number;
  upliftAt30: number | null;
  /** Spread of the Qini coefficient of random rankings of the same customers. */
  randomQiniSd: number;
  /** The Qini a ranking had to beat to count as better than random (with every candidate tried). */
  threshold: number;
  folds: number;
  candidates: CandidateResult[];
}

export interface UpliftModel {
  kind: 'uplift';
  features: string[];
  mean: number[];
  std: number[];
  learner: Learner;
  architecture: Architecture;
  /** One fitted learner per fold; the model's raw score is their average. */
  folds: LearnerModel[];
  /** Quantiles (0, 1/200, ..., 1) of the raw score over the training customers. */
  scoreGrid: number[];
  calibration: UpliftCalibration;
  validation: UpliftValidation;
  data: { rows: number; treated: number; control: number; treatedRate: number; controlRate: number };
  /** Whether the model may target customers; when not, `reason` says why (and campaigns use churn risk). */
  usable: boolean;
  reason: string;
}

/** Standardised copy of raw feature rows (clipped to +-MAX_Z; features constant in training stay 0). */
export function standardise(model: Pick<UpliftModel, 'mean' | 'std'>, m: Matrix): Matrix {
  const x = new Float32Array(m.x.length);
  for (let r = 0; r < m.rows; r++) {
    for (let j = 0; j < m.cols; j++) {
      const sd = model.std[j];
      const v = sd > 0 ? (m.x[r * m.cols + j] - model.mean[j]) / sd : 0;
      x[r * m.cols + j] = Number.isFinite(v) ? Math.max(-MAX_Z, Math.min(MAX_Z, v)) : 0;
    }
  }
  return { x, rows: m.rows, cols: m.cols };
}

/** The average of the fold learners' uplift on standardised rows. */
export function ensembleScores(folds: LearnerModel[], z: Matrix): Float64Array {
  const out = new Float64Array(z.rows);
  for (const f of folds) {
    const s = predictLearner(f, z);
    for (let i = 0; i < out.length; i++) out[i] += s[i] / folds.length;
  }
  return out;
}

export interface UpliftPrediction {
  /** The model's raw score (ranking). */
  score: number;
  /** Where the score ranks among the training customers, 0..1. */
  percentile: number;
  /** The calibrated uplift: the observed effect among held-out customers ranked alike. */
  uplift: number;
  group: UpliftGroup;
}

/** Raw-feature rows in, calibrated predictions out. */
export function predictUplift(model: UpliftModel, m: Matrix): UpliftPrediction[] {
  const scores = ensembleScores(model.folds, standardise(model, m));
  return Array.from(scores, (score) => {
    const percentile = percentileIn(model.scoreGrid, score);
    const group = groupAt(model.calibration, percentile);
    return { score, percentile, uplift: group.uplift, group };
  });
}

/** A matrix from plain rows (each of the model's feature count). */
export function matrixOf(rows: number[][], cols: number): Matrix {
  const x = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => x.set(r, i * cols));
  return { x, rows: rows.length, cols };
}
