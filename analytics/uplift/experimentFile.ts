/**
 * Reads a randomised experiment from a CSV file (.csv or .csv.gz), streaming: one row per
 * customer, a treatment column, a binary outcome column, and any other columns as features.
 *
 * What real exports throw at it, and what happens:
 * - comma, semicolon, tab or pipe separated (sniffed from the header), quoted fields with
 *   separators or line breaks inside, a byte-order mark, rows with too few or too many fields
 *   (skipped and counted);
 * - a treatment column with several values ("Mens E-Mail", "Womens E-Mail", "No E-Mail"): with
 *   `controlValue` every other value counts as treated, unless `treatmentValue` picks one (rows of
 *   the other treatments are then left out, and counted); without `controlValue` the column must
 *   read as binary (1/0, true/false, yes/no, treatment/control);
 * - outcomes as 1/0, 1.0/0.0, yes/no, true/false, y/n; rows with no outcome or no treatment are
 *   left out and counted; a non-binary outcome column is an error that says so;
 * - missing values ("", NA, N/A, null, NaN, ?) in features: kept as missing (encoding.ts); ISO
 *   dates read as numbers (days since 1970).
 *
 * A training file larger than `maxRows` is sampled uniformly (seeded reservoir sampling), so memory
 * stays bounded however big the file; test files are streamed in batches without being held.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { seededRandom } from '../../lib/random';

export interface ExperimentColumns {
  treatment: string;
  outcome: string;
  /** The treatment column's value for the control group. */
  controlValue?: string;
  /** Only this treated value counts as treated (other treated values are left out). */
  treatmentValue?: string;
  /** Columns that are neither features nor the treatment or outcome (ids, other outcomes). */
  exclude?: string[];
}

/** A problem with the file or the options: the message says what to change. */
export class ExperimentFileError extends Error {
  readonly exitCode = 2;
}

const MISSING = new Set(['', 'na', 'n/a', 'null', 'nan', 'none', '?', '-', '#n/a']);
const TRUE = new Set(['1', 'true', 'yes', 'y', 't']);
const FALSE = new Set(['0', 'false', 'no', 'n', 'f']);
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export const isMissing = (v: string) => MISSING.has(v.toLowerCase());

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DAY_MS = 86_400_000;

/**
 * A number, or NaN for anything that is not plainly one. ISO dates ("2018-03-15", with or without
 * a time) read as days since 1970, so a first-purchase date is a numeric feature, not a category.
 */
export function parseNumber(v: string): number {
  if (NUMBER.test(v)) return Number(v);
  const date = ISO_DATE.exec(v);
  // A time without a zone reads as UTC, so the same file gives the same numbers on every machine.
  if (date) return Date.parse(v.replace(' ', 'T') + (date[1] && !date[4] ? 'Z' : '')) / DAY_MS;
  return NaN;
}

/** 1, 0, or null when the value is not a recognisable yes/no. */
export function parseBinary(v: string): 0 | 1 | null {
  const s = v.toLowerCase();
  if (TRUE.has(s)) return 1;
  if (FALSE.has(s)) return 0;
  const n = parseNumber(s);
  return n === 1 ? 1 : n === 0 ? 0 : null;
}

const TREATED_WORDS = new Set(['treatment', 'treated', 'test', 'exposed']);
const CONTROL_WORDS = new Set(['control', 'holdout', 'hold-out', 'untreated']);

/** Maps a treatment cell to 1 (treated), 0 (control), 'other' (another treatment, left out) or null (unreadable). */
export function treatmentReader(c: ExperimentColumns): (v: string) => 0 | 1 | 'other' | null {
  const same = (a: string, b: string) => a === b || a.toLowerCase() === b.toLowerCase();
  const control = c.controlValue?.trim();
  const treated = c.treatmentValue?.trim();
  return (v) => {
    if (control !== undefined && same(v, control)) return 0;
    if (treated !== undefined) return same(v, treated) ? 1 : control !== undefined ? 'other' : binaryArm(v);
    if (control !== undefined) return 1;
    return binaryArm(v);
  };
}

function binaryArm(v: string): 0 | 1 | null {
  const s = v.toLowerCase();
  if (TREATED_WORDS.has(s)) return 1;
  if (CONTROL_WORDS.has(s)) return 0;
  return parseBinary(v);
}

/** The index of `name` in the header (exact, then ignoring case and surrounding spaces). */
export function columnIndex(header: string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const wanted = name.trim().toLowerCase();
  return header.findIndex((h) => h.trim().toLowerCase() === wanted);
}

/** The delimiter of the header line: the most frequent of , ; tab | outside quotes (comma on a tie). */
export function sniffDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

async function firstLine(file: string): Promise<string> {
  const source = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  const stream = file.endsWith('.gz') ? source.pipe(zlib.createGunzip()) : source;
  let text = '';
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString('utf8');
      const end = text.search(/\r?\n/);
      if (end >= 0) return text.slice(0, end);
      if (text.length > 1 << 20) break;
    }
  } finally {
    source.destroy();
  }
  return text;
}

/**
 * Calls `onHeader` with the header row, then `onRecord` for every data row (fields trimmed).
 * Errors of the file itself (missing, not gzip, not CSV) become ExperimentFileError.
 */
export async function readCsv(
  file: string,
  onHeader: (header: string[]) => void,
  onRecord: (record: string[]) => void,
): Promise<void> {
  if (!fs.existsSync(file)) throw new ExperimentFileError(`no file at ${file}`);
  const delimiter = sniffDelimiter((await firstLine(file)).replace(/^\uFEFF/, ''));
  const parser = parse({
    delimiter,
    bom: true,
    trim: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  });
  let header: string[] | null = null;
  const sink = new Writable({
    objectMode: true,
    write(record: string[], _enc, done) {
      try {
        if (header === null) {
          header = record;
          onHeader(record);
        } else onRecord(record);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  const source = fs.createReadStream(file);
  try {
    if (file.endsWith('.gz')) await pipeline(source, zlib.createGunzip(), parser, sink);
    else await pipeline(source, parser, sink);
  } catch (err) {
    if (err instanceof ExperimentFileError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message))
      throw new ExperimentFileError(`${file} is truncated or not valid gzip (${e.message})`);
    if (e.code && String(e.code).startsWith('CSV_'))
      throw new ExperimentFileError(`${file} is not valid CSV (${e.message})`);
    throw err;
  }
  if (header === null) throw new ExperimentFileError(`${file} is empty: expected a header row`);
}

/** Where the experiment's columns are in a header, and which columns are features. */
export interface ColumnMap {
  treatment: number;
  outcome: number;
  /** Feature names and their indices in the header. */
  features: Array<{ name: string; index: number }>;
  warnings: string[];
}

export function mapColumns(header: string[], c: ExperimentColumns, file: string): ColumnMap {
  const find = (name: string, option: string) => {
    const i = columnIndex(header, name);
    if (i < 0)
      throw new ExperimentFileError(
        `${file} has no column '${name}' (${option}); its columns are: ${header.join(', ')}`,
      );
    return i;
  };
  const treatment = find(c.treatment, '--treatment');
  const outcome = find(c.outcome, '--outcome');
  if (treatment === outcome) throw new ExperimentFileError('--treatment and --outcome name the same column');
  const warnings: string[] = [];
  const excluded = new Set<number>();
  for (const name of c.exclude ?? []) {
    const i = columnIndex(header, name);
    if (i < 0) warnings.push(`--exclude: ${file} has no column '${name}'`);
    else excluded.add(i);
  }
  const features: ColumnMap['features'] = [];
  header.forEach((name, index) => {
    if (index === treatment || index === outcome || excluded.has(index)) return;
    features.push({ name: name.trim() || `column ${index + 1}`, index });
  });
  if (!features.length) throw new ExperimentFileError(`${file} has no feature columns left`);
  return { treatment, outcome, features, warnings };
}

/** Counts of rows left out, by reason, and the values that could not be read. */
export class RowAccounting {
  readonly skipped: Record<string, number> = {};
  readonly unreadable = { treatment: new Map<string, number>(), outcome: new Map<string, number>() };

  skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /** Reads the group and outcome of a record; null when the row is left out (and counted). */
  arms(
    record: string[],
    map: ColumnMap,
    width: number,
    readTreatment: ReturnType<typeof treatmentReader>,
  ): { t: 0 | 1; y: 0 | 1 } | null {
    if (record.length !== width) {
      if (record.length === 1 && record[0] === '') return null;
      this.skip('wrong number of fields');
      return null;
    }
    const tv = record[map.treatment];
    const yv = record[map.outcome];
    const t = isMissing(tv) ? 'missing' : readTreatment(tv);
    const y = isMissing(yv) ? 'missing' : parseBinary(yv);
    if (t === 'missing') this.skip('no treatment value');
    else if (t === 'other') this.skip('another treatment');
    else if (t === null) this.note(this.unreadable.treatment, tv);
    else if (y === 'missing') this.skip('no outcome value');
    else if (y === null) this.note(this.unreadable.outcome, yv);
    else return { t, y };
    return null;
  }

  private note(values: Map<string, number>, v: string): void {
    if (values.size < 50 || values.has(v)) values.set(v, (values.get(v) ?? 0) + 1);
    this.skip('unreadable');
  }

  /** Throws when treatment or outcome values could not be read: the options or the column are wrong. */
  check(c: ExperimentColumns): void {
    const examples = (m: Map<string, number>) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([v]) => `'${v}'`)
        .join(', ');
    if (this.unreadable.treatment.size) {
      throw new ExperimentFileError(
        c.controlValue === undefined
          ? `the treatment column '${c.treatment}' has values like ${examples(this.unreadable.treatment)}: ` +
              `say which value is the control group with --control-value (every other value then counts as treated, ` +
              `or pick one with --treatment-value)`
          : `the treatment column '${c.treatment}' has values like ${examples(this.unreadable.treatment)} besides the control value`,
      );
    }
    if (this.unreadable.outcome.size) {
      throw new ExperimentFileError(
        `the outcome column '${c.outcome}' is not binary: it has values like ${examples(this.unreadable.outcome)}; ` +
          `give a column of 1/0, yes/no or true/false (e.g. whether the customer converted)`,
      );
    }
  }
}

/** One feature column of the sample: each cell as a number (NaN if not one) and as a category code. */
export interface SampledColumn {
  name: string;
  numbers: Float64Array;
  /** Index into `levels`; -1 missing; -2 a value beyond the MAX_DISTINCT first distinct ones. */
  codes: Int32Array;
  levels: string[];
}

export interface ExperimentSample {
  columns: SampledColumn[];
  t: Uint8Array;
  y: Uint8Array;
  rows: number;
  /** Usable rows in the file (the sample holds `rows` of them). */
  usableRows: number;
  skipped: Record<string, number>;
  warnings: string[];
}

/** Distinct values remembered per column; more than this is an identifier or free text. */
export const MAX_DISTINCT = 5000;

/** Reads the training file into memory, sampling `maxRows` of its usable rows when it has more. */
export async function readExperimentSample(
  file: string,
  c: ExperimentColumns,
  options: { maxRows?: number; seed?: number } = {},
): Promise<ExperimentSample> {
  const maxRows = options.maxRows ?? 500_000;
  const random = seededRandom(options.seed ?? 42);
  const accounting = new RowAccounting();
  const readTreatment = treatmentReader(c);
  let map: ColumnMap | undefined;
  let width = 0;
  let capacity = 0;
  let rows = 0;
  let usable = 0;
  let columns: SampledColumn[] = [];
  let dictionaries: Map<string, number>[] = [];
  let t = new Uint8Array(0);
  let y = new Uint8Array(0);

  const grow = (to: number) => {
    capacity = to;
    const bigger = <A extends Float64Array | Int32Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(to);
      b.set(a);
      return b;
    };
    t = bigger(t, (n) => new Uint8Array(n));
    y = bigger(y, (n) => new Uint8Array(n));
    for (const col of columns) {
      col.numbers = bigger(col.numbers, (n) => new Float64Array(n));
      col.codes = bigger(col.codes, (n) => new Int32Array(n));
    }
  };
  const put = (slot: number, record: string[], arms: { t: 0 | 1; y: 0 | 1 }) => {
    t[slot] = arms.t;
    y[slot] = arms.y;
    map!.features.forEach(({ index }, j) => {
      const v = record[index];
      const col = columns[j];
      if (isMissing(v)) {
        col.numbers[slot] = NaN;
        col.codes[slot] = -1;
        return;
      }
      col.numbers[slot] = parseNumber(v);
      const dict = dictionaries[j];
      let code = dict.get(v);
      if (code === undefined && dict.size < MAX_DISTINCT) {
        code = col.levels.length;
        dict.set(v, code);
        col.levels.push(v);
      }
      col.codes[slot] = code ?? -2;
    });
  };

  await readCsv(
    file,
    (header) => {
      map = mapColumns(header, c, file);
      width = header.length;
      columns = map.features.map((f) => ({
        name: f.name,
        numbers: new Float64Array(0),
        codes: new Int32Array(0),
        levels: [],
      }));
      dictionaries = map.features.map(() => new Map());
    },
    (record) => {
      const arms = accounting.arms(record, map!, width, readTreatment);
      if (!arms) return;
      usable++;
      if (rows < maxRows) {
        if (rows === capacity) grow(Math.min(maxRows, Math.max(1024, capacity * 2)));
        put(rows++, record, arms);
        return;
      }
      // Reservoir sampling: every usable row ends up in the sample with the same chance.
      const slot = Math.floor(random() * usable);
      if (slot < maxRows) put(slot, record, arms);
    },
  );
  accounting.check(c);
  const warnings = [...map!.warnings];
  if (usable > rows)
    warnings.push(`the training file has ${usable} usable rows: a random ${rows} of them were used`);
  return {
    columns: columns.map((col) => ({
      ...col,
      numbers: col.numbers.subarray(0, rows),
      codes: col.codes.subarray(0, rows),
    })),
    t: t.subarray(0, rows),
    y: y.subarray(0, rows),
    rows,
    usableRows: usable,
    skipped: accounting.skipped,
    warnings,
  };
}
