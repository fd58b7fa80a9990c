import fs from 'node:fs';
import type { Command } from 'commander';
import {
  CliError,
  config,
  parseDateOption,
  printJson,
  withDatabase,
  withDbOption,
  type DbOption,
} from '../context';
import { resolveUserPath } from '../../lib/paths';
import { readLabelledFile } from '../../nlp/corpus';
import { fitIntentClassifier, type IntentClassifierOptions } from '../../nlp/intents/classifier';
import { evaluateIntentModel } from '../../nlp/intents/evaluate';
import {
  loadOrTrainNlu,
  loadOrTrainSentimentModel,
  trainIntentModel,
  trainSentimentModel,
} from '../../nlp/nlu';
import { analyseSentiment } from '../../nlp/sentiment/model';
import { parseLabel } from '../../nlp/sentiment/data';
import type { Gazetteer } from '../../nlp/entities/extract';
import { shopVocabulary } from '../../services/vocabulary';

interface EvalOptions {
  train: string;
  test: string;
  json?: boolean;
  confusion?: boolean;
  architecture?: IntentClassifierOptions['architecture'];
  seed: number;
  wordVectors?: string;
}

interface ModelsOption {
  models?: string;
}

function modelsDir(opts: ModelsOption): string {
  return opts.models ? resolveUserPath(opts.models) : config().modelsDir;
}

function readableFile(file: string): string {
  const full = resolveUserPath(file);
  if (!fs.existsSync(full)) throw new CliError(`no such file: ${file}`, 2);
  return full;
}

/** Registers: nlp eval-intents, nlp sentiment, nlp train, nlp understand. */
export function registerNlp(program: Command): void {
  const group = program.command('nlp').description('language understanding: intents, entities, sentiment');

  withDbOption(
    group
      .command('eval-intents')
      .description(
        'train the intent classifier on one labelled file and measure it on another ' +
          '(JSON lines {"text","intent"} or CSV text,intent); all settings are chosen on the training file alone',
      )
      .requiredOption('--train <file>', 'training utterances (.jsonl / .csv, optionally .gz)')
      .requiredOption('--test <file>', 'test utterances, same formats')
      .option('--confusion', 'also print the confusion matrix')
      .option('--architecture <name>', 'linear | fasttext | mlp (default: linear)')
      .option('--seed <n>', 'random seed', (v) => Number(v), 7)
      .option(
        '--word-vectors <weight>',
        'weight of the pre-trained word-vector input, 0 = none (default: 1 on small training sets, 3 on large ones)',
      )
      .option('--json', 'print the report as JSON'),
  ).action(async (opts: EvalOptions) => {
    if (opts.architecture && !['linear', 'fasttext', 'mlp'].includes(opts.architecture)) {
      throw new CliError(`--architecture must be linear, fasttext or mlp, got '${opts.architecture}'`, 2);
    }
    const wordVectors = opts.wordVectors === undefined ? undefined : Number(opts.wordVectors);
    if (wordVectors !== undefined && !(Number.isFinite(wordVectors) && wordVectors >= 0)) {
      throw new CliError(`--word-vectors must be a number >= 0, got '${opts.wordVectors}'`, 2);
    }
    const train = readLabelledFile(readableFile(opts.train));
    const test = readLabelledFile(readableFile(opts.test));
    const model = await fitIntentClassifier(train, {
      architecture: opts.architecture,
      seed: opts.seed,
      wordVectors,
    });
    const report = evaluateIntentModel(model, test, opts.confusion);
    const result = {
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      perIntent: report.perIntent,
      trainSeconds: Math.round(model.training.trainSeconds * 100) / 100,
      p99Ms: report.p99Ms,
      ...(opts.confusion ? { confusion: report.confusion } : {}),
    };
    if (opts.json) return printJson(result);
    console.log(`accuracy ${result.accuracy}  macro-F1 ${result.macroF1}  (${test.length} test items)`);
    console.log(
      `trained on ${train.length} items in ${result.trainSeconds}s; p99 ${result.p99Ms} ms per message`,
    );
    for (const [intent, s] of Object.entries(result.perIntent)) {
      console.log(
        `  ${intent.padEnd(32)} P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}  n=${s.support}`,
      );
    }
    if (result.confusion) {
      console.log('confusion (rows = gold, columns = predicted):');
      console.log(['', ...result.confusion.labels].join('\t'));
      result.confusion.matrix.forEach((row, i) =>
        console.log([result.confusion!.labels[i], ...row].join('\t')),
      );
    }
  });

  withDbOption(
    group
      .command('sentiment')
      .description(
        'score the sentiment of one sentence per line (-1..1 and a label); a TSV line "text<TAB>label" ' +
          '(1/0 or positive/negative) is read as text + gold label and accuracy is printed too',
      )
      .requiredOption('--file <file>', 'text file, one sentence per line')
      .option('--models <dir>', 'models directory (default: RETAIN_MODELS_DIR)')
      .option('--json', 'print JSON'),
  ).action(async (opts: ModelsOption & { file: string; json?: boolean }) => {
    const lines = fs
      .readFileSync(readableFile(opts.file), 'utf8')
      .split('\n')
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.trim());
    const model = await loadOrTrainSentimentModel(modelsDir(opts));
    let labelled = 0;
    let correct = 0;
    const results = lines.map((line) => {
      const tab = line.lastIndexOf('\t');
      const gold = tab >= 0 ? parseLabel(line.slice(tab + 1)) : undefined;
      const text = gold === undefined ? line : line.slice(0, tab);
      const s = analyseSentiment(model, text);
      if (gold !== undefined) {
        labelled++;
        // The gold data is binary: compare the sign of the score (neutral counts by sign).
        if ((s.score >= 0 ? 1 : 0) === gold) correct++;
      }
      return {
        text,
        score: s.score,
        label: s.label,
        ...(gold !== undefined ? { gold: gold ? 'positive' : 'negative' } : {}),
      };
    });
    const accuracy = labelled ? Math.round((correct / labelled) * 10000) / 10000 : undefined;
    if (opts.json) return printJson({ results, ...(accuracy !== undefined ? { accuracy, labelled } : {}) });
    for (const r of results)
      console.log(`${r.score.toFixed(3).padStart(6)}  ${r.label.padEnd(8)}  ${r.text}`);
    if (accuracy !== undefined) console.log(`accuracy ${accuracy} on ${labelled} labelled lines`);
  });

  withDbOption(
    group
      .command('train')
      .description(
        'retrain the intent and sentiment models from nlp/data/intents.json and the review sentences',
      )
      .option('--models <dir>', 'models directory (default: RETAIN_MODELS_DIR)')
      .option('--json', 'print JSON'),
  ).action(async (opts: ModelsOption & { json?: boolean }) => {
    const dir = modelsDir(opts);
    const intents = await trainIntentModel(dir);
    const sentiment = await trainSentimentModel(dir);
    const summary = {
      modelsDir: dir,
      intents: {
        labels: intents.labels.length,
        ...intents.training,
        architecture: intents.options.architecture,
        features: intents.options.features,
        wordVectors: intents.options.wordVectors ?? 0,
        temperature: intents.temperature,
        threshold: intents.threshold,
      },
      sentiment: sentiment.training,
    };
    if (opts.json) return printJson(summary);
    console.log(
      `intents: ${summary.intents.labels} intents, ${summary.intents.examples} examples, held-out accuracy ` +
        `${summary.intents.validationAccuracy.toFixed(3)}; sentiment: ${sentiment.training.examples} sentences; saved in ${dir}`,
    );
  });

  withDbOption(
    group
      .command('understand')
      .description('show what the bot understands of a message: intent, confidence, entities, sentiment')
      .argument('<text...>', 'the message')
      .option('--models <dir>', 'models directory (default: RETAIN_MODELS_DIR)')
      .option('--with-data', 'recognise the customers, countries and products of the database (--db)')
      .option(
        '--today <date>',
        'reference date for "last quarter" etc. (default: today)',
        parseDateOption('today'),
      )
      .option('--json', 'print JSON'),
  ).action(
    async (
      words: string[],
      opts: ModelsOption & DbOption & { withData?: boolean; today?: Date; json?: boolean },
    ) => {
      const gazetteer: Gazetteer = opts.withData
        ? await withDatabase(opts, (store) => shopVocabulary(store), { mustExist: true })
        : {};
      const nlu = await loadOrTrainNlu(modelsDir(opts), { gazetteer });
      const result = nlu.understand(words.join(' '), { referenceDate: opts.today });
      if (opts.json) return printJson(result);
      console.log(`${result.intent} (${result.confidence})  sentiment ${result.sentiment.score}`);
      for (const e of result.entities) console.log(`  ${JSON.stringify(e)}`);
    },
  );
}
