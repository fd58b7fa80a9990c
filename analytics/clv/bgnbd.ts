/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): repeat purchases
 * follow a Poisson process with a gamma(r, alpha) rate across customers; after each purchase a
 * customer drops out with a probability that is beta(a, b) across customers.
 *
 * Per customer: x = repeat purchases, tx = time of the last purchase since the first,
 * T = time since the first purchase, all in one time unit (days for shop data, weeks for CDNOW).
 * Fitted by maximum likelihood: Nelder-Mead on log parameters from several starts.
 */
import { hyp2f1, lgamma, logAddExp } from '../math/special';
import { minimizeWithRestarts } from '../math/nelderMead';

export interface RfmSummary {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdModel extends BgNbdParams {
  kind: 'bgnbd';
  logLikelihood: number;
  customers: number;
  repeatBuyers: number;
  /** Reasons the fit should not be trusted (empty when it looks fine). */
  warnings: string[];
}

/** Log-likelihood of one customer. */
export function bgnbdLogLikelihood(p: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  const a1 = lgamma(r + x) - lgamma(r) + r * Math.log(alpha);
  const a2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return a1 + a2 + logAddExp(a3, a4);
}

export function bgnbdTotalLogLikelihood(p: BgNbdParams, data: RfmSummary): number {
  let s = 0;
  for (let i = 0; i < data.x.length; i++) s += bgnbdLogLikelihood(p, data.x[i], data.tx[i], data.T[i]);
  return s;
}

export interface FitOptions {
  /** Fewer customers or repeat buyers than these gives a "too thin" warning. */
  minCustomers?: number;
  minRepeatBuyers?: number;
}

export function fitBgNbd(data: RfmSummary, options: FitOptions = {}): BgNbdModel {
  const n = data.x.length;
  let repeatBuyers = 0;
  let meanT = 0;
  for (let i = 0; i < n; i++) {
    if (data.x[i] > 0) repeatBuyers++;
    meanT += data.T[i] / Math.max(1, n);
  }
  const warnings: string[] = [];
  if (n === 0) throw new Error('BG/NBD needs at least one customer');
  // Collapse identical (x, tx, T) rows: shop data has many one-off customers on the same days.
  const groups = new Map<string, { x: number; tx: number; T: number; w: number }>();
  for (let i = 0; i < n; i++) {
    const key = `${data.x[i]}|${data.tx[i]}|${data.T[i]}`;
    const g = groups.get(key);
    if (g) g.w++;
    else groups.set(key, { x: data.x[i], tx: data.tx[i], T: data.T[i], w: 1 });
  }
  const rows = [...groups.values()];
  // Terms that depend only on x are computed once per distinct x and evaluation.
  const distinctX = [...new Set(rows.map((g) => g.x))];
  const xIndex = new Map(distinctX.map((x, i) => [x, i]));
  const rowX = rows.map((g) => xIndex.get(g.x)!);
  const perX = new Float64Array(distinctX.length);
  const negLl = (v: number[]) => {
    const r = Math.exp(v[0]);
    const alpha = Math.exp(v[1]);
    const a = Math.exp(v[2]);
    const b = Math.exp(v[3]);
    const base = -lgamma(r) + r * Math.log(alpha) + lgamma(a + b) - lgamma(b);
    for (let i = 0; i < distinctX.length; i++) {
      const x = distinctX[i];
      perX[i] = base + lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x);
    }
    const logA = Math.log(a);
    let s = 0;
    for (let k = 0; k < rows.length; k++) {
      const g = rows[k];
      const a3 = -(r + g.x) * Math.log(alpha + g.T);
      const a4 = g.x > 0 ? logA - Math.log(b + g.x - 1) - (r + g.x) * Math.log(alpha + g.tx) : -Infinity;
      s += g.w * (perX[rowX[k]] + logAddExp(a3, a4));
    }
    return Number.isFinite(s) ? -s : Infinity;
  };
  const scale = Math.log(Math.max(1e-6, meanT || 1));
  const starts = [
    [0, 0, 0, 0],
    [Math.log(0.5), scale, 0, Math.log(2)],
    [Math.log(0.25), scale - 1, Math.log(0.8), Math.log(2.5)],
    [Math.log(2), scale + 1, Math.log(0.3), Math.log(5)],
  ];
  const best = minimizeWithRestarts(negLl, starts, { tolerance: 1e-12, xTolerance: 1e-8 });
  const [r, alpha, a, b] = best.x.map(Math.exp);
  if (n < (options.minCustomers ?? 100))
    warnings.push(`only ${n} customers: too few for a trustworthy BG/NBD fit`);
  if (repeatBuyers < (options.minRepeatBuyers ?? 30)) {
    warnings.push(
      `only ${repeatBuyers} customers bought more than once: repeat-purchase estimates are unreliable`,
    );
  }
  for (const [name, v] of Object.entries({ r, alpha, a, b })) {
    if (!(v > 1e-4 && v < 1e4))
      warnings.push(
        `BG/NBD parameter ${name} = ${v.toPrecision(3)} ran to the edge: the data cannot pin it down`,
      );
  }
  if (!best.converged) warnings.push('BG/NBD optimiser did not converge');
  return { kind: 'bgnbd', r, alpha, a, b, logLikelihood: -best.value, customers: n, repeatBuyers, warnings };
}

/** Probability the customer is still active at T (1 for customers with no repeat purchase). */
export function pAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const logTerm =
    Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
  return 1 / (1 + Math.exp(logTerm));
}

/** Expected repeat purchases in (T, T + t] given the customer's history. */
export function expectedPurchases(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = p;
  const first = (a + b + x - 1) / (a - 1);
  const hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const second = 1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp;
  const denominator = x > 0 ? 1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 1;
  return (first * second) / denominator;
}

/**
 * Probability of no purchase in (T, T + t]: the customer is dead already, or alive and their
 * Poisson rate (posterior gamma(r + x, alpha + T)) yields nothing in t. Dropout only happens right
 * after a purchase in BG/NBD, so an alive customer who does not buy stays alive.
 */
export function probabilityNoPurchase(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const alive = pAlive(p, x, tx, T);
  return 1 - alive + alive * Math.pow((p.alpha + T) / (p.alpha + T + t), p.r + x);
}
