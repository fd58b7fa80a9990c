/**
 * Matrix factorisation for implicit feedback: alternating least squares with confidence weights
 * (Hu, Koren & Volinsky 2008). Every customer x product cell is a preference p (1 if bought,
 * else 0) with confidence c = 1 + alpha * w, w the decayed purchase weight; each half-step
 * solves one small f x f system per customer (or product), approximately by conjugate gradient.
 * Plain typed arrays: at a few thousand customers and products this is faster than TF.js.
 */
import type { Interactions } from './interactions';
import { seededRandom } from '../../lib/random';

export interface AlsOptions {
  factors: number;
  iterations: number;
  regularization: number;
  alpha: number;
  seed: number;
  /** Conjugate-gradient steps per row and half-iteration (default 3). */
  cgSteps?: number;
}

export interface AlsModel {
  factors: number;
  nUsers: number;
  nItems: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
}

export function fitAls(m: Interactions, options: AlsOptions): AlsModel {
  const f = options.factors;
  const nUsers = m.customerIds.length;
  const nItems = m.itemSkus.length;
  const rand = seededRandom(options.seed);
  const X = new Float64Array(nUsers * f);
  const Y = new Float64Array(nItems * f);
  for (let i = 0; i < Y.length; i++) Y[i] = (rand() - 0.5) * 0.1;
  for (let i = 0; i < X.length; i++) X[i] = (rand() - 0.5) * 0.1;
  const work = new Workspace(f);
  for (let it = 0; it < options.iterations; it++) {
    solveSide(X, Y, nUsers, m.userPtr, m.userItems, m.userWeights, options, work);
    solveSide(Y, X, nItems, m.itemPtr, m.itemUsers, m.itemWeights, options, work);
  }
  return { factors: f, nUsers, nItems, userFactors: Float32Array.from(X), itemFactors: Float32Array.from(Y) };
}

class Workspace {
  readonly gram: Float64Array;
  readonly A: Float64Array;
  readonly b: Float64Array;
  constructor(readonly f: number) {
    this.gram = new Float64Array(f * f);
    this.A = new Float64Array(f * f);
    this.b = new Float64Array(f);
  }
}

/**
 * Recomputes every row of `target` given the fixed factors of the other side, by a few steps of
 * conjugate gradient warm-started from the current row (Takacs, Pilaszy & Tikk 2011, as in the
 * `implicit` library): O(nnz * f) per step instead of O(nnz * f^2) for the exact solve, with the
 * same fixed point.
 */
function solveSide(
  target: Float64Array,
  fixed: Float64Array,
  nRows: number,
  ptr: Int32Array,
  idx: Int32Array,
  weights: Float32Array,
  o: AlsOptions,
  ws: Workspace,
): void {
  const f = ws.f;
  const nFixed = fixed.length / f;
  const { gram, A: scratch, b: r } = ws;
  const p = scratch.subarray(0, f);
  const Ap = scratch.subarray(f, 2 * f);
  // Y^T Y + reg I over all products: the "everyone did not buy it" part shared by every row.
  gram.fill(0);
  for (let row = 0; row < nFixed; row++) {
    const o0 = row * f;
    for (let a = 0; a < f; a++) {
      const va = fixed[o0 + a];
      if (va === 0) continue;
      for (let c = a; c < f; c++) gram[a * f + c] += va * fixed[o0 + c];
    }
  }
  for (let a = 0; a < f; a++) {
    gram[a * f + a] += o.regularization;
    for (let c = 0; c < a; c++) gram[a * f + c] = gram[c * f + a];
  }
  const steps = o.cgSteps ?? 3;
  for (let row = 0; row < nRows; row++) {
    const start = ptr[row];
    const end = ptr[row + 1];
    const x0 = row * f;
    if (start === end) {
      target.fill(0, x0, x0 + f);
      continue;
    }
    // r = b - A x, with A = YtY + reg I + sum (c - 1) y y^T and b = sum c y.
    for (let a = 0; a < f; a++) {
      let s = 0;
      for (let c = 0; c < f; c++) s += gram[a * f + c] * target[x0 + c];
      r[a] = -s;
    }
    for (let k = start; k < end; k++) {
      const conf = 1 + o.alpha * weights[k];
      const y0 = idx[k] * f;
      let yx = 0;
      for (let a = 0; a < f; a++) yx += fixed[y0 + a] * target[x0 + a];
      const coef = conf - (conf - 1) * yx;
      for (let a = 0; a < f; a++) r[a] += coef * fixed[y0 + a];
    }
    let rsOld = 0;
    for (let a = 0; a < f; a++) {
      p[a] = r[a];
      rsOld += r[a] * r[a];
    }
    if (rsOld < 1e-20) continue;
    for (let it = 0; it < steps; it++) {
      for (let a = 0; a < f; a++) {
        let s = 0;
        for (let c = 0; c < f; c++) s += gram[a * f + c] * p[c];
        Ap[a] = s;
      }
      for (let k = start; k < end; k++) {
        const conf = 1 + o.alpha * weights[k];
        const y0 = idx[k] * f;
        let yp = 0;
        for (let a = 0; a < f; a++) yp += fixed[y0 + a] * p[a];
        const coef = (conf - 1) * yp;
        for (let a = 0; a < f; a++) Ap[a] += coef * fixed[y0 + a];
      }
      let pAp = 0;
      for (let a = 0; a < f; a++) pAp += p[a] * Ap[a];
      const alpha = rsOld / pAp;
      let rsNew = 0;
      for (let a = 0; a < f; a++) {
        target[x0 + a] += alpha * p[a];
        r[a] -= alpha * Ap[a];
        rsNew += r[a] * r[a];
      }
      if (rsNew < 1e-20) break;
      const beta = rsNew / rsOld;
      for (let a = 0; a < f; a++) p[a] = r[a] + beta * p[a];
      rsOld = rsNew;
    }
  }
}

/** scores[j] = x_u . y_j for every product j. */
export function scoreAls(model: AlsModel, user: number, scores: Float64Array): void {
  const f = model.factors;
  const X = model.userFactors;
  const Y = model.itemFactors;
  const u0 = user * f;
  for (let j = 0; j < model.nItems; j++) {
    let s = 0;
    const j0 = j * f;
    for (let p = 0; p < f; p++) s += X[u0 + p] * Y[j0 + p];
    scores[j] = s;
  }
}
