/**
 * Metrics for binary scores (higher score = more likely positive). Labels are 0/1.
 * Ties are handled the honest way: tied scores share their rank (ROC-AUC) or are cut as one
 * block (PR-AUC, top decile), so a constant score gets AUC 0.5, not a lucky ordering.
 */

function check(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length)
    throw new Error(`scores (${scores.length}) and labels (${labels.length}) differ`);
}

/** Indices sorted by score, descending. */
function byScoreDesc(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[b] - scores[a]);
}

/** Area under the ROC curve (Mann-Whitney U with mid-ranks). NaN when one class is missing. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  check(scores, labels);
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Area under the precision-recall curve as average precision (sum over thresholds of
 * precision x recall gained), with tied scores taken as one threshold.
 */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  check(scores, labels);
  const idx = byScoreDesc(scores);
  let totalPositives = 0;
  for (let i = 0; i < labels.length; i++) totalPositives += labels[i] === 1 ? 1 : 0;
  if (totalPositives === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    let blockTp = 0;
    while (j < idx.length && scores[idx[j]] === scores[idx[i]]) {
      blockTp += labels[idx[j]] === 1 ? 1 : 0;
      j++;
    }
    tp += blockTp;
    seen += j - i;
    ap += (blockTp / totalPositives) * (tp / seen);
    i = j;
  }
  return ap;
}

/** Mean squared error of probabilities. */
export function brier(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  check(probabilities, labels);
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (probabilities[i] - labels[i]) ** 2;
  return labels.length ? s / labels.length : NaN;
}

/** Mean negative log-likelihood of probabilities (clipped away from 0 and 1). */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  check(probabilities, labels);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, probabilities[i]));
    s -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return labels.length ? s / labels.length : NaN;
}

export interface TopFraction {
  /** Customers in the top fraction (ties at the boundary split evenly by expectation). */
  size: number;
  precision: number;
  /** Precision divided by the base rate: 1 means no better than random. */
  lift: number;
}

/**
 * Precision and lift among the highest-scored `fraction` of customers. Scores tied across the
 * cut contribute their block's positive rate pro rata, so ties cannot flatter the figure.
 */
export function topFraction(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  fraction = 0.1,
): TopFraction {
  check(scores, labels);
  const n = labels.length;
  const size = Math.max(1, Math.round(n * fraction));
  const idx = byScoreDesc(scores);
  let base = 0;
  for (let i = 0; i < n; i++) base += labels[i] === 1 ? 1 : 0;
  let taken = 0;
  let positives = 0;
  for (let i = 0; i < n && taken < size;) {
    let j = i;
    let blockPos = 0;
    while (j < n && scores[idx[j]] === scores[idx[i]]) {
      blockPos += labels[idx[j]] === 1 ? 1 : 0;
      j++;
    }
    const block = j - i;
    const take = Math.min(block, size - taken);
    positives += (blockPos * take) / block;
    taken += take;
    i = j;
  }
  const precision = positives / size;
  const rate = n ? base / n : NaN;
  return { size, precision, lift: rate > 0 ? precision / rate : NaN };
}

export interface BinaryEvaluation {
  auc: number;
  prAuc: number;
  brier: number;
  topDecilePrecision: number;
  topDecileLift: number;
}

export function evaluateBinary(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
): BinaryEvaluation {
  const top = topFraction(probabilities, labels, 0.1);
  return {
    auc: rocAuc(probabilities, labels),
    prAuc: prAuc(probabilities, labels),
    brier: brier(probabilities, labels),
    topDecilePrecision: top.precision,
    topDecileLift: top.lift,
  };
}
