/**
 * Sentence sentiment: TF-IDF word uni/bigrams (with negation scope marked, so "not good" and
 * "good" are different features) and character n-grams (inside words and across word
 * boundaries), plus lexicon scores and pre-trained word-vector averages as dense inputs, into
 * a linear TF.js classifier (the average of nets trained with a few seeds). The epoch count is
 * chosen on a held-out slice of the training data. The score is 2*P(positive)-1 in [-1, 1], calibrated by temperature scaling.
 */
import { loadNetTextModel, saveNetTextModel } from '../core/netModelFiles';
import { countFeature, countSpanningCharNgrams, Vectorizer, type RawFeatures } from '../text/features';
import { normalizeText, numberShape, stem } from '../text/normalize';
import {
  fitTemperature,
  netLogits,
  softmax,
  trainNet,
  averageLinearNets,
  type NetExample,
  type NetWeights,
} from '../core/sparseNet';
import { seededRandom, shuffleInPlace } from '../../lib/random';
import { withDefaults } from '../../lib/options';
import { afinnScore, LEXICON_FEATURES, lexiconFeatures } from './lexicon';
import { requireWordVectors, sentenceVector, wordVectors as loadWordVectors } from '../text/wordVectors';

export interface LabelledSentence {
  text: string;
  /** 1 = positive, 0 = negative. */
  label: 0 | 1;
}

export type SentimentLabel = 'positive' | 'negative' | 'neutral';

export interface SentimentResult {
  /** -1 (very negative) .. 1 (very positive). */
  score: number;
  label: SentimentLabel;
  /**
   * natural's AFINN score of the words alone (negation-aware): the model, trained on reviews,
   * can be sure of a mood in a plain question; a caller that acts on negativity (apologising,
   * pausing promotions) can ask for both kinds of evidence.
   */
  lexicon: number;
}

export interface SentimentModel {
  kind: 'sentiment';
  version: 1;
  vectorizer: Vectorizer;
  net: NetWeights;
  temperature: number;
  /** |score| below this is reported as neutral (the training data has no neutral class). */
  neutralBand: number;
  /** Length of the character n-grams spanning word boundaries (absent: none). */
  spanChars?: number;
  /** Length of the pre-trained word-vector average among the dense inputs (absent: none). */
  wordVectors?: number;
  training: { examples: number; epochs: number; trainSeconds: number };
}

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'nobody',
  'none',
  'neither',
  'nor',
  'hardly',
  'without',
]);
const CLAUSE_END = /[.,;:!?()]+|\bbut\b/;

interface ScopedToken {
  token: string;
  /** After a negator in the same clause ("not" in "not good at all"). */
  negated: boolean;
}

/** The message's clauses as tokens, each marked when a negator came before it in its clause. */
function negationScopes(text: string): ScopedToken[][] {
  return normalizeText(text)
    .split(CLAUSE_END)
    .map((clause) => {
      let negated = false;
      return (clause.match(/[a-z]+|\d+/g) ?? []).map((token) => {
        const scoped = { token, negated };
        if (NEGATORS.has(token)) negated = true;
        return scoped;
      });
    });
}

/** Word features with negation scope (until the clause ends) and character n-grams. */
export function sentimentFeatures(text: string, spanChars = 0): RawFeatures {
  const words = new Map<number, number>();
  const chars = new Map<number, number>();
  for (const clause of negationScopes(text)) {
    const seq: string[] = ['^'];
    for (const { token: t, negated } of clause) {
      const s = numberShape(stem(t));
      const f = negated ? `not_${s}` : s;
      seq.push(f);
      countFeature(words, `w ${f}`);
      const w = `<${t}>`;
      for (let n = 3; n <= 5; n++)
        for (let i = 0; i + n <= w.length; i++) countFeature(chars, `c ${w.slice(i, i + n)}`);
    }
    seq.push('$');
    for (let i = 0; i + 1 < seq.length; i++) countFeature(words, `b ${seq[i]} ${seq[i + 1]}`);
  }
  if (spanChars > 0) {
    // Over the whole message ("but" included), not clause by clause.
    const tokens = (normalizeText(text).match(/[a-z]+|\d+/g) ?? []).map(numberShape);
    countSpanningCharNgrams(chars, tokens, spanChars);
  }
  return [words, chars];
}

const SPEC = { wordNgrams: 2 as const, charMin: 3, charMax: 5 };

export interface SentimentOptions {
  batchSize: number;
  learningRate: number;
  featureDropout: number;
  seed: number;
  maxEpochs: number;
  /** Final nets trained with different seeds and averaged (weights: the net is linear). */
  seeds: number;
  spanChars: number;
  /** Length of the word-vector average fed next to the lexicon scores (0 = not used). */
  wordVectors: number;
}

export const DEFAULT_SENTIMENT_OPTIONS: SentimentOptions = {
  batchSize: 16,
  learningRate: 0.01,
  featureDropout: 0.2,
  seed: 11,
  maxEpochs: 30,
  seeds: 3,
  spanChars: 5,
  wordVectors: 1,
};

/**
 * Lexicon scores, then (when used) two word-vector averages: the words outside any negation
 * scope and the words inside one, so "not good" does not look like "good" to them.
 * In-domain 5-fold CV of the training sets: amazon 0.888 -> 0.896, yelp 0.880 -> 0.893
 * (one average of every word: 0.888 / 0.880; weight 2: 0.889 / 0.881).
 */
function denseInputs(text: string, wordVectors: number | undefined): Float32Array {
  const lexicon = lexiconFeatures(text);
  if (!wordVectors) return lexicon;
  const vectors = requireWordVectors();
  const plain: string[] = [];
  const negated: string[] = [];
  for (const clause of negationScopes(text))
    for (const scoped of clause) (scoped.negated ? negated : plain).push(scoped.token);
  const out = new Float32Array(lexicon.length + 2 * vectors.dim);
  out.set(lexicon);
  [plain, negated].forEach((words, part) => {
    const v = sentenceVector(words, vectors);
    const base = lexicon.length + part * vectors.dim;
    for (let d = 0; d < vectors.dim; d++) out[base + d] = v[d] * wordVectors;
  });
  return out;
}

function denseDim(wordVectors: number | undefined): number {
  return LEXICON_FEATURES + (wordVectors ? 2 * requireWordVectors().dim : 0);
}

function examplesFor(
  vec: Vectorizer,
  raw: RawFeatures[],
  dense: Float32Array[],
  data: LabelledSentence[],
): NetExample[] {
  return data.map((d, i) => ({ x: vec.vectorizeRaw(raw[i]), dense: dense[i], label: d.label }));
}

function shape(inputDim: number, dense: number) {
  return { architecture: 'linear' as const, inputDim, denseDim: dense, hidden: 0, classes: 2 };
}

export async function fitSentimentModel(
  data: LabelledSentence[],
  options: Partial<SentimentOptions> = {},
): Promise<SentimentModel> {
  const started = process.hrtime.bigint();
  const settings: SentimentOptions = withDefaults(DEFAULT_SENTIMENT_OPTIONS, options);
  // Without the word-vector package installed, train on n-grams and lexicon scores alone.
  if (!loadWordVectors()) settings.wordVectors = 0;
  if (new Set(data.map((d) => d.label)).size < 2) throw new Error('sentiment training needs both labels');
  const raw = data.map((d) => sentimentFeatures(d.text, settings.spanChars));
  const dense = data.map((d) => denseInputs(d.text, settings.wordVectors));
  const denseWidth = denseDim(settings.wordVectors);
  // Choose the epoch count and temperature on a seeded 15% holdout of the training data.
  const order = shuffleInPlace(
    data.map((_, i) => i),
    seededRandom(settings.seed),
  );
  const cut = Math.max(1, Math.round(order.length * 0.15));
  const validIdx = order.slice(0, cut);
  const trainIdx = order.slice(cut);
  const pick = <T>(a: T[], idx: number[]) => idx.map((i) => a[i]);
  const vec = Vectorizer.fit(pick(raw, trainIdx), SPEC);
  const train = examplesFor(vec, pick(raw, trainIdx), pick(dense, trainIdx), pick(data, trainIdx));
  const valid = examplesFor(vec, pick(raw, validIdx), pick(dense, validIdx), pick(data, validIdx));
  const scores: { correct: number; logits: Float32Array[] }[] = [];
  await trainNet(train, shape(vec.size, denseWidth), {
    ...settings,
    epochs: settings.maxEpochs,
    onEpoch: (_e, weights) => {
      const w = weights();
      const logits = valid.map((v) => netLogits(w, v.x, v.dense));
      scores.push({
        correct: logits.filter((l, i) => (l[1] > l[0] ? 1 : 0) === valid[i].label).length,
        logits,
      });
    },
  });
  let best = 0;
  scores.forEach((s, e) => s.correct > scores[best].correct && (best = e));
  const temperature = fitTemperature(
    scores[best].logits,
    valid.map((v) => v.label),
  );
  const vectorizer = Vectorizer.fit(raw, SPEC);
  const all = examplesFor(vectorizer, raw, dense, data);
  const nets: NetWeights[] = [];
  for (let k = 0; k < settings.seeds; k++) {
    nets.push(
      await trainNet(all, shape(vectorizer.size, denseWidth), {
        ...settings,
        seed: settings.seed + k,
        epochs: best + 1,
      }),
    );
  }
  const net = averageLinearNets(nets);
  return {
    kind: 'sentiment',
    version: 1,
    vectorizer,
    net,
    temperature,
    neutralBand: 0.2,
    spanChars: settings.spanChars || undefined,
    wordVectors: settings.wordVectors || undefined,
    training: {
      examples: data.length,
      epochs: best + 1,
      trainSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    },
  };
}

/** P(positive) of one sentence. */
export function positiveProbability(model: SentimentModel, text: string): number {
  const x = model.vectorizer.vectorizeRaw(sentimentFeatures(text, model.spanChars));
  return softmax(netLogits(model.net, x, denseInputs(text, model.wordVectors)), model.temperature)[1];
}

export function analyseSentiment(model: SentimentModel, text: string): SentimentResult {
  const score = Math.round((2 * positiveProbability(model, text) - 1) * 1000) / 1000;
  const label: SentimentLabel =
    Math.abs(score) < model.neutralBand ? 'neutral' : score > 0 ? 'positive' : 'negative';
  return { score, label, lexicon: Math.round(afinnScore(text) * 1000) / 1000 };
}

export function saveSentimentModel(model: SentimentModel, dir: string, name = 'sentiment'): void {
  saveNetTextModel(model, dir, name);
}

export function loadSentimentModel(dir: string, name = 'sentiment'): SentimentModel {
  const model = loadNetTextModel<SentimentModel>(dir, name, 'sentiment', 1);
  if (model.wordVectors) requireWordVectors();
  return model;
}
