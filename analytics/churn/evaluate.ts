/**
 * Honest evaluation of churn prediction at a date: train only on data before `asOf` (windows
 * whose labels end by asOf), score customers who bought before asOf, and compare with what they
 * did in [asOf, asOf + horizon). Baselines from the same run: recency alone and BG/NBD p(alive).
 */
import { DAY_MS, purchasedBetween, truncateHistories, type Histories } from '../history';
import { allCustomerFacts } from '../features/customerFacts';
import {
  CHURN_FEATURES,
  churnFeatureVector,
  featureContext,
  homeCountryOf,
  trainingExamples,
  type WindowOptions,
} from '../features/churnFeatures';
import { evaluateBinary, rocAuc } from '../metrics/classification';
import { hashInt } from '../../lib/random';
import { pAlive, probabilityNoPurchase } from '../clv/bgnbd';
import { trainChurnModel, type ChurnTrainingOptions } from './train';
import { predictChurn, type ChurnModel } from './model';

export interface ChurnEvaluation {
  auc: number;
  prAuc: number;
  brier: number;
  topDecileLift: number;
  topDecilePrecision: number;
  baselines: { recency: { auc: number }; bgnbd: { auc: number; pAliveAuc: number } };
  customers: number;
  churnRate: number;
  model: ChurnModel['architecture'];
  warnings: string[];
  /** With `ceiling`: how far these features can separate churners at all (see inPeriodCeiling). */
  ceiling?: { inPeriodCrossValidatedAuc: number; folds: number; what: string };
}

export interface ChurnEvaluationOptions extends ChurnFitOptions {
  ceiling?: boolean;
}

const CEILING_FOLDS = 5;

/**
 * A diagnostic, not a forecast: the same model trained on the evaluation period's own labels
 * (customers split in folds by a seeded hash; each fold scored by a model that never saw it). It
 * knows the period it is scored on, which no real forecast does, so it bounds from above what a
 * model on these features can reach at this date: when the forecast comes close, more signal has
 * to come from new features or more history, not from the model.
 */
async function inPeriodCeiling(
  customerIds: number[],
  vectors: number[][],
  labels: number[],
  horizonDays: number,
  seed: number,
): Promise<number> {
  const fold = customerIds.map((id) => hashInt(id, seed + 7) % CEILING_FOLDS);
  const scores = new Array<number>(labels.length).fill(0);
  for (let k = 0; k < CEILING_FOLDS; k++) {
    const rows = customerIds
      .map((customerId, i) => ({ customerId, x: vectors[i], y: labels[i] }))
      .filter((_, i) => fold[i] !== k);
    const { model } = await trainChurnModel(rows, CHURN_FEATURES, { horizonDays, seed });
    fold.forEach((f, i) => {
      if (f === k) scores[i] = predictChurn(model, vectors[i]);
    });
  }
  return rocAuc(scores, labels);
}

export interface ChurnFitOptions
  extends Omit<ChurnTrainingOptions, 'horizonDays'>, Omit<WindowOptions, 'horizonDays'> {}

/** Trains a churn model for scoring at `asOf` from histories truncated at asOf. */
export async function fitChurnAsOf(
  histories: Histories,
  asOf: number,
  horizonDays: number,
  options: ChurnFitOptions = {},
) {
  const past = truncateHistories(histories.customers, asOf);
  const homeCountry = homeCountryOf(past);
  const examples = trainingExamples(past, asOf, histories.firstAt, homeCountry, {
    horizonDays,
    stepDays: options.stepDays,
    maxWindows: options.maxWindows,
    minHistoryDays: options.minHistoryDays,
    minFullWindows: options.minFullWindows,
    auxHorizonFractions: options.auxHorizonFractions,
    auxStepDays: options.auxStepDays,
    maxAuxWindows: options.maxAuxWindows,
  });
  if (examples.length === 0) {
    const need = horizonDays + (options.minHistoryDays ?? 28);
    throw new Error(
      `not enough history before ${new Date(asOf).toISOString().slice(0, 10)} to learn churn over ${horizonDays} days: ` +
        `need at least ${need} days of orders before it`,
    );
  }
  const result = await trainChurnModel(examples, CHURN_FEATURES, { ...options, horizonDays });
  const windows = [...new Set(examples.map((e) => `${e.cutoff}/${e.horizonDays}`))].map((w) => {
    const [cutoff, days] = w.split('/').map(Number);
    return `${new Date(cutoff).toISOString().slice(0, 10)}+${days}d`;
  });
  result.model.training = { ...result.model.training, windows, homeCountry };
  return { ...result, homeCountry, past };
}

export async function evaluateChurn(
  histories: Histories,
  asOf: number,
  horizonDays: number,
  options: ChurnEvaluationOptions = {},
): Promise<ChurnEvaluation> {
  const { model, homeCountry, past } = await fitChurnAsOf(histories, asOf, horizonDays, options);
  const facts = allCustomerFacts(past, asOf);
  const byId = new Map(histories.customers.map((c) => [c.customerId, c]));
  const labelEnd = asOf + horizonDays * DAY_MS;
  const labels: number[] = facts.map((f) =>
    purchasedBetween(byId.get(f.customerId)!, asOf, labelEnd) ? 0 : 1,
  );
  const ctx = featureContext(facts, homeCountry, horizonDays);
  const vectors = facts.map((f) => churnFeatureVector(f, ctx));
  const probabilities = vectors.map((x) => predictChurn(model, x));
  const evaluation = evaluateBinary(probabilities, labels);
  const ceiling = options.ceiling
    ? {
        inPeriodCrossValidatedAuc: await inPeriodCeiling(
          facts.map((f) => f.customerId),
          vectors,
          labels,
          horizonDays,
          options.seed ?? 42,
        ),
        folds: CEILING_FOLDS,
        what: "the same model trained on the period's own labels, scored on held-out folds: an upper bound for these features, not a forecast",
      }
    : undefined;

  const warnings: string[] = [];
  const trainedOn = Number(model.training.trainingExamples ?? 0);
  if (trainedOn < 1000)
    warnings.push(`the churn model learned from only ${trainedOn} examples: treat its figures as rough`);
  const bg = ctx.bgnbd;
  if (histories.lastAt < labelEnd - DAY_MS) {
    warnings.push(
      `the data ends ${new Date(histories.lastAt).toISOString().slice(0, 10)}, before the horizon does: churn is overstated`,
    );
  }
  return {
    ...evaluation,
    baselines: {
      recency: {
        auc: rocAuc(
          facts.map((f) => f.recencyDays),
          labels,
        ),
      },
      bgnbd: {
        auc: rocAuc(
          facts.map((f) =>
            probabilityNoPurchase(bg, horizonDays, f.repeatPurchases, f.recencySpanDays, f.ageDays),
          ),
          labels,
        ),
        pAliveAuc: rocAuc(
          facts.map((f) => 1 - pAlive(bg, f.repeatPurchases, f.recencySpanDays, f.ageDays)),
          labels,
        ),
      },
    },
    customers: facts.length,
    churnRate: labels.reduce((a, b) => a + b, 0) / Math.max(1, labels.length),
    model: model.architecture,
    warnings,
    ...(ceiling ? { ceiling } : {}),
  };
}
