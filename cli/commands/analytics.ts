import type { Command } from 'commander';
import {
  printJson,
  withDatabase,
  withDbOption,
  parseNumberOption,
  parseDateOption,
  CliError,
  type DbOption,
} from '../context';
import { evalGroup, findOrCreateGroup } from './groups';
import {
  churnReport,
  customerReport,
  evaluateChurnInDb,
  segmentReport,
  trainAndStore,
  type TrainSummary,
} from '../../analytics/store';
import type { ChurnEvaluation } from '../../analytics/churn/evaluate';

interface TrainCliOptions extends DbOption {
  asOf?: Date;
  horizon: number;
  seed: number;
  k?: number;
  json?: boolean;
}

interface EvalCliOptions extends DbOption {
  asOf: Date;
  horizon: number;
  seed: number;
  json?: boolean;
  ceiling?: boolean;
}

interface ReportCliOptions extends DbOption {
  top: number;
  json?: boolean;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const money = (v: number | null) =>
  v === null ? 'n/a' : v.toLocaleString('en-GB', { maximumFractionDigits: 0 });

/** Registers: train, eval churn, report segments|churn, customer ID. */
export function registerAnalytics(program: Command): void {
  withDbOption(
    program
      .command('train')
      .description(
        "fit segments, clusters, churn and lifetime-value models as of a date and store every customer's scores",
      )
      .option(
        '--as-of <date>',
        'use only orders before this date (default: the day after the newest order)',
        parseDateOption('as-of'),
      )
      .option('--horizon <days>', 'churn horizon in days', parseNumberOption('horizon', 7, 730), 90)
      .option('--seed <n>', 'random seed (same seed, same models)', parseNumberOption('seed', 0), 42)
      .option(
        '--k <n>',
        'fix the number of clusters instead of choosing it by silhouette',
        parseNumberOption('k', 2, 20),
      )
      .option('--json', 'print the summary as JSON'),
  ).action(async (opts: TrainCliOptions) => {
    const { summary } = await withDatabase(opts, (db) =>
      trainAndStore(db, {
        asOf: opts.asOf,
        horizonDays: opts.horizon,
        seed: opts.seed,
        clusters: opts.k ? { k: opts.k } : undefined,
      }),
    );
    if (opts.json) printJson(summary);
    else printTrainSummary(summary);
  });

  withDbOption(
    evalGroup(program)
      .command('churn')
      .description(
        'train churn models on data before --as-of and measure them on what customers did in the horizon after it',
      )
      .requiredOption(
        '--as-of <date>',
        'scoring date: train before it, label by orders in [date, date + horizon)',
        parseDateOption('as-of'),
      )
      .option('--horizon <days>', 'churn horizon in days', parseNumberOption('horizon', 7, 730), 90)
      .option('--seed <n>', 'random seed', parseNumberOption('seed', 0), 42)
      .option(
        '--ceiling',
        "also train on the period's own labels (cross-validated): an upper bound for the features, not a forecast",
      )
      .option('--json', 'print the result as JSON'),
  ).action(async (opts: EvalCliOptions) => {
    const result = await withDatabase(opts, (db) =>
      evaluateChurnInDb(db, opts.asOf, opts.horizon, { seed: opts.seed, ceiling: opts.ceiling }),
    );
    if (opts.json) printJson(result);
    else printEvaluation(result, opts);
  });

  const report = findOrCreateGroup(program, 'report').description(
    'reports on the stored analytics (run `retain train` first)',
  );
  withDbOption(
    report
      .command('segments')
      .description(
        'RFM segments and k-means clusters: size, share of revenue, mean R/F/M, top countries and products',
      )
      .option('--json', 'print the report as JSON'),
  ).action(async (opts: ReportCliOptions) => {
    const result = await withDatabase(opts, (db) => segmentReport(db));
    if (opts.json) return printJson(result);
    process.stdout.write(`Segments as of ${result.asOf.slice(0, 10)} (${result.version})\n`);
    for (const title of ['segments', 'clusters'] as const) {
      process.stdout.write(`\n${title === 'segments' ? 'RFM segments' : 'Clusters'}:\n`);
      for (const p of result[title]) {
        process.stdout.write(
          `  ${p.name.padEnd(28)} ${String(p.customers).padStart(6)} customers  ${pct(p.revenueShare).padStart(6)} of revenue` +
            `  R ${p.meanRecencyDays.toFixed(0)}d  F ${p.meanFrequency.toFixed(1)}  M ${money(p.meanMonetary)}` +
            `  | ${p.topCountries.map((c) => c.country).join(', ')} | ${p.topProducts
              .slice(0, 3)
              .map((t) => t.name)
              .join('; ')}\n`,
        );
      }
    }
  });

  withDbOption(
    report
      .command('churn')
      .description('customers most likely to stop buying, with the reasons')
      .option('--top <n>', 'how many customers to list', parseNumberOption('top', 1, 100000), 20)
      .option('--json', 'print the report as JSON'),
  ).action(async (opts: ReportCliOptions) => {
    const result = await withDatabase(opts, (db) => churnReport(db, opts.top));
    if (opts.json) return printJson(result);
    process.stdout.write(
      `Churn as of ${result.asOf.slice(0, 10)}: ${result.customers} customers, ${result.expectedChurners.toFixed(0)} expected to churn ` +
        `(mean ${pct(result.meanChurnProbability)}), lifetime value at risk ${money(result.atRiskClv)}\n\n`,
    );
    for (const c of result.top) {
      const drivers = (c.drivers as { text: string; direction: string }[])
        .filter((d) => d.direction === 'raises risk')
        .map((d) => d.text)
        .join('; ');
      process.stdout.write(
        `  ${c.customer.padEnd(10)} ${pct(c.churnProbability).padStart(6)}  ${c.segment.padEnd(20)} ${c.stage.padEnd(8)} CLV ${money(c.clv).padStart(8)}  ${drivers}\n`,
      );
    }
  });

  withDbOption(
    program
      .command('customer')
      .description(
        "one customer's segment, cluster, churn probability with drivers, lifetime value and stage",
      )
      .argument('<id>', "the shop's customer id (e.g. 12347)")
      .option('--json', 'print as JSON'),
  ).action(async (id: string, opts: DbOption & { json?: boolean }) => {
    const result = await withDatabase(opts, (db) => customerReport(db, id));
    if (!result)
      throw new CliError(
        `no scores for customer '${id}': unknown customer, or no purchase before the as-of date`,
        4,
      );
    if (opts.json) return printJson(result);
    const lines = [
      `Customer ${result.customer} (${result.country ?? 'country unknown'}), as of ${result.asOf.slice(0, 10)}`,
      `  segment:  ${result.segment} (RFM ${result.rfmScore})`,
      `  cluster:  ${result.cluster.id}: ${result.cluster.description ?? ''}`,
      `  churn:    ${pct(result.churn.probability)}`,
      ...(result.churn.drivers as { text: string; direction: string }[]).map(
        (d) => `            - ${d.text} (${d.direction})`,
      ),
      `  p(alive): ${pct(result.pAlive)}, expected purchases in the horizon: ${result.expectedPurchases.toFixed(2)}`,
      `  CLV:      ${money(result.clv)}`,
      // A fit that ran to its limits gives confident-looking numbers that mean little: say so next to them.
      ...result.clvWarnings.map((w) => `            ! unreliable p(alive)/CLV: ${w}`),
      `  stage:    ${result.stage.current}${result.stage.since ? ` since ${result.stage.since.slice(0, 10)}` : ''}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  });
}

function printTrainSummary(s: TrainSummary): void {
  const lines = [
    `Trained as of ${s.asOf.slice(0, 10)} on ${s.customers} customers in ${(s.timingsMs.total / 1000).toFixed(1)} s (version ${s.version})`,
    `  churn model: ${s.churnModel}` +
      (s.churnValidation
        ? `, validation AUC ${num(s.churnValidation.auc)}, Brier ${num(s.churnValidation.brier)}`
        : ''),
    `  BG/NBD r=${num(s.clv.bgnbd.r)} alpha=${num(s.clv.bgnbd.alpha)} a=${num(s.clv.bgnbd.a)} b=${num(s.clv.bgnbd.b)}` +
      (s.clv.gammaGamma
        ? `; Gamma-Gamma p=${num(s.clv.gammaGamma.p)} q=${num(s.clv.gammaGamma.q)} v=${num(s.clv.gammaGamma.v)}`
        : ''),
    `  total predicted CLV: ${money(s.clv.totalClv)}`,
    `  stages: ${Object.entries(s.stages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (${s.stageChanges} changes recorded)`,
    `  clusters:`,
    ...s.clusters.map((c) => `    ${c.id}: ${c.description} (${c.customers})`),
    `  segments: ${s.segments.map((g) => `${g.name} ${g.customers}`).join(', ')}`,
    ...s.warnings.map((w) => `  warning: ${w}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function printEvaluation(r: ChurnEvaluation, opts: EvalCliOptions): void {
  const lines = [
    `Churn over ${opts.horizon} days after ${opts.asOf.toISOString().slice(0, 10)}: ${r.customers} customers, churn rate ${pct(r.churnRate)}`,
    `  model (${r.model}): ROC-AUC ${num(r.auc)}  PR-AUC ${num(r.prAuc)}  Brier ${num(r.brier)}  top-decile precision ${pct(r.topDecilePrecision)}, lift ${num(r.topDecileLift, 2)}`,
    `  baseline recency alone:           ROC-AUC ${num(r.baselines.recency.auc)}`,
    `  baseline BG/NBD P(no purchase):   ROC-AUC ${num(r.baselines.bgnbd.auc)}  (1 - p(alive) alone: ${num(r.baselines.bgnbd.pAliveAuc)})`,
    ...(r.ceiling
      ? [
          `  ceiling (trained on this period's labels, ${r.ceiling.folds}-fold): ROC-AUC ${num(r.ceiling.inPeriodCrossValidatedAuc)}`,
        ]
      : []),
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
