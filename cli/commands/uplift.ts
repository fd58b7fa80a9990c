/**
 * retain eval uplift --train FILE --test FILE --treatment COLUMN [--control-value V]
 *   [--treatment-value V] --outcome COLUMN [--exclude A,B] [--json]
 *
 * Learns who a treatment changes from one file of a randomised experiment and measures it on
 * another (analytics/uplift/evaluate.ts): Qini, uplift at 30%, AUUC, against random targeting and
 * a response model.
 */
import type { Command } from 'commander';
import { parseNumberOption, printJson, withDbOption } from '../context';
import { evalGroup } from './groups';
import { evaluateUpliftFiles, type UpliftEvaluation } from '../../analytics/uplift/evaluate';
import { resolveUserPath } from '../../lib/paths';

interface UpliftCliOptions {
  train: string;
  test: string;
  treatment: string;
  controlValue?: string;
  treatmentValue?: string;
  outcome: string;
  exclude?: string;
  seed: number;
  maxTrainRows: number;
  json?: boolean;
}

const num = (v: number | null, digits = 3) => (v === null ? 'n/a' : v.toFixed(digits));
const points = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)} points`);

export function registerUplift(program: Command): void {
  // --db as on every command, though the experiment is read from the files alone.
  withDbOption(evalGroup(program).command('uplift'))
    .description(
      'learn who a treatment changes from a randomised experiment (CSV) and measure it on a test file: ' +
        'Qini, uplift at 30%, AUUC, against random targeting and a response model',
    )
    .requiredOption('--train <file>', 'training CSV (.csv or .csv.gz): one row per customer')
    .requiredOption('--test <file>', 'test CSV with the same columns')
    .requiredOption('--treatment <column>', 'the column saying who was treated')
    .option(
      '--control-value <value>',
      "the treatment column's value for the control group (every other value counts as treated); needed unless the column is 1/0, yes/no or true/false",
    )
    .option('--treatment-value <value>', 'only this treatment counts (rows of other treatments are left out)')
    .requiredOption('--outcome <column>', 'the binary outcome column (1/0, yes/no, true/false)')
    .option('--exclude <columns>', 'comma-separated columns that are not features (ids, other outcomes)')
    .option('--seed <n>', 'random seed (same seed, same result)', parseNumberOption('seed', 0), 42)
    .option(
      '--max-train-rows <n>',
      'use a random sample of at most this many training rows',
      parseNumberOption('max-train-rows', 100),
      500_000,
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: UpliftCliOptions) => {
      const result = await evaluateUpliftFiles({
        train: resolveUserPath(opts.train),
        test: resolveUserPath(opts.test),
        treatment: opts.treatment,
        controlValue: opts.controlValue,
        treatmentValue: opts.treatmentValue,
        outcome: opts.outcome,
        exclude: opts.exclude
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        seed: opts.seed,
        maxTrainRows: opts.maxTrainRows,
      });
      if (opts.json) printJson(result);
      else printEvaluation(result);
    });
}

function printEvaluation(r: UpliftEvaluation): void {
  const v = r.model.validation;
  const lines = [
    `Uplift on ${r.n} test customers (${r.test.treated} treated, ${r.test.control} control): ` +
      `average effect ${points(r.ate)}`,
    `  model (${r.model.learner}, ${r.model.architecture}): Qini ${num(r.qini)}  uplift@30% ${points(r.upliftAt30)}  AUUC ${num(r.auuc)}`,
    `  response model (P(outcome | treated)): Qini ${num(r.baselines.response.qini)}  uplift@30% ${points(r.baselines.response.upliftAt30)}`,
    `  random targeting:                      Qini ${num(r.baselines.random.qini)} (sd ${num(r.baselines.random.qiniSd)})  uplift@30% ${points(r.baselines.random.upliftAt30)}`,
    `  chosen on held-out training customers (${v.folds} folds): ` +
      v.candidates.map((c) => `${c.learner}/${c.architecture} ${num(c.validationQini)}`).join(', '),
    `  usable for targeting: ${r.model.usable ? 'yes' : 'no'} (${r.model.reason})`,
    ...(r.drivers.length
      ? ['  what the uplift depends on most:', ...r.drivers.map((d) => `    ${d.text}`)]
      : []),
    ...r.features.dropped.map((d) => `  column left out: ${d.name} (${d.why})`),
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
