/**
 * The two network shapes the uplift learners use, fitted with TensorFlow.js and kept as plain
 * JSON: a logistic regression (one dense layer) and a small MLP (one hidden ReLU layer). Each is
 * fitted to a binary target with per-row weights (the class-transformation learner needs them
 * when the treated share is not one half), by Adam on mini-batches in a seeded order. Scoring is
 * a few multiplications in plain TypeScript, so serving needs no TensorFlow.
 */
import { loadTf, type Tf } from '../../lib/tf';
import { seededRandom, shuffleInPlace } from '../../lib/random';

export type Architecture = 'logistic' | 'mlp';

export interface DenseLayer {
  /** weights[input][output] */
  weights: number[][];
  bias: number[];
  activation: 'relu' | 'linear';
}

/** A fitted network: the last layer has one output, the logit. */
export interface Network {
  architecture: Architecture;
  layers: DenseLayer[];
}

/** Rows of standardised inputs, row-major: row i is x[i*d .. i*d + d). */
export interface Matrix {
  x: Float32Array;
  rows: number;
  cols: number;
}

export interface FitOptions {
  architecture: Architecture;
  seed: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
  hiddenUnits?: number;
  /**
   * About this many gradient steps in all: small data sets get more passes, large ones fewer,
   * so the cost of a fit stays bounded (at least MIN_EPOCHS, at most MAX_EPOCHS passes).
   */
  steps?: number;
  learningRate?: number;
}

const MIN_EPOCHS = 4;
const MAX_EPOCHS = 25;
const DEFAULT_STEPS = 300;

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The network's logit for row `row` of `m` (a scratch buffer per hidden layer is reused). */
export function logit(net: Network, m: Matrix, row: number): number {
  let input: ArrayLike<number> = m.x.subarray(row * m.cols, (row + 1) * m.cols);
  for (const layer of net.layers) {
    const out = layer.bias.slice();
    for (let i = 0; i < input.length; i++) {
      const v = input[i];
      if (v === 0) continue;
      const w = layer.weights[i];
      for (let j = 0; j < out.length; j++) out[j] += v * w[j];
    }
    if (layer.activation === 'relu') for (let j = 0; j < out.length; j++) if (out[j] < 0) out[j] = 0;
    input = out;
  }
  return input[0];
}

/** P(target = 1) for every row. */
export function predictProbabilities(net: Network, m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = sigmoid(logit(net, m, r));
  return out;
}

/**
 * Fits a network to `target` (0/1) on the rows listed in `rows` (all rows when omitted), with
 * optional per-row weights (mean 1 is the natural scale).
 */
export async function fitNetwork(
  m: Matrix,
  target: ArrayLike<number>,
  options: FitOptions,
  rows?: ArrayLike<number>,
  weights?: ArrayLike<number>,
): Promise<Network> {
  const tf = await loadTf();
  const index = rows ? Array.from(rows) : Array.from({ length: m.rows }, (_, i) => i);
  const n = index.length;
  if (n === 0) throw new Error('no rows to fit');
  const d = m.cols;
  const hidden = options.architecture === 'mlp' ? (options.hiddenUnits ?? 16) : 0;
  const batch = Math.max(64, Math.min(1024, Math.ceil(n / 4)));
  const perEpoch = Math.ceil(n / batch);
  const epochs = Math.max(
    MIN_EPOCHS,
    Math.min(MAX_EPOCHS, Math.round((options.steps ?? DEFAULT_STEPS) / perEpoch)),
  );
  const params = initialParams(tf, d, hidden, options.seed);
  const optimizer = tf.train.adam(options.learningRate ?? 0.02);
  const random = seededRandom(options.seed + 101);
  const xs = new Float32Array(batch * d);
  const ys = new Float32Array(batch);
  const ws = new Float32Array(batch);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(index, random);
      for (let start = 0; start < n; start += batch) {
        const size = Math.min(batch, n - start);
        for (let k = 0; k < size; k++) {
          const r = index[start + k];
          xs.set(m.x.subarray(r * d, (r + 1) * d), k * d);
          ys[k] = target[r];
          ws[k] = weights ? weights[r] : 1;
        }
        const xb = tf.tensor2d(xs.subarray(0, size * d), [size, d]);
        const yb = tf.tensor2d(ys.subarray(0, size), [size, 1]);
        const wb = tf.tensor2d(ws.subarray(0, size), [size, 1]);
        optimizer.minimize(() => {
          const z = forward(tf, params, xb);
          // Weighted binary cross-entropy on logits, in its numerically stable form.
          const loss = tf
            .relu(z)
            .sub(z.mul(yb))
            .add(tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
          const penalty = params.kernels.reduce((s, k) => s.add(tf.sum(tf.square(k))), tf.scalar(0));
          return tf.mean(loss.mul(wb)).add(penalty.mul(options.l2)) as ReturnType<Tf['scalar']>;
        });
        xb.dispose();
        yb.dispose();
        wb.dispose();
      }
    }
    return { architecture: options.architecture, layers: await exportLayers(params) };
  } finally {
    optimizer.dispose();
    for (const v of [...params.kernels, ...params.biases]) v.dispose();
  }
}

interface Params {
  kernels: ReturnType<Tf['variable']>[];
  biases: ReturnType<Tf['variable']>[];
}

function initialParams(tf: Tf, d: number, hidden: number, seed: number): Params {
  const kernels = [];
  const biases = [];
  if (hidden > 0) {
    kernels.push(tf.variable(tf.initializers.heNormal({ seed }).apply([d, hidden]) as never));
    biases.push(tf.variable(tf.zeros([hidden])));
  }
  const inputs = hidden > 0 ? hidden : d;
  kernels.push(tf.variable(tf.initializers.glorotUniform({ seed: seed + 1 }).apply([inputs, 1]) as never));
  biases.push(tf.variable(tf.zeros([1])));
  return { kernels, biases };
}

function forward(tf: Tf, p: Params, x: ReturnType<Tf['tensor2d']>): ReturnType<Tf['tensor2d']> {
  let h = x;
  p.kernels.forEach((k, i) => {
    h = tf.matMul(h, k).add(p.biases[i]);
    if (i < p.kernels.length - 1) h = tf.relu(h);
  });
  return h;
}

async function exportLayers(p: Params): Promise<DenseLayer[]> {
  const layers: DenseLayer[] = [];
  for (let i = 0; i < p.kernels.length; i++) {
    layers.push({
      weights: (await p.kernels[i].array()) as number[][],
      bias: Array.from(await p.biases[i].data()),
      activation: i < p.kernels.length - 1 ? 'relu' : 'linear',
    });
  }
  return layers;
}
