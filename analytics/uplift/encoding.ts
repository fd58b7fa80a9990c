/**
 * Turns the columns of an experiment file into model inputs, decided on the training sample and
 * applied unchanged to the test file:
 *
 * - numeric columns (at least 95% of the filled cells are numbers; the rest count as missing):
 *   clipped to their 0.5% and 99.5% quantiles, log1p-transformed when non-negative and strongly
 *   right-skewed (skewness over 2: counts, money), missing cells filled with the median plus a
 *   "missing" indicator column when the training file had any;
 * - categorical columns: one column per level (one-hot); levels seen in fewer than
 *   clamp(0.1% of rows, 10, 100) rows, and all but the 40 most common, are pooled into "(other)";
 *   missing cells get a "(missing)" level; levels the training file never had count as "(other)";
 * - left out, with the reason: columns with one value only, text columns with a different value
 *   on almost every row (identifiers, free text), and numeric columns named like an identifier
 *   (id, customer_id, clientId) with a different number on almost every row.
 *
 * Standardisation is the model's job (model.ts). Pure.
 */
import { isMissing, parseNumber, type ExperimentSample, type SampledColumn } from './experimentFile';
import type { Matrix } from './network';

export type ColumnEncoding =
  | {
      name: string;
      kind: 'numeric';
      log: boolean;
      low: number;
      high: number;
      fill: number;
      missingIndicator: boolean;
    }
  | { name: string; kind: 'categorical'; levels: string[]; other: boolean; missing: boolean };

export interface Encoder {
  columns: ColumnEncoding[];
  /** Names of the model inputs, in order. */
  features: string[];
  /** For each column, the indices of its inputs (for drivers: a column's inputs move together). */
  groups: number[][];
  dropped: Array<{ name: string; why: string }>;
  warnings: string[];
}

const NUMERIC_SHARE = 0.95;
/** Column names of identifiers: id, customer_id, clientId, user ID ... */
const ID_NAME = /(^|[_\s-])(id|Id|ID)$|[a-z](Id|ID)$/;
const MAX_LEVELS = 40;
const SKEWED = 2;

function quantile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

function numericEncoding(col: SampledColumn): ColumnEncoding | { drop: string } {
  const values = col.numbers.filter((v) => Number.isFinite(v)).sort();
  const missing = col.numbers.length - values.length;
  let low = quantile(values, 0.005);
  let high = quantile(values, 0.995);
  if (values.length === 0 || values[0] === values[values.length - 1])
    return { drop: 'it has the same value in every row' };
  if (low === high) {
    // Nearly constant: keep the full range rather than clip everything to one value.
    low = values[0];
    high = values[values.length - 1];
  }
  const clipped = values.map((v) => Math.min(high, Math.max(low, v)));
  let log = false;
  if (low >= 0) {
    const mean = clipped.reduce((a, b) => a + b, 0) / clipped.length;
    let m2 = 0;
    let m3 = 0;
    for (const v of clipped) {
      m2 += (v - mean) ** 2;
      m3 += (v - mean) ** 3;
    }
    m2 /= clipped.length;
    m3 /= clipped.length;
    log = m2 > 0 && m3 / m2 ** 1.5 > SKEWED;
  }
  const transformed = log ? clipped.map(Math.log1p) : clipped;
  return {
    name: col.name,
    kind: 'numeric',
    log,
    low,
    high,
    fill: quantile(transformed, 0.5),
    missingIndicator: missing > 0,
  };
}

function categoricalEncoding(col: SampledColumn, rows: number): ColumnEncoding | { drop: string } {
  const counts = new Array<number>(col.levels.length).fill(0);
  let missing = 0;
  let overflow = 0;
  for (const code of col.codes) {
    if (code === -1) missing++;
    else if (code === -2) overflow++;
    else counts[code]++;
  }
  const filled = rows - missing;
  const distinct = col.levels.length + (overflow ? overflow : 0);
  if (distinct > 50 && distinct > 0.5 * filled)
    return { drop: 'it has a different value on almost every row (an identifier or free text?)' };
  const minRows = Math.min(100, Math.max(10, Math.round(rows * 0.001)));
  const kept = counts
    .map((n, code) => ({ n, code }))
    .filter((l) => l.n >= minRows)
    .sort((a, b) => b.n - a.n || a.code - b.code)
    .slice(0, MAX_LEVELS);
  const keptRows = kept.reduce((a, l) => a + l.n, 0);
  const other = filled - keptRows > 0;
  if (kept.length + (other ? 1 : 0) + (missing ? 1 : 0) < 2)
    return { drop: 'it has the same value in every row' };
  return {
    name: col.name,
    kind: 'categorical',
    levels: kept.map((l) => col.levels[l.code]),
    other,
    missing: missing > 0,
  };
}

/** Distinct values per filled cell (values beyond the remembered ones each count as new). */
function distinctShare(col: SampledColumn, filled: number): number {
  let overflow = 0;
  for (const code of col.codes) if (code === -2) overflow++;
  return (col.levels.length + overflow) / Math.max(1, filled);
}

/** Chooses each column's encoding from the training sample. */
export function fitEncoder(sample: ExperimentSample): Encoder {
  const columns: ColumnEncoding[] = [];
  const dropped: Encoder['dropped'] = [];
  const warnings: string[] = [];
  for (const col of sample.columns) {
    let filled = 0;
    let numeric = 0;
    for (let i = 0; i < sample.rows; i++) {
      if (col.codes[i] === -1) continue;
      filled++;
      if (Number.isFinite(col.numbers[i])) numeric++;
    }
    const isNumeric = filled > 0 && numeric >= NUMERIC_SHARE * filled;
    if (isNumeric && ID_NAME.test(col.name.trim()) && distinctShare(col, filled) > 0.9) {
      dropped.push({
        name: col.name,
        why: 'it looks like an identifier (a different number on almost every row)',
      });
      continue;
    }
    if (isNumeric && numeric < filled)
      warnings.push(
        `column '${col.name}': ${filled - numeric} cells that are not numbers were treated as missing`,
      );
    const e = isNumeric ? numericEncoding(col) : categoricalEncoding(col, sample.rows);
    if ('drop' in e) dropped.push({ name: col.name, why: e.drop });
    else columns.push(e);
  }
  const features: string[] = [];
  const groups: number[][] = [];
  for (const c of columns) {
    const names =
      c.kind === 'numeric'
        ? [c.name, ...(c.missingIndicator ? [`${c.name} (missing)`] : [])]
        : [
            ...c.levels.map((l) => `${c.name}=${l}`),
            ...(c.other ? [`${c.name}=(other)`] : []),
            ...(c.missing ? [`${c.name}=(missing)`] : []),
          ];
    groups.push(names.map((_, k) => features.length + k));
    features.push(...names);
  }
  return { columns, features, groups, dropped, warnings };
}

/** Writes one column's inputs for a cell (`number`: the parsed value, NaN when missing or not a number). */
function writeCell(
  c: ColumnEncoding,
  lookup: Map<string, number> | undefined,
  value: string | null,
  number: number,
  out: Float32Array,
  at: number,
): void {
  if (c.kind === 'numeric') {
    if (!Number.isFinite(number)) {
      out[at] = c.fill;
      if (c.missingIndicator) out[at + 1] = 1;
      return;
    }
    const v = Math.min(c.high, Math.max(c.low, number));
    out[at] = c.log ? Math.log1p(v) : v;
    if (c.missingIndicator) out[at + 1] = 0;
    return;
  }
  const width = c.levels.length + (c.other ? 1 : 0) + (c.missing ? 1 : 0);
  out.fill(0, at, at + width);
  if (value === null) {
    if (c.missing) out[at + width - 1] = 1;
    return;
  }
  const level = lookup!.get(value);
  if (level !== undefined) out[at + level] = 1;
  else if (c.other) out[at + c.levels.length] = 1;
}

function lookups(enc: Encoder): Array<Map<string, number> | undefined> {
  return enc.columns.map((c) =>
    c.kind === 'categorical' ? new Map(c.levels.map((l, i) => [l, i])) : undefined,
  );
}

/** The training sample as a matrix of model inputs. */
export function encodeSample(enc: Encoder, sample: ExperimentSample): Matrix {
  const cols = enc.features.length;
  const x = new Float32Array(sample.rows * cols);
  const byName = new Map(sample.columns.map((c) => [c.name, c]));
  const maps = lookups(enc);
  enc.columns.forEach((c, j) => {
    const col = byName.get(c.name)!;
    const at = enc.groups[j][0];
    for (let r = 0; r < sample.rows; r++) {
      const code = col.codes[r];
      const value = code === -1 ? null : code === -2 ? '\u0000overflow' : col.levels[code];
      writeCell(c, maps[j], value, col.numbers[r], x, r * cols + at);
    }
  });
  return { x, rows: sample.rows, cols };
}

/**
 * An encoder of records of another file with the same columns (the test file): `header` is that
 * file's header; throws when a feature column is missing from it.
 */
export function recordEncoder(
  enc: Encoder,
  header: string[],
  indexOf: (header: string[], name: string) => number,
): (record: string[], out: Float32Array, at: number) => void {
  const indices = enc.columns.map((c) => indexOf(header, c.name));
  const absent = enc.columns.filter((_, j) => indices[j] < 0).map((c) => c.name);
  if (absent.length) throw new Error(`missing feature column(s): ${absent.join(', ')}`);
  const maps = lookups(enc);
  return (record, out, at) => {
    enc.columns.forEach((c, j) => {
      const raw = record[indices[j]] ?? '';
      const missing = isMissing(raw);
      writeCell(
        c,
        maps[j],
        missing ? null : raw,
        missing ? NaN : parseNumber(raw),
        out,
        at + enc.groups[j][0],
      );
    });
  };
}
