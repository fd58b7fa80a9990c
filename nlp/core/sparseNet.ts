/**
 * A small network over sparse TF-IDF vectors, trained with TensorFlow.js: an "embedding bag"
 * (gather the rows of the active features, weight them by their values, sum) followed by
 * either nothing (a linear softmax classifier), a linear bottleneck (fastText) or a ReLU
 * hidden layer (MLP), plus optional dense side features (e.g. lexicon scores).
 * Training runs in TF.js; prediction runs in plain JS on the trained weights, which is what
 * keeps one classification well under a millisecond once a model is loaded.
 */
import { loadTf, type Tf } from '../../lib/tf';
import type { SparseVector } from '../text/features';
import { seededRandom, shuffleInPlace } from '../../lib/random';

export type NetArchitecture = 'linear' | 'fasttext' | 'mlp';

export interface NetShape {
  architecture: NetArchitecture;
  inputDim: number;
  denseDim: number;
  /** Width of the bottleneck / hidden layer (ignored by 'linear'). */
  hidden: number;
  classes: number;
}

export interface NetWeights {
  shape: NetShape;
  /** inputDim x (hidden or classes), row-major. */
  emb: Float32Array;
  /** hidden x classes (fasttext, mlp). */
  out?: Float32Array;
  /** denseDim x classes. */
  denseW?: Float32Array;
  /** hidden (mlp only). */
  hiddenBias?: Float32Array;
  bias: Float32Array;
}

export interface NetExample {
  x: SparseVector;
  dense?: Float32Array;
  label: number;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Share of input features dropped at random per example and step (regularises, helps typos). */
  featureDropout: number;
  /** Dropout on the hidden layer (mlp). */
  hiddenDropout?: number;
  seed: number;
  /** Loss weight per class (e.g. to balance rare classes); absent = 1 for every class. */
  classWeights?: Float32Array;
  /** Called after every epoch; `weights()` copies the current weights out of TF.js. */
  onEpoch?: (epoch: number, weights: () => NetWeights) => void;
}

function embWidth(shape: NetShape): number {
  return shape.architecture === 'linear' ? shape.classes : shape.hidden;
}

/**
 * Trains with TF.js computing the forward pass and gradients of each mini-batch, on only the
 * embedding rows that batch touches (gathered into a small tensor). The weights live in plain
 * Float32Arrays and are updated by a "lazy" Adam: rows of features absent from a batch are
 * not touched, so a step costs O(batch features), not O(vocabulary) -- 20-50x faster on
 * corpora with tens of thousands of n-grams than dense updates of the whole table.
 */
export async function trainNet(
  examples: NetExample[],
  shape: NetShape,
  opts: TrainOptions,
): Promise<NetWeights> {
  const tf = await loadTf();
  const random = seededRandom(opts.seed);
  const width = embWidth(shape);
  const init = (n: number, scale: number) => {
    const a = new Float32Array(n);
    if (scale > 0) for (let i = 0; i < n; i++) a[i] = (random() * 2 - 1) * scale;
    return a;
  };
  const linear = shape.architecture === 'linear';
  const w: NetWeights = {
    shape,
    emb: init(shape.inputDim * width, linear ? 0 : 0.1),
    out: linear ? undefined : init(width * shape.classes, Math.sqrt(6 / (width + shape.classes))),
    hiddenBias: shape.architecture === 'mlp' ? new Float32Array(width) : undefined,
    denseW: shape.denseDim > 0 ? new Float32Array(shape.denseDim * shape.classes) : undefined,
    bias: new Float32Array(shape.classes),
  };
  const adam = new LazyAdam(opts.learningRate);
  const order = examples.map((_, i) => i);
  const snapshot = (): NetWeights => ({
    shape,
    emb: w.emb.slice(),
    out: w.out?.slice(),
    denseW: w.denseW?.slice(),
    hiddenBias: w.hiddenBias?.slice(),
    bias: w.bias.slice(),
  });
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize).map((i) => examples[i]);
      trainStep(tf, w, adam, batch, opts, random);
    }
    opts.onEpoch?.(epoch, snapshot);
  }
  return w;
}

/** Adam (Kingma & Ba) on plain arrays; `rows` limits an update to some rows of a table. */
class LazyAdam {
  private readonly m = new Map<Float32Array, Float32Array>();
  private readonly v = new Map<Float32Array, Float32Array>();
  private t = 0;

  constructor(
    private readonly lr: number,
    private readonly b1 = 0.9,
    private readonly b2 = 0.999,
    private readonly eps = 1e-7,
  ) {}

  nextStep(): void {
    this.t++;
  }

  /** grad holds `rows.length` rows of `width` values (or the whole param when rows is undefined). */
  apply(param: Float32Array, grad: Float32Array, width: number, rows?: Int32Array): void {
    let m = this.m.get(param);
    let v = this.v.get(param);
    if (!m || !v) {
      m = new Float32Array(param.length);
      v = new Float32Array(param.length);
      this.m.set(param, m);
      this.v.set(param, v);
    }
    const { b1, b2, eps } = this;
    const lrT = (this.lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    const n = rows ? rows.length : param.length / width;
    for (let r = 0; r < n; r++) {
      const base = (rows ? rows[r] : r) * width;
      const gBase = r * width;
      for (let j = 0; j < width; j++) {
        const g = grad[gBase + j];
        const k = base + j;
        m[k] = b1 * m[k] + (1 - b1) * g;
        v[k] = b2 * v[k] + (1 - b2) * g * g;
        param[k] -= (lrT * m[k]) / (Math.sqrt(v[k]) + eps);
      }
    }
  }
}

function trainStep(
  tf: Tf,
  w: NetWeights,
  adam: LazyAdam,
  batch: NetExample[],
  opts: TrainOptions,
  random: () => number,
): void {
  const { shape } = w;
  const width = embWidth(shape);
  const b = batch.length;
  const keep = 1 - opts.featureDropout;
  // Rows of the embedding table this batch uses, renumbered 0..u-1.
  const local = new Map<number, number>();
  const rows: number[] = [];
  const entries: [number, number, number][] = [];
  batch.forEach((e, r) => {
    for (let k = 0; k < e.x.idx.length; k++) {
      if (opts.featureDropout > 0 && random() > keep) continue;
      const row = e.x.idx[k];
      let l = local.get(row);
      if (l === undefined) {
        l = rows.length;
        local.set(row, l);
        rows.push(row);
      }
      entries.push([r, l, e.x.val[k] / keep]);
    }
  });
  if (rows.length === 0) rows.push(0);
  const rowIdx = Int32Array.from(rows);
  // The batch as a dense (batch x used rows) matrix: h = X . sub needs only matMul, whose
  // gradient every backend has (gather's needs UnsortedSegmentSum, missing from wasm).
  const xDense = new Float32Array(b * rowIdx.length);
  for (const [r, l, v] of entries) xDense[r * rowIdx.length + l] += v;
  const sub = new Float32Array(rowIdx.length * width);
  rowIdx.forEach((row, l) => sub.set(w.emb.subarray(row * width, (row + 1) * width), l * width));
  const labels = Int32Array.from(batch.map((e) => e.label));
  let dense: Float32Array | undefined;
  if (shape.denseDim > 0) {
    dense = new Float32Array(b * shape.denseDim);
    batch.forEach((e, r) => e.dense && dense!.set(e.dense, r * shape.denseDim));
  }
  const names: ('sub' | 'out' | 'hiddenBias' | 'denseW' | 'bias')[] = ['sub', 'bias'];
  if (w.out) names.push('out');
  if (w.hiddenBias) names.push('hiddenBias');
  if (w.denseW) names.push('denseW');
  const dropSeed = Math.floor(random() * 1e9);
  const grads = tf.tidy(() => {
    const xT = tf.tensor2d(xDense, [b, rowIdx.length]);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), shape.classes);
    const denseT = dense ? tf.tensor2d(dense, [b, shape.denseDim]) : undefined;
    const inputs = names.map((n) =>
      n === 'sub'
        ? tf.tensor2d(sub, [rowIdx.length, width])
        : n === 'bias'
          ? tf.tensor1d(w.bias)
          : n === 'out'
            ? tf.tensor2d(w.out!, [width, shape.classes])
            : n === 'hiddenBias'
              ? tf.tensor1d(w.hiddenBias!)
              : tf.tensor2d(w.denseW!, [shape.denseDim, shape.classes]),
    );
    const loss = (...t: import('@tensorflow/tfjs').Tensor[]) => {
      const get = (n: (typeof names)[number]) => t[names.indexOf(n)];
      let h: import('@tensorflow/tfjs').Tensor = tf.matMul(
        xT,
        get('sub') as import('@tensorflow/tfjs').Tensor2D,
      );
      if (shape.architecture === 'mlp') {
        h = tf.relu(tf.add(h, get('hiddenBias')));
        if (opts.hiddenDropout) h = tf.dropout(h, opts.hiddenDropout, undefined, dropSeed);
      }
      let logits = w.out
        ? tf.matMul(
            h as import('@tensorflow/tfjs').Tensor2D,
            get('out') as import('@tensorflow/tfjs').Tensor2D,
          )
        : h;
      if (denseT)
        logits = tf.add(logits, tf.matMul(denseT, get('denseW') as import('@tensorflow/tfjs').Tensor2D));
      logits = tf.add(logits, get('bias'));
      return opts.classWeights
        ? tf.losses.softmaxCrossEntropy(
            oneHot,
            logits,
            tf.tensor1d(Float32Array.from(batch.map((e) => opts.classWeights![e.label]))),
          )
        : tf.losses.softmaxCrossEntropy(oneHot, logits);
    };
    return tf.grads(loss)(inputs);
  });
  const data = grads.map((g) => g.dataSync() as Float32Array);
  grads.forEach((g) => g.dispose());
  adam.nextStep();
  names.forEach((n, i) => {
    if (n === 'sub') adam.apply(w.emb, data[i], width, rowIdx);
    else if (n === 'bias') adam.apply(w.bias, data[i], shape.classes);
    else if (n === 'out') adam.apply(w.out!, data[i], shape.classes);
    else if (n === 'hiddenBias') adam.apply(w.hiddenBias!, data[i], width);
    else adam.apply(w.denseW!, data[i], shape.classes);
  });
}

/**
 * One linear net whose logits are the mean of the given nets' logits (same shape): for a
 * linear softmax model, averaging the weights is exactly averaging the logits, so an ensemble
 * of seeds costs nothing at prediction time.
 */
export function averageLinearNets(nets: NetWeights[]): NetWeights {
  if (nets.length === 1) return nets[0];
  if (nets.some((n) => n.shape.architecture !== 'linear'))
    throw new Error('only linear nets can be averaged');
  const mean = (arrays: Float32Array[]) => {
    const out = new Float32Array(arrays[0].length);
    for (const a of arrays) for (let i = 0; i < a.length; i++) out[i] += a[i] / arrays.length;
    return out;
  };
  const denseW = nets[0].denseW ? mean(nets.map((n) => n.denseW!)) : undefined;
  return {
    shape: nets[0].shape,
    emb: mean(nets.map((n) => n.emb)),
    denseW,
    bias: mean(nets.map((n) => n.bias)),
  };
}

/** Logits for one example, computed in plain JS from the trained weights. */
export function netLogits(w: NetWeights, x: SparseVector, dense?: Float32Array): Float32Array {
  const { shape } = w;
  const width = embWidth(shape);
  const h = new Float32Array(width);
  for (let k = 0; k < x.idx.length; k++) {
    const base = x.idx[k] * width;
    const v = x.val[k];
    for (let j = 0; j < width; j++) h[j] += v * w.emb[base + j];
  }
  let logits: Float32Array;
  if (shape.architecture === 'linear') {
    logits = h;
  } else {
    if (shape.architecture === 'mlp')
      for (let j = 0; j < width; j++) h[j] = Math.max(0, h[j] + w.hiddenBias![j]);
    logits = new Float32Array(shape.classes);
    const out = w.out!;
    for (let j = 0; j < width; j++) {
      const hj = h[j];
      if (hj === 0) continue;
      const base = j * shape.classes;
      for (let c = 0; c < shape.classes; c++) logits[c] += hj * out[base + c];
    }
  }
  if (dense && w.denseW) {
    for (let d = 0; d < shape.denseDim; d++) {
      const base = d * shape.classes;
      for (let c = 0; c < shape.classes; c++) logits[c] += dense[d] * w.denseW[base + c];
    }
  }
  for (let c = 0; c < shape.classes; c++) logits[c] += w.bias[c];
  return logits;
}

export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const p = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    p[i] = Math.exp(logits[i] / temperature - max);
    sum += p[i];
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/**
 * Temperature scaling (Guo et al. 2017): the single T minimising held-out negative
 * log-likelihood, found by golden-section search on log T. Calibrates confidence without
 * changing which class wins.
 */
export function fitTemperature(logits: ArrayLike<number>[], labels: number[]): number {
  if (logits.length === 0) return 1;
  const nll = (logT: number) => {
    const t = Math.exp(logT);
    let total = 0;
    logits.forEach((l, i) => (total -= Math.log(Math.max(softmax(l, t)[labels[i]], 1e-12))));
    return total;
  };
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 40; it++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (nll(a) < nll(b)) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}

/** Float arrays of a net, in a fixed order, for saving next to a JSON description. */
export function netArrays(w: NetWeights): Record<string, Float32Array> {
  const arrays: Record<string, Float32Array> = { emb: w.emb, bias: w.bias };
  if (w.out) arrays.out = w.out;
  if (w.denseW) arrays.denseW = w.denseW;
  if (w.hiddenBias) arrays.hiddenBias = w.hiddenBias;
  return arrays;
}

export function netFromArrays(shape: NetShape, a: Record<string, Float32Array>): NetWeights {
  return { shape, emb: a.emb, bias: a.bias, out: a.out, denseW: a.denseW, hiddenBias: a.hiddenBias };
}
