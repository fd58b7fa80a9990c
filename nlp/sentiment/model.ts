/**
 * Sentence sentiment: TF-IDF word uni/bigrams (with negation scope marked, so "not good" and
 * "good" are different features) and character n-grams (inside words and across word
 * boundaries), plus lexicon scores as dense inputs, into a linear TF.js classifier (the
 * average of nets trained with a few seeds). The epoch count is chosen on a held-out slice of
 * the training data. The score is 2*P(positive)-1 in [-1, 1], calibrated by temperature scaling.
 */
import { loadNetTextModel, saveNetTextModel } from '../core/netModelFiles';
import { fnv1a, Vectorizer, type RawFeatures } from '../text/features';
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
import { afinnScore, LEXICON_FEATURES, lexiconFeatures } from './lexicon';

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

function bump(map: Map<number, number>, key: string): void {
  const id = fnv1a(key);
  map.set(id, (map.get(id) ?? 0) + 1);
}

/** Word features with negation scope (until the clause ends) and character n-grams. */
export function sentimentFeatures(text: string, spanChars = 0): RawFeatures {
  const words = new Map<number, number>();
  const chars = new Map<number, number>();
  for (const clause of normalizeText(text).split(CLAUSE_END)) {
    const tokens = clause.match(/[a-z]+|\d+/g) ?? [];
    let negated = false;
    const seq: string[] = ['^'];
    for (const t of tokens) {
      const s = numberShape(stem(t));
      const f = negated ? `not_${s}` : s;
      seq.push(f);
      bump(words, `w ${f}`);
      if (NEGATORS.has(t)) negated = true;
      const w = `<${t}>`;
      for (let n = 3; n <= 5; n++)
        for (let i = 0; i + n <= w.length; i++) bump(chars, `c ${w.slice(i, i + n)}`);
    }
    seq.push('$');
    for (let i = 0; i + 1 < seq.length; i++) bump(words, `b ${seq[i]} ${seq[i + 1]}`);
  }
  if (spanChars > 0) {
    const w = ` ${(normalizeText(text).match(/[a-z]+|\d+/g) ?? []).map(numberShape).join(' ')} `;
    for (let i = 0; i + spanChars <= w.length; i++) {
      const g = w.slice(i, i + spanChars);
      if (g.slice(1, -1).includes(' ')) bump(chars, `x ${g}`);
    }
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
}

export const DEFAULT_SENTIMENT_OPTIONS: SentimentOptions = {
  batchSize: 16,
  learningRate: 0.01,
  featureDropout: 0.2,
  seed: 11,
  maxEpochs: 30,
  seeds: 3,
  spanChars: 5,
};

function examplesFor(
  vec: Vectorizer,
  raw: RawFeatures[],
  dense: Float32Array[],
  data: LabelledSentence[],
): NetExample[] {
  return data.map((d, i) => ({ x: vec.vectorizeRaw(raw[i]), dense: dense[i], label: d.label }));
}

function shape(inputDim: number) {
  return { architecture: 'linear' as const, inputDim, denseDim: LEXICON_FEATURES, hidden: 0, classes: 2 };
}

export async function fitSentimentModel(
  data: LabelledSentence[],
  options: Partial<SentimentOptions> = {},
): Promise<SentimentModel> {
  const started = process.hrtime.bigint();
  const settings: SentimentOptions = { ...DEFAULT_SENTIMENT_OPTIONS, ...options };
  if (new Set(data.map((d) => d.label)).size < 2) throw new Error('sentiment training needs both labels');
  const raw = data.map((d) => sentimentFeatures(d.text, settings.spanChars));
  const dense = data.map((d) => lexiconFeatures(d.text));
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
  await trainNet(train, shape(vec.size), {
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
      await trainNet(all, shape(vectorizer.size), { ...settings, seed: settings.seed + k, epochs: best + 1 }),
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
  return softmax(netLogits(model.net, x, lexiconFeatures(text)), model.temperature)[1];
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
  return loadNetTextModel<SentimentModel>(dir, name, 'sentiment', 1);
}
