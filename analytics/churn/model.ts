/**
 * A trained churn model as plain JSON: standardisation, dense layers and a Platt calibration.
 * Scoring is a few multiplications in plain TypeScript, so the bot and the CLI do not need
 * TensorFlow to score; TensorFlow.js is only used to train (train.ts).
 */

export interface DenseLayer {
  /** weights[input][output] */
  weights: number[][];
  bias: number[];
  activation: 'relu' | 'linear';
}

export interface ChurnModel {
  kind: 'churn';
  architecture: 'logistic' | 'mlp';
  features: string[];
  mean: number[];
  std: number[];
  /** The last layer has one output: the logit before calibration. */
  layers: DenseLayer[];
  /** Calibrated probability = sigmoid(a * logit + b), fitted on the validation split. */
  calibration: { a: number; b: number };
  horizonDays: number;
  /** What the model was trained on and how it did on its validation split. */
  training: Record<string, unknown>;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Raw (uncalibrated) logit for one standardised input vector. */
export function logitOfStandardised(model: ChurnModel, z: number[]): number {
  let h = z;
  for (const layer of model.layers) {
    const out = layer.bias.slice();
    for (let i = 0; i < h.length; i++) {
      const v = h[i];
      if (v === 0) continue;
      const row = layer.weights[i];
      for (let j = 0; j < out.length; j++) out[j] += v * row[j];
    }
    if (layer.activation === 'relu') for (let j = 0; j < out.length; j++) out[j] = Math.max(0, out[j]);
    h = out;
  }
  return h[0];
}

/** Inputs further than this many standard deviations out are clipped: linear extrapolation far
 * outside the training range (e.g. a degenerate BG/NBD fit at the scoring date) is not evidence. */
export const MAX_Z = 5;

export function standardise(model: Pick<ChurnModel, 'mean' | 'std'>, x: number[]): number[] {
  return x.map((v, i) => Math.max(-MAX_Z, Math.min(MAX_Z, (v - model.mean[i]) / model.std[i])));
}

export function calibrated(model: ChurnModel, logit: number): number {
  return sigmoid(model.calibration.a * logit + model.calibration.b);
}

/** Calibrated churn probability for a raw feature vector. */
export function predictChurn(model: ChurnModel, x: number[]): number {
  return calibrated(model, logitOfStandardised(model, standardise(model, x)));
}
