/**
 * Trains the churn model with TensorFlow.js: a logistic regression and a small MLP are fitted on
 * the training split, the one with the better validation ROC-AUC is kept (the MLP must beat the
 * simpler model clearly), and its probabilities are Platt-calibrated on the validation split.
 * The split is by customer, so one customer's windows never sit on both sides.
 */
import { loadTf } from '../../lib/tf';
import { hashInt, seededRandom, shuffled } from '../../lib/random';
import { evaluateBinary, logLoss, rocAuc, type BinaryEvaluation } from '../metrics/classification';
import { fitPlatt } from './calibration';
import { calibrated, logitOfStandardised, type ChurnModel, type DenseLayer } from './model';

export interface ChurnTrainingOptions {
  horizonDays: number;
  seed?: number;
  /** Share of customers held out for model choice and calibration. */
  validationShare?: number;
  epochs?: number;
  hiddenUnits?: number;
  /** L2 penalties to try for each architecture (chosen by validation AUC). */
  l2Penalties?: number[];
  /**
   * At most this many training rows (a seeded sample by customer beyond it): keeps training time
   * flat on big shops, where more rows no longer change the model.
   */
  maxTrainingRows?: number;
  /** Features of the compact logistic candidate (default COMPACT_FEATURES; empty: no compact candidate). */
  compactFeatures?: string[];
  /** Which candidates to try (default both). */
  architectures?: ChurnModel['architecture'][];
}

export interface TrainingRow {
  customerId: number;
  x: number[];
  y: number;
}

export interface ChurnTrainingResult {
  model: ChurnModel;
  candidates: {
    architecture: ChurnModel['architecture'];
    l2: number;
    features: string;
    validationAuc: number;
    validationLogLoss: number;
  }[];
  validation: BinaryEvaluation;
}

export const COMPACT_FEATURES = ['logRecency', 'logFrequency', 'logMonetary', 'bgnbdNoPurchaseLogit'];

/** Minimum AUC gain for the MLP to be preferred over logistic regression. */
const MLP_MARGIN = 0.005;

function meanStd(rows: number[][]): { mean: number[]; std: number[] } {
  const d = rows[0].length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / rows.length;
  return { mean, std: std.map((s) => (s > 1e-12 ? Math.sqrt(s) : 1)) };
}

async function fitNetwork(
  architecture: ChurnModel['architecture'],
  xs: number[][],
  ys: number[],
  options: Required<Pick<ChurnTrainingOptions, 'seed' | 'epochs' | 'hiddenUnits'>> & { l2: number },
): Promise<DenseLayer[]> {
  const tf = await loadTf();
  const d = xs[0].length;
  const model = tf.sequential();
  const l2 = tf.regularizers.l2({ l2: options.l2 });
  if (architecture === 'mlp') {
    model.add(
      tf.layers.dense({
        units: options.hiddenUnits,
        activation: 'relu',
        inputShape: [d],
        kernelInitializer: tf.initializers.heNormal({ seed: options.seed }),
        kernelRegularizer: l2,
      }),
    );
  }
  model.add(
    tf.layers.dense({
      units: 1,
      activation: 'sigmoid',
      ...(architecture === 'logistic' ? { inputShape: [d] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + 1 }),
      kernelRegularizer: l2,
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  const x = tf.tensor2d(xs);
  const y = tf.tensor2d(ys, [ys.length, 1]);
  try {
    // Rows are pre-shuffled with the seed; TF's own shuffle would use Math.random.
    await model.fit(x, y, { epochs: options.epochs, batchSize: 512, shuffle: false, verbose: 0 });
    const layers: DenseLayer[] = [];
    for (const layer of model.layers) {
      const [kernel, bias] = layer.getWeights();
      const isLast = layer === model.layers[model.layers.length - 1];
      layers.push({
        weights: (await kernel.array()) as number[][],
        bias: Array.from(await bias.data()),
        activation: isLast ? 'linear' : 'relu',
      });
    }
    return layers;
  } finally {
    x.dispose();
    y.dispose();
    model.dispose();
  }
}

export async function trainChurnModel(
  rows: TrainingRow[],
  featureNames: readonly string[],
  options: ChurnTrainingOptions,
): Promise<ChurnTrainingResult> {
  const seed = options.seed ?? 42;
  const validationShare = options.validationShare ?? 0.25;
  if (rows.length < 50)
    throw new Error(`only ${rows.length} training examples: too few to train a churn model`);
  const isValidation = (r: TrainingRow) => hashInt(r.customerId, seed) / 4294967296 < validationShare;
  const maxRows = options.maxTrainingRows ?? 20000;
  const train = shuffled(
    rows.filter((r) => !isValidation(r)),
    seededRandom(seed),
  ).slice(0, maxRows);
  const validation = shuffled(rows.filter(isValidation), seededRandom(seed + 1)).slice(
    0,
    Math.ceil(maxRows / 3),
  );
  const classes = new Set(train.map((r) => r.y));
  if (classes.size < 2 || new Set(validation.map((r) => r.y)).size < 2) {
    throw new Error(
      'the training windows hold only churners or only returning customers: cannot learn churn',
    );
  }
  const { mean, std } = meanStd(train.map((r) => r.x));
  const z = (x: number[]) => x.map((v, j) => (v - mean[j]) / std[j]);
  const trainX = train.map((r) => z(r.x));
  const trainY = train.map((r) => r.y);
  const validX = validation.map((r) => z(r.x));
  const validY = validation.map((r) => r.y);

  const candidates: ChurnTrainingResult['candidates'] = [];
  let best: { model: ChurnModel; auc: number } | undefined;
  const grid: { architecture: ChurnModel['architecture']; l2: number; subset: string | null }[] = [];
  for (const architecture of options.architectures ?? (['logistic', 'mlp'] as const)) {
    // The MLP has more weights to keep in check: it only gets the stronger penalty.
    const penalties = options.l2Penalties ?? (architecture === 'mlp' ? [1e-2] : [1e-4, 1e-2]);
    for (const l2 of penalties) grid.push({ architecture, l2, subset: null });
  }
  // A compact logistic regression on a few robust features: on small or unusual data it can
  // beat the full models on validation, and then it is the one kept.
  const compact = (options.compactFeatures ?? COMPACT_FEATURES).filter((f) => featureNames.includes(f));
  if (compact.length && (options.architectures ?? ['logistic']).includes('logistic')) {
    grid.push({ architecture: 'logistic', l2: 1e-2, subset: compact.join(',') });
  }
  for (const { architecture, l2, subset } of grid) {
    const kept = subset ? new Set(subset.split(',').map((f) => featureNames.indexOf(f))) : null;
    const mask = (rowsX: number[][]) =>
      kept ? rowsX.map((r) => r.map((v, j) => (kept.has(j) ? v : 0))) : rowsX;
    const layers = await fitNetwork(architecture, mask(trainX), trainY, {
      seed,
      l2,
      epochs: options.epochs ?? (architecture === 'mlp' ? 40 : 30),
      hiddenUnits: options.hiddenUnits ?? 16,
    });
    // Features left out of a subset get exactly zero weight (they never varied in training).
    if (kept) layers[0].weights = layers[0].weights.map((row, j) => (kept.has(j) ? row : row.map(() => 0)));
    const model: ChurnModel = {
      kind: 'churn',
      architecture,
      features: [...featureNames],
      mean,
      std,
      layers,
      calibration: { a: 1, b: 0 },
      horizonDays: options.horizonDays,
      training: {},
    };
    const logits = validX.map((v) => logitOfStandardised(model, v));
    model.calibration = fitPlatt(logits, validY);
    const auc = rocAuc(logits, validY);
    const ll = logLoss(
      logits.map((l) => calibrated(model, l)),
      validY,
    );
    candidates.push({
      architecture,
      l2,
      features: subset ?? 'all',
      validationAuc: auc,
      validationLogLoss: ll,
    });
    const margin = architecture === 'mlp' ? MLP_MARGIN : 0;
    if (!best || auc > best.auc + margin) best = { model, auc };
  }
  const model = best!.model;
  const probabilities = validX.map((v) => calibrated(model, logitOfStandardised(model, v)));
  const evaluation = evaluateBinary(probabilities, validY);
  model.training = {
    trainingExamples: train.length,
    validationExamples: validation.length,
    candidates,
    validation: evaluation,
  };
  return { model, candidates, validation: evaluation };
}
