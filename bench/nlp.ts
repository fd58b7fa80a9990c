/**
 * Language-understanding benchmark: our intent classifier and sentiment model
 * against nlp.js (node-nlp) and natural's classifiers, all measured in the same run.
 *
 *   npm run bench:nlp                 everything (several minutes on 2 cores)
 *   npm run bench:nlp -- --quick      skips HWU64/Bitext and the 10-fold CV
 *
 * Splits: Braun et al. by their `training` flag; HWU64 train_full.csv / test.csv; Bitext 8K
 * sample with a fixed split (utterances whose FNV-1a hash of the lower-cased text is 0 mod 5
 * are test, 20%); our own intent set the same way; sentiment 10-fold CV with folds assigned
 * round-robin after a seeded shuffle, and cross-domain (train amazon -> test yelp and back).
 * Where a bar hangs on a handful of test items (Braun et al., cross-domain sentiment) our
 * figure is also given over five training seeds, and the Braun corpora are also compared by
 * cross-validating their training items (data that is not the test split).
 * natural's LogisticRegressionClassifier is only run on the Braun corpora (< 500 training
 * items): it trains one model per label with many iterations and takes far too long on
 * HWU64, Bitext or our own 26-intent set.
 */
import { readLabelledFile } from '../nlp/corpus';
import { fnv1a } from '../nlp/text/features';
import { natural } from '../nlp/text/natural';
import { classifyIntent, fitIntentClassifier, type LabelledText } from '../nlp/intents/classifier';
import { braunCorpus, DATA, repeatedFolds, shuffledFolds } from './corpora';
import { percentile, scorePredictions } from '../nlp/intents/evaluate';
import { readIntentSet } from '../nlp/intents/data';
import { reviewCorpus } from '../nlp/sentiment/data';
import { fitSentimentModel, positiveProbability, type LabelledSentence } from '../nlp/sentiment/model';
import { afinnScore } from '../nlp/sentiment/lexicon';
import { EntityExtractor } from '../nlp/entities/extract';

const quick = process.argv.includes('--quick');

interface Corpus {
  name: string;
  train: LabelledText[];
  test: LabelledText[];
  published?: number;
}

interface SystemResult {
  system: string;
  accuracy: number;
  macroF1: number;
  trainSeconds: number;
  p99Ms: number;
}

type Classifier = { predict(text: string): Promise<string> | string };
type Trainer = (train: LabelledText[]) => Promise<Classifier>;

function braun(name: string, published: number): Corpus {
  return { name: `Braun ${name}`, ...braunCorpus(name), published };
}

function hashSplit(name: string, all: LabelledText[]): Corpus {
  const isTest = (t: LabelledText) => (fnv1a(t.text.toLowerCase()) >>> 0) % 5 === 0;
  return { name, train: all.filter((t) => !isTest(t)), test: all.filter(isTest) };
}

const ours: Trainer = oursWithSeed();

function oursWithSeed(seed?: number): Trainer {
  return async (train) => {
    // As `retain nlp eval-intents` does: the classifier finds the corpus's own "none of the
    // above" label (Braun et al.: "None"; ours: "out_of_scope"). Naming 'out_of_scope' here
    // would switch the out-of-scope threshold off on the Braun corpora.
    const model = await fitIntentClassifier(train, { seed });
    return { predict: (text) => classifyIntent(model, text).intent };
  };
}

const nlpjs: Trainer = async (train) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NlpManager } = require('node-nlp') as { NlpManager: new (o: object) => NlpJsManager };
  const manager = new NlpManager({
    languages: ['en'],
    forceNER: false,
    autoSave: false,
    autoLoad: false,
    nlu: { log: false },
  });
  for (const t of train) manager.addDocument('en', t.text, t.intent);
  await manager.train();
  return { predict: async (text) => (await manager.process('en', text)).intent };
};

interface NlpJsManager {
  addDocument(lang: string, text: string, intent: string): void;
  train(): Promise<void>;
  process(lang: string, text: string): Promise<{ intent: string; score: number }>;
}

type NaturalClassifier = {
  addDocument(t: string, l: string): void;
  train(): void;
  classify(t: string): string;
};

function naturalTrainer(kind: 'BayesClassifier' | 'LogisticRegressionClassifier'): Trainer {
  return async (train) => {
    const Ctor = natural()![kind] as unknown as new () => NaturalClassifier;
    const c = new Ctor();
    for (const t of train) c.addDocument(t.text, t.intent);
    c.train();
    return { predict: (text) => c.classify(text) };
  };
}

/** Trains on `train` and predicts every item of `test`, timing both. */
async function trainAndPredict(trainer: Trainer, train: LabelledText[], test: LabelledText[]) {
  const t0 = process.hrtime.bigint();
  const clf = await trainer(train);
  const trainSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const t of test.slice(0, 20)) await clf.predict(t.text); // warm-up
  const predicted: string[] = [];
  const times: number[] = [];
  for (const t of test) {
    const s = process.hrtime.bigint();
    predicted.push(await clf.predict(t.text));
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return { predicted, trainSeconds, times };
}

async function measure(system: string, trainer: Trainer, corpus: Corpus): Promise<SystemResult> {
  const { predicted, trainSeconds, times } = await trainAndPredict(trainer, corpus.train, corpus.test);
  const report = scorePredictions(
    corpus.test.map((t) => t.intent),
    predicted,
  );
  return {
    system,
    accuracy: report.accuracy,
    macroF1: report.macroF1,
    trainSeconds: round(trainSeconds, 2),
    p99Ms: round(percentile(times, 99), 3),
  };
}

/**
 * The Braun et al. test rows hang on a handful of items (4-5 of "None"), so our figure is also
 * given over training seeds 7-11: the default seed's row is one draw from this range. nlp.js
 * trains deterministically (the same predictions on every run), so it has no range.
 */
const INTENT_SEEDS = [7, 8, 9, 10, 11];
const SENTIMENT_SEEDS = [11, 12, 13, 14, 15];

async function seedRange(corpus: Corpus) {
  const runs: { accuracy: number; macroF1: number }[] = [];
  for (const seed of INTENT_SEEDS) runs.push(await measure('', oursWithSeed(seed), corpus));
  return {
    seeds: INTENT_SEEDS,
    accuracy: spread(runs.map((r) => r.accuracy)),
    macroF1: spread(runs.map((r) => r.macroF1)),
  };
}

interface Spread {
  mean: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  return {
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
  };
}

function seedsLabel(seeds: number[]): string {
  return `${seeds[0]}-${seeds[seeds.length - 1]}`;
}

function showSpread(s: Spread): string {
  return `${s.mean.toFixed(4)} (${s.min.toFixed(4)}-${s.max.toFixed(4)})`;
}

/**
 * Generalisation on data that is not the test split: 5-fold stratified cross-validation of the
 * corpus's training items, repeated with 3 fold assignments, predictions pooled. With a few
 * dozen items per corpus the test split alone cannot tell two systems apart.
 */
async function trainingItemsCV(system: string, trainer: Trainer, items: LabelledText[]) {
  const gold: string[] = [];
  const predicted: string[] = [];
  for (const { train, test } of repeatedFolds(items.map((t) => t.intent))) {
    const run = await trainAndPredict(
      trainer,
      train.map((i) => items[i]),
      test.map((i) => items[i]),
    );
    gold.push(...test.map((i) => items[i].intent));
    predicted.push(...run.predicted);
  }
  const report = scorePredictions(gold, predicted);
  return { system, accuracy: report.accuracy, macroF1: report.macroF1 };
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function printTable(title: string, rows: SystemResult[], extra = ''): void {
  console.log(`\n${title}${extra}`);
  console.log('  system                        accuracy  macroF1  train s   p99 ms');
  for (const r of rows) {
    console.log(
      `  ${r.system.padEnd(30)}${r.accuracy.toFixed(4).padStart(8)} ${r.macroF1.toFixed(4).padStart(8)} ${r.trainSeconds.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(3).padStart(8)}`,
    );
  }
}

async function intentBenchmarks(results: Record<string, unknown>): Promise<void> {
  const corpora: Corpus[] = [
    hashSplit('retain own intents', readIntentSet()),
    braun('Chatbot', 0.99),
    braun('AskUbuntu', 0.93),
    braun('WebApplications', 0.83),
  ];
  if (!quick) {
    corpora.push({
      name: 'HWU64',
      train: readLabelledFile(`${DATA}/hwu64/train_full.csv`),
      test: readLabelledFile(`${DATA}/hwu64/test.csv`),
    });
    corpora.push(
      hashSplit(
        'Bitext customer service 8K',
        readLabelledFile(
          `${DATA}/bitext-customer-support/Bitext_Sample_Customer_Service_Training_Dataset.csv`,
        ),
      ),
    );
  }
  for (const corpus of corpora) {
    const rows: SystemResult[] = [];
    rows.push(await measure('retain (ours)', ours, corpus));
    rows.push(await measure('nlp.js NlpManager', nlpjs, corpus));
    rows.push(await measure('natural BayesClassifier', naturalTrainer('BayesClassifier'), corpus));
    if (corpus.train.length < 500) {
      rows.push(
        await measure('natural LogisticRegression', naturalTrainer('LogisticRegressionClassifier'), corpus),
      );
    }
    const published = corpus.published ? `; best published F1 (SOURCE.md): ${corpus.published}` : '';
    printTable(`${corpus.name}: ${corpus.train.length} train / ${corpus.test.length} test`, rows, published);
    const result: Record<string, unknown> = {
      train: corpus.train.length,
      test: corpus.test.length,
      published: corpus.published,
      systems: rows,
    };
    if (corpus.published !== undefined) {
      const range = await seedRange(corpus);
      console.log(
        `  retain (ours), training seeds ${seedsLabel(INTENT_SEEDS)}: accuracy ${showSpread(range.accuracy)}, macroF1 ${showSpread(range.macroF1)}`,
      );
      const cv = [
        await trainingItemsCV('retain (ours)', ours, corpus.train),
        await trainingItemsCV('nlp.js NlpManager', nlpjs, corpus.train),
        await trainingItemsCV('natural BayesClassifier', naturalTrainer('BayesClassifier'), corpus.train),
      ];
      console.log('  training items only, 5-fold CV x 3 fold seeds (pooled):');
      for (const r of cv)
        console.log(
          `    ${r.system.padEnd(28)}${r.accuracy.toFixed(4).padStart(8)} ${r.macroF1.toFixed(4).padStart(8)}`,
        );
      Object.assign(result, { oursOverSeeds: range, trainingItemsCV: cv });
    }
    results[corpus.name] = result;
  }
}

function sentimentAccuracy(predict: (t: string) => number, test: LabelledSentence[]): number {
  return round(test.filter((s) => (predict(s.text) ? 1 : 0) === s.label).length / test.length);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const vader = require('vader-sentiment') as {
  SentimentIntensityAnalyzer: { polarity_scores(t: string): { compound: number } };
};
const baselines: Record<string, (t: string) => number> = {
  // Binary decision for lexicon scores: positive when strictly above zero.
  'natural AFINN': (t) => (afinnScore(t) > 0 ? 1 : 0),
  VADER: (t) => (vader.SentimentIntensityAnalyzer.polarity_scores(t).compound > 0 ? 1 : 0),
};

async function sentimentBenchmarks(results: Record<string, unknown>): Promise<void> {
  const corpora = { amazon: reviewCorpus('amazon'), yelp: reviewCorpus('yelp') };
  const out: Record<string, Record<string, number>> = {};
  const seedSpreads: Record<string, Spread> = {};
  const run = async (train: LabelledSentence[], test: LabelledSentence[], seed?: number) => {
    const model = await fitSentimentModel(train, { seed });
    return sentimentAccuracy((t) => (positiveProbability(model, t) >= 0.5 ? 1 : 0), test);
  };
  for (const [a, b] of [
    ['amazon', 'yelp'],
    ['yelp', 'amazon'],
  ] as const) {
    const key = `train ${a} -> test ${b}`;
    out[key] = { 'retain (ours)': await run(corpora[a], corpora[b]) };
    for (const [name, f] of Object.entries(baselines)) out[key][name] = sentimentAccuracy(f, corpora[b]);
    // As for the Braun rows: the default seed's figure is one draw from this range.
    const bySeed: number[] = [];
    for (const seed of SENTIMENT_SEEDS) bySeed.push(await run(corpora[a], corpora[b], seed));
    seedSpreads[key] = spread(bySeed);
  }
  if (!quick) {
    for (const name of ['amazon', 'yelp'] as const) {
      const data = corpora[name];
      let correct = 0;
      for (const fold of shuffledFolds(data.length, 10, 2015)) {
        const test = fold.test.map((i) => data[i]);
        correct +=
          (await run(
            fold.train.map((i) => data[i]),
            test,
          )) * test.length;
      }
      const key = `${name} 10-fold CV`;
      out[key] = { 'retain (ours)': round(correct / data.length) };
      for (const [bn, f] of Object.entries(baselines)) out[key][bn] = sentimentAccuracy(f, data);
    }
  }
  console.log('\nSentiment accuracy (binary; lexicon baselines need no training, so CV = whole corpus)');
  for (const [key, row] of Object.entries(out)) {
    console.log(
      `  ${key.padEnd(28)} ${Object.entries(row)
        .map(([s, v]) => `${s} ${v.toFixed(4)}`)
        .join('   ')}`,
    );
  }
  for (const [key, s] of Object.entries(seedSpreads))
    console.log(
      `  ${key.padEnd(28)} retain (ours) over training seeds ${seedsLabel(SENTIMENT_SEEDS)}: ${showSpread(s)}`,
    );
  results.sentiment = out;
  results.sentimentOverSeeds = seedSpreads;
}

async function latencyBenchmark(results: Record<string, unknown>): Promise<void> {
  const all = readIntentSet();
  const model = await fitIntentClassifier(all, { outOfScopeIntent: 'out_of_scope' });
  const extractor = new EntityExtractor({
    countries: ['United Kingdom', 'Germany', 'France', 'EIRE'],
    segments: ['Champions', 'At Risk'],
  });
  const messages = all.map((t) => t.text);
  const ref = new Date('2011-06-30T00:00:00Z');
  for (const m of messages) classifyIntent(model, m);
  const classify: number[] = [];
  const entities: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const m of messages) {
      const t0 = process.hrtime.bigint();
      classifyIntent(model, m);
      const t1 = process.hrtime.bigint();
      extractor.extract(m, ref);
      const t2 = process.hrtime.bigint();
      classify.push(Number(t1 - t0) / 1e6);
      entities.push(Number(t2 - t1) / 1e6);
    }
  }
  const r = {
    messages: classify.length,
    classifyP50Ms: round(percentile(classify, 50), 4),
    classifyP99Ms: round(percentile(classify, 99), 4),
    entitiesP99Ms: round(percentile(entities, 99), 4),
  };
  console.log(
    `\nLatency once loaded (own intent model, ${r.messages} classifications): p50 ${r.classifyP50Ms} ms, p99 ${r.classifyP99Ms} ms (bar: < 2 ms); entity extraction p99 ${r.entitiesP99Ms} ms`,
  );
  results.latency = r;
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  await latencyBenchmark(results);
  await intentBenchmarks(results);
  await sentimentBenchmarks(results);
  console.log('\nJSON ' + JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
