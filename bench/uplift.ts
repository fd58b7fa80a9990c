/**
 * Uplift models against the two usual alternatives, measured in the same run:
 *  - ground truth: simulated experiments (analytics/uplift/simulate.ts) where each customer's type
 *    is known. Trained on N customers, scored on 50,000 others: the true average effect of the
 *    offer on the top 30% chosen by the uplift model, by a response model (P(buy | treated),
 *    logistic regression on the treated) and at random, the share of persuadables among them, and
 *    the measured Qini; the oracle (ranking by the true type) bounds what any model can reach. A
 *    non-linear experiment checks that the small network is chosen when a linear score cannot
 *    rank (against the linear candidates alone); a null experiment (features unrelated to the
 *    types), that the model then says it is unusable.
 *  - the command line path: `retain eval uplift` (evaluateUpliftFiles) on a training CSV of N rows
 *    and a test CSV of M rows shaped like a public e-mail experiment: seconds, peak memory,
 *    figures vs baselines.
 * Usage: npm run bench:uplift [-- --train 3000,30000 --seeds 3 --nulls 20 --csv 100000 --csv-test 1000000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import {
  experimentCsvLines,
  simulateExperiment,
  simulatedRow,
  SIMULATED_FEATURES,
  type SimulatedCustomer,
} from '../analytics/uplift/simulate';
import { ALL_CANDIDATES, trainUpliftModel } from '../analytics/uplift/train';
import { matrixOf, predictUplift, standardise } from '../analytics/uplift/model';
import { fitNetwork, predictProbabilities } from '../analytics/uplift/network';
import { qiniAucScore } from '../analytics/uplift/metrics';
import { evaluateUpliftFiles } from '../analytics/uplift/evaluate';
import { seededRandom } from '../lib/random';
import { tfBackendName } from '../lib/tf';

const opts = new Command('bench:uplift')
  .option('--train <list>', 'training sizes of the ground-truth runs', '3000,30000')
  .option('--test <n>', 'held-out simulated customers', '50000')
  .option('--seeds <n>', 'simulations per size', '3')
  .option('--nulls <n>', 'null experiments (features unrelated to the types)', '20')
  .option('--csv <n>', 'rows of the training CSV file of the command-line run (0: skip the run)', '100000')
  .option('--csv-test <n>', 'rows of its test CSV file', '1000000')
  .parse()
  .opts<{ train: string; test: string; seeds: string; nulls: string; csv: string; csvTest: string }>();

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const fmt = (v: number, digits = 3) => v.toFixed(digits).padStart(7);
const matrix = (cs: SimulatedCustomer[]) => matrixOf(cs.map(simulatedRow), SIMULATED_FEATURES.length);
const arms = (cs: SimulatedCustomer[]) => ({ t: cs.map((c) => c.treated), y: cs.map((c) => c.outcome) });

interface Ranking {
  trueEffectTop30: number;
  persuadablesTop30: number;
  qini: number;
}

function judge(test: SimulatedCustomer[], score: ArrayLike<number>): Ranking {
  const order = test.map((_, i) => i).sort((a, b) => score[b] - score[a]);
  const top = order.slice(0, Math.floor(test.length * 0.3)).map((i) => test[i]);
  return {
    trueEffectTop30: mean(top.map((c) => c.trueUplift)),
    persuadablesTop30: top.filter((c) => c.type === 'persuadable').length / top.length,
    qini: qiniAucScore(arms(test), score),
  };
}

async function groundTruth(size: number, testSize: number, seed: number) {
  const train = simulateExperiment({ customers: size, seed });
  const test = simulateExperiment({ customers: testSize, seed: seed + 1000 });
  const started = Date.now();
  const model = await trainUpliftModel(matrix(train), [...SIMULATED_FEATURES], arms(train), { seed });
  const seconds = (Date.now() - started) / 1000;
  const scores = predictUplift(model, matrix(test)).map((p) => p.score);
  const treated = train.flatMap((c, i) => (c.treated ? [i] : []));
  const response = await fitNetwork(
    standardise(model, matrix(train)),
    arms(train).y,
    { architecture: 'logistic', seed: seed + 3, l2: 1e-3 },
    treated,
  );
  const random = seededRandom(seed + 7);
  return {
    seconds,
    chosen: `${model.learner}/${model.architecture}`,
    usable: model.usable,
    model: judge(test, scores),
    response: judge(test, predictProbabilities(response, standardise(model, matrix(test)))),
    random: judge(
      test,
      test.map(() => random()),
    ),
    oracle: judge(
      test,
      test.map((c) => c.trueUplift + random() * 1e-6),
    ),
  };
}

async function main(): Promise<void> {
  const seeds = Number(opts.seeds);
  const testSize = Number(opts.test);
  process.stdout.write(`TensorFlow.js backend: ${await tfBackendName()}; ${os.cpus().length} cores\n`);
  process.stdout.write(
    `\nGround truth: top 30% of ${testSize} held-out simulated customers (mean over ${seeds} seeds)\n` +
      `${'train'.padStart(7)} ${'ranking'.padEnd(9)} ${'true effect'.padStart(11)} ${'persuadables'.padStart(12)} ${'Qini'.padStart(7)}\n`,
  );
  for (const size of opts.train.split(',').map(Number)) {
    const runs = [];
    for (let s = 0; s < seeds; s++) runs.push(await groundTruth(size, testSize, 1 + 10 * s));
    for (const name of ['model', 'response', 'random', 'oracle'] as const) {
      const r = runs.map((x) => x[name]);
      process.stdout.write(
        `${String(size).padStart(7)} ${name.padEnd(9)} ${fmt(mean(r.map((x) => x.trueEffectTop30))).padStart(11)} ` +
          `${fmt(mean(r.map((x) => x.persuadablesTop30))).padStart(12)} ${fmt(mean(r.map((x) => x.qini)))}\n`,
      );
    }
    process.stdout.write(
      `${''.padStart(7)} chosen: ${runs.map((r) => r.chosen).join(', ')}; usable ${runs.filter((r) => r.usable).length}/${seeds}; ` +
        `training ${fmt(mean(runs.map((r) => r.seconds)), 1)} s\n`,
    );
  }

  // A non-linear pattern: persuadables far from average engagement either way; the small network
  // should be chosen and beat every linear candidate on held-out customers.
  const curved = [];
  for (let s = 0; s < seeds; s++) {
    const sim = (customers: number, seed: number) =>
      simulateExperiment({ customers, seed, nonlinear: true, featureNoise: 0.3 });
    const train = sim(Number(opts.train.split(',').at(-1)), 700 + s);
    const test = sim(testSize, 800 + s);
    const all = await trainUpliftModel(matrix(train), [...SIMULATED_FEATURES], arms(train), { seed: s });
    const linear = await trainUpliftModel(matrix(train), [...SIMULATED_FEATURES], arms(train), {
      seed: s,
      candidates: ALL_CANDIDATES.filter((c) => c.architecture === 'logistic'),
    });
    const random = seededRandom(s);
    curved.push({
      chosen: `${all.learner}/${all.architecture}`,
      model: judge(
        test,
        predictUplift(all, matrix(test)).map((p) => p.score),
      ).qini,
      linear: judge(
        test,
        predictUplift(linear, matrix(test)).map((p) => p.score),
      ).qini,
      oracle: judge(
        test,
        test.map((c) => c.trueUplift + random() * 1e-6),
      ).qini,
    });
  }
  process.stdout.write(
    `\nNon-linear experiments (${opts.train.split(',').at(-1)} training customers): chosen ${curved.map((c) => c.chosen).join(', ')}; ` +
      `held-out Qini ${fmt(mean(curved.map((c) => c.model)))}, best linear candidate alone ${fmt(mean(curved.map((c) => c.linear)))}, ` +
      `oracle ${fmt(mean(curved.map((c) => c.oracle)))}\n`,
  );

  // Null experiments: how often the guard lets a model through by chance (designed: 5%), and
  // whether the random-ranking spread it uses is the right yardstick (z-scores of the candidates'
  // held-out Qini should be about standard normal).
  const nulls = Number(opts.nulls);
  let passed = 0;
  const z: number[] = [];
  for (let s = 0; s < nulls; s++) {
    const blind = simulateExperiment({ customers: 3000, seed: 500 + s, informative: false });
    const m = await trainUpliftModel(matrix(blind), [...SIMULATED_FEATURES], arms(blind), { seed: s });
    if (m.usable) passed++;
    for (const c of m.validation.candidates) z.push(c.validationQini / m.validation.randomQiniSd);
  }
  if (nulls > 0) {
    const zMean = mean(z);
    const zSd = Math.sqrt(z.reduce((a, v) => a + (v - zMean) ** 2, 0) / Math.max(1, z.length - 1));
    process.stdout.write(
      `\nNull experiments (features unrelated to the types, 3000 customers): reported usable in ${passed} of ${nulls}; ` +
        `candidates' held-out Qini in random-ranking sds: mean ${fmt(zMean, 2)}, sd ${fmt(zSd, 2)}\n`,
    );
  }

  const rows = Number(opts.csv);
  if (rows > 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-uplift-'));
    try {
      const train = path.join(dir, 'train.csv');
      const test = path.join(dir, 'test.csv');
      fs.writeFileSync(
        train,
        experimentCsvLines(simulateExperiment({ customers: rows, seed: 1 }), 1).join('\n'),
      );
      // The test file in chunks of simulated customers, so a big one never sits in memory here.
      const testRows = Number(opts.csvTest);
      fs.writeFileSync(test, '');
      for (let done = 0; done < testRows; done += 200_000) {
        const n = Math.min(200_000, testRows - done);
        const lines = experimentCsvLines(simulateExperiment({ customers: n, seed: 2 + done }), 2 + done);
        fs.appendFileSync(test, (done ? lines.slice(1) : lines).join('\n') + '\n');
      }
      const started = Date.now();
      const r = await evaluateUpliftFiles({
        train,
        test,
        treatment: 'segment',
        controlValue: 'No E-Mail',
        outcome: 'visit',
        exclude: ['customer_id', 'conversion', 'spend'],
      });
      const seconds = (Date.now() - started) / 1000;
      const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
      process.stdout.write(
        `\nretain eval uplift on a training file of ${rows} rows (${mb(fs.statSync(train).size)}) and a test file of ` +
          `${r.n} rows (${mb(fs.statSync(test).size)}): ` +
          `${seconds.toFixed(1)} s, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}\n` +
          `  model (${r.model.learner}, ${r.model.architecture}): Qini ${fmt(r.qini ?? NaN)}  uplift@30 ${fmt(r.upliftAt30 ?? NaN)}  AUUC ${fmt(r.auuc ?? NaN)}\n` +
          `  response model:                Qini ${fmt(r.baselines.response.qini ?? NaN)}  uplift@30 ${fmt(r.baselines.response.upliftAt30 ?? NaN)}\n` +
          `  random targeting:              Qini ${fmt(r.baselines.random.qini ?? NaN)}  uplift@30 ${fmt(r.baselines.random.upliftAt30 ?? NaN)}  (average effect ${fmt(r.ate ?? NaN)})\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
