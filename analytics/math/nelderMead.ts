/**
 * Nelder-Mead simplex minimisation, with restarts from several starting points. Derivative-free
 * and robust for the handful of parameters of BG/NBD and Gamma-Gamma; callers optimise the log of
 * positive parameters so that the search space is unconstrained.
 */

export interface MinimizeOptions {
  maxIterations?: number;
  /** Stop when the simplex's function values differ by less than this. */
  tolerance?: number;
  /** ...and the simplex is smaller than this in every coordinate. */
  xTolerance?: number;
  /** Initial step per coordinate. */
  step?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  converged: boolean;
}

export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 300 * n;
  const tolerance = options.tolerance ?? 1e-10;
  const xTolerance = options.xTolerance ?? 1e-7;
  const step = options.step ?? 0.5;
  const safe = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let simplex: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i] += step;
    simplex.push(p);
  }
  let values = simplex.map(safe);
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    const spread = Math.abs(values[n] - values[0]);
    let size = 0;
    for (let i = 1; i <= n; i++)
      for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(simplex[i][j] - simplex[0][j]));
    if (spread <= tolerance * (Math.abs(values[0]) + 1e-12) && size < xTolerance) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[n][j] - c));
    const reflected = along(-1);
    const fr = safe(reflected);
    if (fr < values[0]) {
      const expanded = along(-2);
      const fe = safe(expanded);
      if (fe < fr) [simplex[n], values[n]] = [expanded, fe];
      else [simplex[n], values[n]] = [reflected, fr];
    } else if (fr < values[n - 1]) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n] ? along(-0.5) : along(0.5);
      const fc = safe(contracted);
      if (fc < Math.min(fr, values[n])) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
          values[i] = safe(simplex[i]);
        }
      }
    }
  }
  const best = values.indexOf(Math.min(...values));
  return { x: simplex[best], value: values[best], iterations, converged };
}

/**
 * Runs a rough Nelder-Mead from every start, then restarts from the best point until it stops
 * improving (a cheap guard against the simplex collapsing early on flat likelihoods).
 */
export function minimizeWithRestarts(
  f: (x: number[]) => number,
  starts: number[][],
  options: MinimizeOptions = {},
): MinimizeResult {
  let best: MinimizeResult | undefined;
  // Rough search from every start, then polish only the best one.
  for (const s of starts) {
    const r = nelderMead(f, s, { ...options, tolerance: 1e-6, xTolerance: 1e-3 });
    if (!best || r.value < best.value) best = r;
  }
  if (!best) throw new Error('minimizeWithRestarts needs at least one start');
  for (let i = 0; i < 5; i++) {
    const r = nelderMead(f, best.x, { ...options, step: 0.1 });
    const improved = r.value < best.value - 1e-9 * Math.abs(best.value);
    if (r.value <= best.value) best = { ...r, iterations: best.iterations + r.iterations };
    if (!improved) break;
  }
  return best;
}
