/** Accuracy, macro-F1, per-intent precision/recall/F1, latency and confusion of an intent model. */
import { classifyIntent, type IntentModel, type LabelledText } from './classifier';

export interface PerIntentScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  perIntent: Record<string, PerIntentScores>;
  confusion?: { labels: string[]; matrix: number[][] };
}

/**
 * Scores predictions against gold labels. Macro-F1 averages over the intents present in the
 * gold labels (an intent only ever predicted still costs precision of the others).
 */
export function scorePredictions(
  gold: string[],
  predicted: string[],
  withConfusion = false,
): ClassificationReport {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const support = new Map<string, number>();
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i];
    support.set(g, (support.get(g) ?? 0) + 1);
    if (g === p) {
      correct++;
      tp.set(g, (tp.get(g) ?? 0) + 1);
    } else {
      fn.set(g, (fn.get(g) ?? 0) + 1);
      fp.set(p, (fp.get(p) ?? 0) + 1);
    }
  });
  const perIntent: Record<string, PerIntentScores> = {};
  let f1Sum = 0;
  const goldLabels = labels.filter((l) => support.has(l));
  for (const l of goldLabels) {
    const t = tp.get(l) ?? 0;
    const precision = t + (fp.get(l) ?? 0) > 0 ? t / (t + (fp.get(l) ?? 0)) : 0;
    const recall = t / (support.get(l) ?? 1);
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perIntent[l] = {
      precision: round(precision),
      recall: round(recall),
      f1: round(f1),
      support: support.get(l) ?? 0,
    };
    f1Sum += f1;
  }
  const report: ClassificationReport = {
    accuracy: round(gold.length ? correct / gold.length : 0),
    macroF1: round(goldLabels.length ? f1Sum / goldLabels.length : 0),
    perIntent,
  };
  if (withConfusion) {
    const index = new Map(labels.map((l, i) => [l, i]));
    const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
    gold.forEach((g, i) => matrix[index.get(g)!][index.get(predicted[i])!]++);
    report.confusion = { labels, matrix };
  }
  return report;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Classifies every test item one at a time (as the bot does) and times each call. */
export function evaluateIntentModel(
  model: IntentModel,
  test: LabelledText[],
  withConfusion = false,
): ClassificationReport & { p99Ms: number } {
  const predicted: string[] = [];
  const times: number[] = [];
  // Warm up the JIT and caches so p99 reflects a running bot, not the first call.
  for (const e of test.slice(0, 50)) classifyIntent(model, e.text);
  for (const e of test) {
    const t0 = process.hrtime.bigint();
    predicted.push(classifyIntent(model, e.text).intent);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const report = scorePredictions(
    test.map((e) => e.intent),
    predicted,
    withConfusion,
  );
  return { ...report, p99Ms: Math.round(percentile(times, 99) * 1000) / 1000 };
}
