import { stratifiedFolds } from '../nlp/intents/classifier';

/**
 * The rounds of the cross-validation the benchmarks run on a small corpus's training items:
 * 5 stratified folds, repeated with 3 fold assignments (seeds 1000-1002), as indexes into
 * `labels`. Pooling the predictions of all rounds gives every item three verdicts.
 */
export function* repeatedFolds(labels: readonly string[]): Generator<{ train: number[]; test: number[] }> {
  for (const foldSeed of [1000, 1001, 1002]) {
    const fold = stratifiedFolds(labels, 5, foldSeed);
    for (let f = 0; f < 5; f++) {
      const train: number[] = [];
      const test: number[] = [];
      fold.forEach((k, i) => (k === f ? test : train).push(i));
      yield { train, test };
    }
  }
}
