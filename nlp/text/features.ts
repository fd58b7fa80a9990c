/**
 * Sparse text features: stemmed word unigrams and bigrams plus character n-grams of each word
 * (which is what makes "recomendations" and "recommendatons" look like "recommendations").
 * Features are hashed to 32-bit ids (FNV-1a), so a saved model stores numbers, not strings.
 * A Vectorizer fitted on training data keeps the ids seen often enough, with their IDF, and
 * turns a text into a TF-IDF vector normalised per feature group.
 */
import { numberShape, stem, tokenize } from './normalize';

export interface FeatureSpec {
  /** 1 = unigrams only, 2 = unigrams + bigrams (with sentence-boundary markers). */
  wordNgrams: 1 | 2;
  /** Character n-gram lengths taken inside "<word>" (0 disables character n-grams). */
  charMin: number;
  charMax: number;
  /**
   * Length of character n-grams taken across word boundaries of the whole message (" set a",
   * "t alar"): typo-tolerant word pairs. 0 or absent (models saved before) disables them.
   */
  spanChars?: number;
}

export const DEFAULT_FEATURE_SPEC: FeatureSpec = { wordNgrams: 2, charMin: 3, charMax: 5, spanChars: 5 };

/**
 * Feature groups (RawFeatures: word features, then character features) are normalised separately
 * so long words cannot drown the word features.
 */
export const GROUP_CHAR = 1;
export const GROUP_COUNT = 2;

/** Hashed features of one text: id -> count, per group. */
export type RawFeatures = [Map<number, number>, Map<number, number>];

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Counts one occurrence of the feature named `key` (hashed). */
export function countFeature(map: Map<number, number>, key: string): void {
  const id = fnv1a(key);
  map.set(id, (map.get(id) ?? 0) + 1);
}

/**
 * Character n-grams of length `n` across the word boundaries of `tokens` (" set a", "t alar"):
 * only those that span a space, since the ones inside a word are the per-word features.
 */
export function countSpanningCharNgrams(map: Map<number, number>, tokens: string[], n: number): void {
  const w = ` ${tokens.join(' ')} `;
  for (let i = 0; i + n <= w.length; i++) {
    const g = w.slice(i, i + n);
    if (g.slice(1, -1).includes(' ')) countFeature(map, `x ${g}`);
  }
}

export function extractFeatures(text: string, spec: FeatureSpec): RawFeatures {
  const words = new Map<number, number>();
  const chars = new Map<number, number>();
  const tokens = tokenize(text);
  const stems = tokens.map((t) => numberShape(stem(t)));
  for (const s of stems) countFeature(words, `w ${s}`);
  if (spec.wordNgrams >= 2) {
    const seq = ['^', ...stems, '$'];
    for (let i = 0; i + 1 < seq.length; i++) countFeature(words, `b ${seq[i]} ${seq[i + 1]}`);
  }
  if (spec.spanChars) countSpanningCharNgrams(chars, tokens.map(numberShape), spec.spanChars);
  if (spec.charMin > 0) {
    for (const t of tokens) {
      const w = `<${numberShape(t)}>`;
      for (let n = spec.charMin; n <= spec.charMax; n++) {
        for (let i = 0; i + n <= w.length; i++) countFeature(chars, `c ${w.slice(i, i + n)}`);
      }
    }
  }
  return [words, chars];
}

/** A sparse vector: parallel arrays of row indexes into the model's feature table and values. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export interface VectorizerJson {
  spec: FeatureSpec;
  /** Hashed feature ids, sorted by row. */
  ids: number[];
  groups: number[];
  idf: number[];
  groupWeights: number[];
}

export class Vectorizer {
  private readonly rowOf = new Map<number, number>();

  constructor(readonly json: VectorizerJson) {
    json.ids.forEach((id, row) => this.rowOf.set(id, row));
  }

  get size(): number {
    return this.json.ids.length;
  }

  /**
   * Keeps features seen in at least `minDocs` training texts (word features always from 1,
   * since one rare word can name an intent), with smoothed IDF.
   */
  static fit(
    docs: RawFeatures[],
    spec: FeatureSpec,
    opts: { minCharDocs?: number; maxFeatures?: number } = {},
  ): Vectorizer {
    const minCharDocs = opts.minCharDocs ?? 2;
    const df = [new Map<number, number>(), new Map<number, number>()];
    for (const doc of docs) {
      for (let g = 0; g < GROUP_COUNT; g++)
        for (const id of doc[g].keys()) df[g].set(id, (df[g].get(id) ?? 0) + 1);
    }
    const kept: { id: number; group: number; df: number }[] = [];
    const seen = new Set<number>();
    for (let g = 0; g < GROUP_COUNT; g++) {
      const min = g === GROUP_CHAR ? minCharDocs : 1;
      for (const [id, n] of df[g]) {
        if (n >= min && !seen.has(id)) {
          seen.add(id);
          kept.push({ id, group: g, df: n });
        }
      }
    }
    kept.sort((a, b) => b.df - a.df || a.id - b.id);
    const limited = opts.maxFeatures ? kept.slice(0, opts.maxFeatures) : kept;
    const n = docs.length;
    return new Vectorizer({
      spec,
      ids: limited.map((k) => k.id),
      groups: limited.map((k) => k.group),
      idf: limited.map((k) => Math.log((1 + n) / (1 + k.df)) + 1),
      groupWeights: spec.charMin > 0 || (spec.spanChars ?? 0) > 0 ? [Math.SQRT1_2, Math.SQRT1_2] : [1, 0],
    });
  }

  vectorizeRaw(raw: RawFeatures): SparseVector {
    const idx: number[] = [];
    const val: number[] = [];
    for (let g = 0; g < GROUP_COUNT; g++) {
      const start = idx.length;
      let norm = 0;
      for (const [id, count] of raw[g]) {
        const row = this.rowOf.get(id);
        if (row === undefined) continue;
        const v = (1 + Math.log(count)) * this.json.idf[row];
        idx.push(row);
        val.push(v);
        norm += v * v;
      }
      const scale = norm > 0 ? this.json.groupWeights[g] / Math.sqrt(norm) : 0;
      for (let i = start; i < idx.length; i++) val[i] *= scale;
    }
    return { idx: Int32Array.from(idx), val: Float32Array.from(val) };
  }

  vectorize(text: string): SparseVector {
    return this.vectorizeRaw(extractFeatures(text, this.json.spec));
  }
}
