/**
 * `retain eval uplift`: learn an uplift model on one file of a randomised experiment and measure
 * it on another, against the two usual alternatives measured in the same run:
 *
 * - random: the same customers in random order (the mean over RANDOM_ORDERS seeded orders, with
 *   the spread of their Qini: how far a Qini can stray from 0 by chance on this test file);
 * - response: P(outcome | treated) alone, a logistic regression on the treated training customers,
 *   the usual "most likely to buy when mailed" targeting.
 *
 * The test file is streamed and scored in batches, so it can be as large as the disk allows.
 */
import { seededRandom } from '../../lib/random';
import { rocAuc } from '../metrics/classification';
import { estimateUplift } from '../campaigns/uplift';
import {
  columnIndex,
  ExperimentFileError,
  mapColumns,
  readCsv,
  readExperimentSample,
  RowAccounting,
  treatmentReader,
  type ExperimentColumns,
} from './experimentFile';
import { encodeSample, fitEncoder, recordEncoder, type Encoder } from './encoding';
import { armCounts, tooLittleToFit, trainUpliftModel, type UpliftTrainingOptions } from './train';
import { ensembleScores, standardise, predictUplift, type UpliftModel } from './model';
import { fitNetwork, predictProbabilities, type Matrix, type Network } from './network';
import {
  averageEffect,
  perfectCurves,
  randomRankingMeasures,
  rankingMeasures,
  type Experiment,
  type PerfectCurves,
} from './metrics';
import { columnDrivers, type ColumnDriver } from './drivers';

export interface UpliftEvaluationOptions extends ExperimentColumns, UpliftTrainingOptions {
  train: string;
  test: string;
  /** At most this many training rows (a uniform sample of a bigger file). */
  maxTrainRows?: number;
}

export interface TargetingMeasures {
  qini: number | null;
  upliftAt30: number | null;
}

export interface UpliftEvaluation extends TargetingMeasures {
  /** Normalised area under the uplift curve (scikit-uplift's uplift_auc_score). */
  auuc: number | null;
  /** Test customers measured. */
  n: number;
  /** Average treatment effect on the test file: treated rate minus control rate. */
  ate: number | null;
  ateInterval: { low: number; high: number } | null;
  baselines: {
    random: TargetingMeasures & { qiniSd: number | null };
    response: TargetingMeasures;
  };
  model: {
    learner: string;
    architecture: string;
    /** Whether the model beat random on held-out training customers (and the groups were big enough). */
    usable: boolean;
    reason: string;
    validation: UpliftModel['validation'];
  };
  test: { treated: number; control: number; treatedRate: number | null; controlRate: number | null };
  training: {
    rows: number;
    usableRows: number;
    treated: number;
    control: number;
    skipped: Record<string, number>;
  };
  features: { used: number; columns: string[]; dropped: Array<{ name: string; why: string }> };
  drivers: ColumnDriver[];
  warnings: string[];
  seconds: number;
}

const RANDOM_ORDERS = 10;
const BATCH = 8192;
const DRIVER_ROWS = 1000;
const LEAK_ROWS = 50_000;

const orNull = (v: number) => (Number.isFinite(v) ? v : null);

function randomBaseline(
  e: Experiment,
  seed: number,
  perfect: PerfectCurves,
): UpliftEvaluation['baselines']['random'] {
  const runs = randomRankingMeasures(e, seededRandom(seed), RANDOM_ORDERS, 0.3, perfect);
  const qinis = runs.map((m) => m.qini).filter(Number.isFinite);
  const at30 = runs.map((m) => m.upliftAtK).filter(Number.isFinite);
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
  const q = mean(qinis);
  const sd =
    q !== null && qinis.length > 1
      ? Math.sqrt(qinis.reduce((a, v) => a + (v - q) ** 2, 0) / (qinis.length - 1))
      : null;
  return { qini: q, upliftAt30: mean(at30), qiniSd: sd };
}

/** A typed array that grows as values are pushed (a few bytes per test row, however many rows). */
class Growing<A extends Float64Array | Uint8Array> {
  private data: A;
  private length = 0;

  constructor(private readonly make: new (n: number) => A) {
    this.data = new make(1 << 16);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  values(): A {
    return this.data.subarray(0, this.length) as A;
  }
}

/** Scores every usable row of the test file with the model and the response model. */
async function scoreTestFile(
  options: UpliftEvaluationOptions,
  enc: Encoder,
  model: UpliftModel,
  response: Network,
) {
  const accounting = new RowAccounting();
  const readTreatment = treatmentReader(options);
  const t = new Growing(Uint8Array);
  const y = new Growing(Uint8Array);
  const scores = new Growing(Float64Array);
  const responses = new Growing(Float64Array);
  const cols = enc.features.length;
  const batch = new Float32Array(BATCH * cols);
  // A sample of test rows (raw inputs) for the drivers.
  const driverRows = new Float32Array(DRIVER_ROWS * cols);
  let driverCount = 0;
  let filled = 0;
  let encode: ReturnType<typeof recordEncoder> | undefined;
  let map: ReturnType<typeof mapColumns> | undefined;
  let width = 0;
  const flush = () => {
    if (!filled) return;
    const raw: Matrix = { x: batch.subarray(0, filled * cols), rows: filled, cols };
    const z = standardise(model, raw);
    for (const s of ensembleScores(model.folds, z)) scores.push(s);
    for (const p of predictProbabilities(response, z)) responses.push(p);
    filled = 0;
  };
  await readCsv(
    options.test,
    (header) => {
      map = mapColumns(header, options, options.test);
      width = header.length;
      try {
        encode = recordEncoder(enc, header, columnIndex);
      } catch (err) {
        throw new ExperimentFileError(
          `${options.test}: ${(err as Error).message} (the training file has them)`,
        );
      }
    },
    (record) => {
      const arms = accounting.arms(record, map!, width, readTreatment);
      if (!arms) return;
      t.push(arms.t);
      y.push(arms.y);
      encode!(record, batch, filled * cols);
      if (driverCount < DRIVER_ROWS)
        driverRows.set(batch.subarray(filled * cols, (filled + 1) * cols), driverCount++ * cols);
      if (++filled === BATCH) flush();
    },
  );
  flush();
  accounting.check(options);
  return {
    experiment: { t: t.values(), y: y.values() },
    scores: scores.values(),
    responses: responses.values(),
    driverSample: { x: driverRows.subarray(0, driverCount * cols), rows: driverCount, cols } as Matrix,
    skipped: accounting.skipped,
  };
}

/**
 * Columns that give the outcome away (ROC-AUC of 0.99 or more on their own, on up to LEAK_ROWS
 * training rows): usually recorded after the treatment (a spend column next to a conversion
 * outcome). They are kept, as asked, but named, since they say nothing about who will respond.
 */
function leakWarnings(enc: Encoder, m: Matrix, y: ArrayLike<number>): string[] {
  const rows = Math.min(m.rows, LEAK_ROWS);
  const labels = Array.from({ length: rows }, (_, r) => y[r]);
  const out: string[] = [];
  enc.columns.forEach((c, j) => {
    const best = Math.max(
      ...enc.groups[j].map((input) => {
        const auc = rocAuc(
          Array.from({ length: rows }, (_, r) => m.x[r * m.cols + input]),
          labels,
        );
        return Number.isFinite(auc) ? Math.max(auc, 1 - auc) : 0;
      }),
    );
    if (best >= 0.99)
      out.push(
        `column '${c.name}' gives the outcome away on its own (ROC-AUC ${best.toFixed(3)}): ` +
          `if it is recorded after the treatment, leave it out with --exclude`,
      );
  });
  return out;
}

export async function evaluateUpliftFiles(options: UpliftEvaluationOptions): Promise<UpliftEvaluation> {
  const started = Date.now();
  const seed = options.seed ?? 42;
  const sample = await readExperimentSample(options.train, options, { maxRows: options.maxTrainRows, seed });
  const counts = armCounts(sample);
  const hopeless = tooLittleToFit(counts);
  if (hopeless) throw new ExperimentFileError(`${options.train}: ${hopeless}`);
  const enc = fitEncoder(sample);
  if (!enc.features.length)
    throw new ExperimentFileError(
      `${options.train}: no usable feature columns (${enc.dropped.map((d) => `${d.name}: ${d.why}`).join('; ')})`,
    );
  const m = encodeSample(enc, sample);
  const arms = { t: sample.t, y: sample.y };
  const trained = await trainUpliftModel(m, enc.features, arms, options);
  const treatedRows: number[] = [];
  for (let i = 0; i < sample.rows; i++) if (sample.t[i] === 1) treatedRows.push(i);
  const response = await fitNetwork(
    standardise(trained, m),
    sample.y,
    { architecture: 'logistic', seed: seed + 3, l2: 1e-3, steps: options.steps },
    treatedRows,
  );

  const scored = await scoreTestFile(options, enc, trained, response);
  const e = scored.experiment;
  const test = armCounts(e);
  const warnings = [...sample.warnings, ...enc.warnings, ...leakWarnings(enc, m, sample.y)];
  if (test.treated === 0 || test.control === 0)
    throw new ExperimentFileError(
      `${options.test} has ${test.treated} treated and ${test.control} control rows: both are needed to measure uplift`,
    );
  if (test.treated < 100 || test.control < 100 || test.treatedHits + test.controlHits < 20)
    warnings.push(
      `the test file is small (${test.treated} treated, ${test.control} control customers): its figures are noisy`,
    );
  if (!trained.usable) warnings.push(`the uplift model is not usable for targeting: ${trained.reason}`);
  const ate = estimateUplift(
    { successes: test.treatedHits, trials: test.treated },
    { successes: test.controlHits, trials: test.control },
  );
  const driverUplift = predictUplift(trained, scored.driverSample).map((p) => p.uplift);
  const drivers = columnDrivers(
    trained,
    scored.driverSample,
    driverUplift,
    enc.columns.map((c, j) => ({
      name: c.name,
      kind: c.kind,
      inputs: enc.groups[j],
      labels:
        c.kind === 'categorical'
          ? [...c.levels, ...(c.other ? ['(other)'] : []), ...(c.missing ? ['(missing)'] : [])]
          : undefined,
    })),
  );
  const perfect = perfectCurves(e);
  const byModel = rankingMeasures(e, scored.scores, 0.3, perfect);
  const byResponse = rankingMeasures(e, scored.responses, 0.3, perfect);
  return {
    qini: orNull(byModel.qini),
    upliftAt30: orNull(byModel.upliftAtK),
    auuc: orNull(byModel.auuc),
    n: e.y.length,
    ate: orNull(averageEffect(e)),
    ateInterval: ate.interval,
    baselines: {
      random: randomBaseline(e, seed + 5, perfect),
      response: { qini: orNull(byResponse.qini), upliftAt30: orNull(byResponse.upliftAtK) },
    },
    model: {
      learner: trained.learner,
      architecture: trained.architecture,
      usable: trained.usable,
      reason: trained.reason,
      validation: trained.validation,
    },
    test: {
      treated: test.treated,
      control: test.control,
      treatedRate: test.treated ? test.treatedHits / test.treated : null,
      controlRate: test.control ? test.controlHits / test.control : null,
    },
    training: {
      rows: sample.rows,
      usableRows: sample.usableRows,
      treated: counts.treated,
      control: counts.control,
      skipped: sample.skipped,
    },
    features: { used: enc.features.length, columns: enc.columns.map((c) => c.name), dropped: enc.dropped },
    drivers,
    warnings: [
      ...warnings,
      ...Object.entries(scored.skipped).map(([why, k]) => `test file: ${k} rows left out (${why})`),
    ],
    seconds: (Date.now() - started) / 1000,
  };
}
