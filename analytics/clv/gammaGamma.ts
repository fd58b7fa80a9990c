/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999):
 * the value of each transaction is gamma(p, nu) with nu gamma(q, v) across customers. Fitted on
 * customers with at least one repeat purchase, with x = repeat purchases and m = their mean value.
 */
import { lgamma } from '../math/special';
import { minimizeWithRestarts } from '../math/nelderMead';

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface GammaGammaModel extends GammaGammaParams {
  kind: 'gamma-gamma';
  logLikelihood: number;
  customers: number;
  /** Observed mean of m over the fitted customers, for the population-mean fallback. */
  meanSpend: number;
  warnings: string[];
}

export function gammaGammaLogLikelihood(g: GammaGammaParams, x: number, m: number): number {
  const { p, q, v } = g;
  return (
    lgamma(p * x + q) -
    lgamma(p * x) -
    lgamma(q) +
    q * Math.log(v) +
    (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(x * m + v)
  );
}

/** Fits on the customers with x > 0 and m > 0 (others are ignored, as the model requires). */
export function fitGammaGamma(
  x: ArrayLike<number>,
  m: ArrayLike<number>,
  minCustomers = 30,
): GammaGammaModel {
  const xs: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (x[i] > 0 && m[i] > 0) {
      xs.push(x[i]);
      ms.push(m[i]);
    }
  }
  const warnings: string[] = [];
  if (xs.length === 0) throw new Error('Gamma-Gamma needs customers with repeat purchases of positive value');
  const meanSpend = ms.reduce((s, v) => s + v, 0) / ms.length;
  // The gamma-function terms depend on x only: computed once per distinct x and evaluation.
  const distinctX = [...new Set(xs)];
  const xIndex = new Map(distinctX.map((v, i) => [v, i]));
  const rowX = xs.map((v) => xIndex.get(v)!);
  const perX = new Float64Array(distinctX.length);
  const logM = ms.map(Math.log);
  const logX = xs.map(Math.log);
  const negLl = (u: number[]) => {
    const p = Math.exp(u[0]);
    const q = Math.exp(u[1]);
    const v = Math.exp(u[2]);
    const base = -lgamma(q) + q * u[2];
    for (let i = 0; i < distinctX.length; i++)
      perX[i] = base + lgamma(p * distinctX[i] + q) - lgamma(p * distinctX[i]);
    let s = 0;
    for (let i = 0; i < xs.length; i++) {
      const px = p * xs[i];
      s += perX[rowX[i]] + (px - 1) * logM[i] + px * logX[i] - (px + q) * Math.log(xs[i] * ms[i] + v);
    }
    return Number.isFinite(s) ? -s : Infinity;
  };
  const lm = Math.log(meanSpend);
  const starts = [
    [0, 0, 0],
    [Math.log(2), Math.log(2), lm],
    [Math.log(5), Math.log(4), lm + Math.log(2)],
    [Math.log(0.5), Math.log(3), lm - 1],
  ];
  const best = minimizeWithRestarts(negLl, starts, { tolerance: 1e-12, xTolerance: 1e-8 });
  const [p, q, v] = best.x.map(Math.exp);
  if (xs.length < minCustomers)
    warnings.push(`only ${xs.length} repeat buyers: too few for a trustworthy spend model`);
  if (q <= 1)
    warnings.push(`Gamma-Gamma q = ${q.toPrecision(3)} <= 1: the expected spend has no finite mean`);
  for (const [name, val] of Object.entries({ p, q, v })) {
    if (!(val > 1e-4 && val < 1e6))
      warnings.push(`Gamma-Gamma parameter ${name} ran to the edge: the data cannot pin it down`);
  }
  if (!best.converged) warnings.push('Gamma-Gamma optimiser did not converge');
  return {
    kind: 'gamma-gamma',
    p,
    q,
    v,
    logLikelihood: -best.value,
    customers: xs.length,
    meanSpend,
    warnings,
  };
}

/** Expected mean transaction value of a customer given x repeat purchases of mean value m. */
export function expectedAverageValue(g: GammaGammaParams, x: number, m: number): number {
  const { p, q, v } = g;
  if (q <= 1) return x > 0 ? m : NaN;
  if (x <= 0) return (p * v) / (q - 1);
  return (p * (v + x * m)) / (p * x + q - 1);
}
