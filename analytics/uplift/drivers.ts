/**
 * Why the model expects a customer to react to the treatment, and which columns matter overall.
 * A group of inputs (one column, or a family of related features) is occluded: set to the
 * training average (0 after standardisation) and the customer's uplift score recomputed; the
 * change is the group's effect. This works the same for every learner and network shape.
 */
import { ensembleScores, standardise, type UpliftModel } from './model';
import type { Matrix } from './network';

/** The effect of each group on the uplift score of row `row` of raw inputs `m`. */
export function occlusionEffects(model: UpliftModel, m: Matrix, row: number, groups: number[][]): number[] {
  const z = standardise(model, { x: m.x.subarray(row * m.cols, (row + 1) * m.cols), rows: 1, cols: m.cols });
  const variants = new Float32Array((groups.length + 1) * m.cols);
  for (let g = 0; g <= groups.length; g++) {
    variants.set(z.x, g * m.cols);
    if (g > 0) for (const i of groups[g - 1]) variants[g * m.cols + i] = 0;
  }
  const s = ensembleScores(model.folds, { x: variants, rows: groups.length + 1, cols: m.cols });
  return groups.map((_, g) => s[0] - s[g + 1]);
}

export interface ColumnGroup {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Indices of the column's inputs; for a categorical column, one per label. */
  inputs: number[];
  labels?: string[];
}

export interface ColumnDriver {
  column: string;
  /** Mean absolute change of the uplift score when the column is set to its average. */
  importance: number;
  /** Where the predicted uplift is highest and lowest (mean calibrated uplift, as a fraction). */
  highest: { when: string; uplift: number };
  lowest: { when: string; uplift: number };
  text: string;
}

const points = (v: number) => `${(v * 100).toFixed(1)} points`;

/**
 * Columns ranked by importance over the rows of `m` (raw inputs), each described by where its
 * customers' predicted uplift (`uplift`, calibrated) is highest and lowest: the level of a
 * categorical column, the top or bottom quarter of a numeric one.
 */
export function columnDrivers(
  model: UpliftModel,
  m: Matrix,
  uplift: ArrayLike<number>,
  columns: ColumnGroup[],
  top = 5,
): ColumnDriver[] {
  const importance = new Array<number>(columns.length).fill(0);
  const groups = columns.map((c) => c.inputs);
  for (let r = 0; r < m.rows; r++) {
    const e = occlusionEffects(model, m, r, groups);
    e.forEach((v, g) => (importance[g] += Math.abs(v) / m.rows));
  }
  const drivers = columns.map((c, g) => {
    const buckets = c.kind === 'categorical' ? byLevel(c, m, uplift) : byQuarter(c, m, uplift);
    // Levels with few customers in the sample say more about chance than about the column.
    const enough = Math.max(20, 0.02 * m.rows);
    const sorted = buckets.filter((b) => b.n >= enough).sort((a, b) => b.mean - a.mean);
    const highest = { when: sorted[0]?.when ?? '', uplift: sorted[0]?.mean ?? 0 };
    const last = sorted[sorted.length - 1];
    const lowest = { when: last?.when ?? '', uplift: last?.mean ?? 0 };
    return {
      column: c.name,
      importance: importance[g],
      highest,
      lowest,
      text: `${c.name}: predicted uplift ${points(highest.uplift)} ${highest.when}, ${points(lowest.uplift)} ${lowest.when}`,
    };
  });
  return drivers.sort((a, b) => b.importance - a.importance).slice(0, top);
}

type Bucket = { when: string; n: number; mean: number };

function byLevel(c: ColumnGroup, m: Matrix, uplift: ArrayLike<number>): Bucket[] {
  return c.inputs.map((input, k) => {
    let n = 0;
    let sum = 0;
    for (let r = 0; r < m.rows; r++) {
      if (m.x[r * m.cols + input] !== 1) continue;
      n++;
      sum += uplift[r];
    }
    return { when: `for ${c.labels?.[k] ?? String(k)}`, n, mean: n ? sum / n : 0 };
  });
}

function byQuarter(c: ColumnGroup, m: Matrix, uplift: ArrayLike<number>): Bucket[] {
  const input = c.inputs[0];
  const order = Array.from({ length: m.rows }, (_, r) => r).sort(
    (a, b) => m.x[a * m.cols + input] - m.x[b * m.cols + input],
  );
  const quarter = Math.max(1, Math.floor(m.rows / 4));
  const mean = (rows: number[]) => rows.reduce((a, r) => a + uplift[r], 0) / Math.max(1, rows.length);
  const lowRows = order.slice(0, quarter);
  const highRows = order.slice(order.length - quarter);
  return [
    { when: 'for its top quarter', n: highRows.length, mean: mean(highRows) },
    { when: 'for its bottom quarter', n: lowRows.length, mean: mean(lowRows) },
  ];
}
