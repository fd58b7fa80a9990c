/**
 * Platt scaling: fits p = sigmoid(a * s + b) to labels by Newton's method on the log-loss.
 * Fitted on the validation split, so the probabilities mean what they say on unseen customers.
 */
import { sigmoid } from './model';

export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): { a: number; b: number } {
  // Platt's target smoothing avoids infinite slopes on separable data.
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  const negatives = labels.length - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let g0 = 0,
      g1 = 0,
      h00 = 1e-9,
      h01 = 0,
      h11 = 1e-9;
    for (let i = 0; i < scores.length; i++) {
      const p = sigmoid(a * scores[i] + b);
      const t = labels[i] === 1 ? hi : lo;
      const d = p - t;
      const w = p * (1 - p);
      g0 += d * scores[i];
      g1 += d;
      h00 += w * scores[i] * scores[i];
      h01 += w * scores[i];
      h11 += w;
    }
    const det = h00 * h11 - h01 * h01;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}
