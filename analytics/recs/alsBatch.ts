/**
 * ALS scores of many customers at once, for jobs that personalise thousands of messages. Scoring
 * one customer is a vector-matrix product over every product, the bulk of a recommendation's
 * cost; for a batch it is one matrix product, which TensorFlow.js runs about ten times faster
 * than a JavaScript loop (wasm backend with SIMD; native tfjs-node faster still). On the pure-JS
 * backend a matrix product is no faster than the loop, so the loop is used there.
 */
import { loadTf, type Tf } from '../../lib/tf';
import { scoreAls, type AlsModel } from './als';

export interface AlsBatchScorer {
  /** Which engine scores: a TF.js backend name, or 'js'. */
  readonly engine: string;
  /** Row r of the result (length nItems) holds the scores of customer index users[r]. */
  scoreUsers(users: readonly number[]): Float32Array;
  /** Releases the product factors held by the engine. */
  dispose(): void;
}

/** The plain loop (scoreAls per customer): the reference, and the engine when TF.js would be slower. */
export function jsAlsBatchScorer(als: AlsModel): AlsBatchScorer {
  const row = new Float64Array(als.nItems);
  return {
    engine: 'js',
    scoreUsers(users) {
      const out = new Float32Array(users.length * als.nItems);
      users.forEach((u, r) => {
        scoreAls(als, u, row);
        out.set(row, r * als.nItems);
      });
      return out;
    },
    dispose() {},
  };
}

function tfAlsBatchScorer(tf: Tf, als: AlsModel): AlsBatchScorer {
  const { factors: f, nItems: n } = als;
  // Products' factors as columns (f x n): a product without a transpose, which the wasm backend
  // would otherwise redo on every call.
  const columns = new Float32Array(f * n);
  for (let j = 0; j < n; j++) for (let p = 0; p < f; p++) columns[p * n + j] = als.itemFactors[j * f + p];
  const itemColumns = tf.tensor2d(columns, [f, n]);
  let disposed = false;
  return {
    engine: tf.getBackend(),
    scoreUsers(users) {
      if (disposed) throw new Error('the ALS batch scorer was disposed');
      if (!users.length) return new Float32Array(0);
      const rows = new Float32Array(users.length * f);
      users.forEach((u, r) => rows.set(als.userFactors.subarray(u * f, (u + 1) * f), r * f));
      const scores = tf.tidy(() => tf.matMul(tf.tensor2d(rows, [users.length, f]), itemColumns));
      try {
        return scores.dataSync() as Float32Array;
      } finally {
        scores.dispose();
      }
    },
    dispose() {
      if (!disposed) itemColumns.dispose();
      disposed = true;
    },
  };
}

/**
 * The fastest batch scorer this machine has for the model. A campaign must not fail because the
 * faster engine did (no memory for a tensor, a backend error): from then on the loop scores.
 */
export async function createAlsBatchScorer(als: AlsModel): Promise<AlsBatchScorer> {
  const loop = jsAlsBatchScorer(als);
  if (als.nUsers === 0 || als.nItems === 0) return loop;
  let fast: AlsBatchScorer;
  try {
    const tf = await loadTf();
    if (tf.getBackend() === 'cpu') return loop;
    fast = tfAlsBatchScorer(tf, als);
  } catch {
    return loop;
  }
  let failed = false;
  return {
    get engine() {
      return failed ? loop.engine : fast.engine;
    },
    scoreUsers(users) {
      if (!failed) {
        try {
          return fast.scoreUsers(users);
        } catch {
          failed = true;
          fast.dispose();
        }
      }
      return loop.scoreUsers(users);
    },
    dispose() {
      if (!failed) fast.dispose();
    },
  };
}
