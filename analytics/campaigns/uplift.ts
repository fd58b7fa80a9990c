/**
 * Uplift of a campaign: the conversion rate of the treated arm minus that of the control arm,
 * with a confidence interval.
 *
 * Interval: Newcombe's hybrid score interval for a difference of independent proportions
 * (Newcombe 1998, "Interval estimation for the difference between independent proportions",
 * Statistics in Medicine 17:873-890, method 10), built from the two Wilson score intervals. Unlike
 * the normal approximation (Wald) it stays inside [-1, 1], behaves at rates of 0 or 1, and keeps
 * close to nominal coverage with the small control groups campaigns have. The Wald interval is
 * reported alongside for readers who expect it.
 */

export interface Proportion {
  successes: number;
  trials: number;
}

export interface Interval {
  low: number;
  high: number;
}

/** Two-sided normal quantile for the usual levels (no inverse-erf needed for these). */
export function zFor(confidence: number): number {
  const table: Record<string, number> = {
    '0.8': 1.2815515655446004,
    '0.9': 1.6448536269514722,
    '0.95': 1.959963984540054,
    '0.99': 2.5758293035489004,
  };
  const z = table[String(confidence)];
  if (z === undefined) throw new Error(`confidence must be one of ${Object.keys(table).join(', ')}`);
  return z;
}

/** Wilson score interval of one proportion; [0, 1] when there are no trials. */
export function wilsonInterval(p: Proportion, z = 1.959963984540054): Interval {
  const n = p.trials;
  if (n === 0) return { low: 0, high: 1 };
  const phat = p.successes / n;
  const z2 = z * z;
  const centre = phat + z2 / (2 * n);
  const half = z * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return { low: Math.max(0, (centre - half) / denom), high: Math.min(1, (centre + half) / denom) };
}

/** Newcombe's hybrid score interval of p1 - p2. */
export function newcombeInterval(p1: Proportion, p2: Proportion, z = 1.959963984540054): Interval {
  const a = p1.trials ? p1.successes / p1.trials : 0;
  const b = p2.trials ? p2.successes / p2.trials : 0;
  const w1 = wilsonInterval(p1, z);
  const w2 = wilsonInterval(p2, z);
  const d = a - b;
  return {
    low: d - Math.sqrt((a - w1.low) ** 2 + (w2.high - b) ** 2),
    high: d + Math.sqrt((w1.high - a) ** 2 + (b - w2.low) ** 2),
  };
}

/** Wald (normal approximation) interval of p1 - p2, for comparison. */
export function waldInterval(p1: Proportion, p2: Proportion, z = 1.959963984540054): Interval {
  const a = p1.trials ? p1.successes / p1.trials : 0;
  const b = p2.trials ? p2.successes / p2.trials : 0;
  const se = Math.sqrt(
    (p1.trials ? (a * (1 - a)) / p1.trials : 0) + (p2.trials ? (b * (1 - b)) / p2.trials : 0),
  );
  return { low: a - b - z * se, high: a - b + z * se };
}

export interface UpliftEstimate {
  treatedRate: number | null;
  controlRate: number | null;
  /** Treated rate minus control rate (absolute, in conversion-rate points as a fraction). */
  uplift: number | null;
  /** Uplift divided by the control rate (null when the control rate is 0 or unknown). */
  relativeUplift: number | null;
  confidence: number;
  interval: Interval | null;
  waldInterval: Interval | null;
  /** True when the interval excludes 0. */
  significant: boolean;
  method: 'newcombe-hybrid-score';
}

/** Null fields when either arm is empty: there is nothing to compare. */
export function estimateUplift(treated: Proportion, control: Proportion, confidence = 0.95): UpliftEstimate {
  const z = zFor(confidence);
  if (treated.trials === 0 || control.trials === 0) {
    return {
      treatedRate: treated.trials ? treated.successes / treated.trials : null,
      controlRate: control.trials ? control.successes / control.trials : null,
      uplift: null,
      relativeUplift: null,
      confidence,
      interval: null,
      waldInterval: null,
      significant: false,
      method: 'newcombe-hybrid-score',
    };
  }
  const t = treated.successes / treated.trials;
  const c = control.successes / control.trials;
  const interval = newcombeInterval(treated, control, z);
  return {
    treatedRate: t,
    controlRate: c,
    uplift: t - c,
    relativeUplift: c > 0 ? (t - c) / c : null,
    confidence,
    interval,
    waldInterval: waldInterval(treated, control, z),
    significant: interval.low > 0 || interval.high < 0,
    method: 'newcombe-hybrid-score',
  };
}
