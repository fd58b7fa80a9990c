/** Corpora and cross-validation folds shared by the language-understanding benchmarks. */
import fs from 'node:fs';
import { projectPath } from '../lib/paths';
import { stratifiedFolds, type LabelledText } from '../nlp/intents/classifier';
import { seededRandom, shuffleInPlace } from '../lib/random';

export const DATA = projectPath('..', 'shared', 'data');

/** A Braun et al. corpus, split by its own `training` flag. */
export function braunCorpus(name: string): { train: LabelledText[]; test: LabelledText[] } {
  const json = JSON.parse(fs.readFileSync(`${DATA}/nlu-evaluation-corpora/${name}Corpus.json`, 'utf8')) as {
    sentences: { text: string; intent: string; training: boolean }[];
  };
  const pick = (training: boolean) =>
    json.sentences.filter((s) => s.training === training).map((s) => ({ text: s.text, intent: s.intent }));
  return { train: pick(true), test: pick(false) };
}

export interface Fold {
  train: number[];
  test: number[];
}

/**
 * The rounds of the cross-validation the benchmarks run on a small corpus's training items:
 * 5 stratified folds, repeated with 3 fold assignments (seeds 1000-1002), as indexes into
 * `labels`. Pooling the predictions of all rounds gives every item three verdicts.
 */
export function* repeatedFolds(labels: readonly string[]): Generator<Fold> {
  for (const foldSeed of [1000, 1001, 1002]) {
    const fold = stratifiedFolds(labels, 5, foldSeed);
    for (let f = 0; f < 5; f++) yield split(fold, f);
  }
}

/**
 * k folds of n items, dealt round-robin after a seeded shuffle (the sentiment CV). Each fold
 * keeps the shuffled order, which is the order the models are trained in.
 */
export function* shuffledFolds(n: number, k: number, seed: number): Generator<Fold> {
  const order = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    seededRandom(seed),
  );
  for (let f = 0; f < k; f++) {
    yield { train: order.filter((_, j) => j % k !== f), test: order.filter((_, j) => j % k === f) };
  }
}

function split(fold: number[], f: number): Fold {
  const train: number[] = [];
  const test: number[] = [];
  fold.forEach((k, i) => (k === f ? test : train).push(i));
  return { train, test };
}
