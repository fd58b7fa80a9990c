/**
 * Benchmark of `retain train` cost (history building + segmentation + churn + CLV + scoring)
 * on synthetic order histories shaped like the shared Online Retail file (about 3,000 customers,
 * 11,700 orders and 246,000 lines over seven months) at 1x, 10x and 40x its size.
 *
 * Each size runs in its own child process so that peak memory (max RSS) belongs to that size.
 * The baseline is the 1x run of the same invocation: the report prints each size's time per
 * 1x-unit of data, and the ratio time(Nx) / (N x time(1x)), which is close to 1 when cost grows
 * linearly. Lines are generated on the fly (never all held in memory), so the figures cover the
 * analytics, not the data generator; SQLite reading is not included (see bench:import).
 *
 *   npm run bench:analytics                # 1x, 10x, 40x
 *   node dist/bench/analytics.js 1 4       # other sizes
 */
import { spawnSync } from 'node:child_process';
import { buildHistories, DAY_MS, type LineInput } from '../analytics/history';
import { trainAll } from '../analytics/pipeline';
import { seededRandom } from '../lib/random';

const START = Date.parse('2010-12-01T00:00:00Z');
const END = Date.parse('2011-07-01T00:00:00Z');
const BASE_CUSTOMERS = 3000;
const PRODUCTS = 3600;
const COUNTRIES = [
  'United Kingdom',
  'Germany',
  'France',
  'EIRE',
  'Spain',
  'Netherlands',
  'Belgium',
  'Switzerland',
];

/** Synthetic order lines in time order: heterogeneous purchase rates, dropout, Zipf-like products. */
function* syntheticLines(scale: number, seed = 1): Generator<LineInput> {
  const random = seededRandom(seed);
  const customers = Math.round(BASE_CUSTOMERS * scale);
  // Each customer's order times, generated first (small: ~4 per customer), then merged by time.
  const orders: { t: number; customer: number; lines: number; country: string; cancel: boolean }[] = [];
  for (let c = 1; c <= customers; c++) {
    const rate = Math.exp(Math.log(1 / 60) + 1.2 * (random() * 2 - 1) * 1.5); // orders per day
    const dropout = 0.15 + random() * 0.4;
    const country =
      random() < 0.9 ? COUNTRIES[0] : COUNTRIES[1 + Math.floor(random() * (COUNTRIES.length - 1))];
    let t = START + random() * (END - START);
    while (t < END) {
      orders.push({
        t,
        customer: c,
        lines: 1 + Math.floor(-Math.log(1 - random()) * 20),
        country,
        cancel: random() < 0.15,
      });
      if (random() < dropout / 4) break;
      t += (-Math.log(1 - random()) / rate) * DAY_MS;
    }
  }
  orders.sort((a, b) => a.t - b.t);
  let orderId = 0;
  for (const o of orders) {
    orderId++;
    for (let l = 0; l < o.lines; l++) {
      const product = 1 + Math.floor(PRODUCTS * Math.pow(random(), 2.5));
      const quantity = 1 + Math.floor(random() * 12);
      yield {
        orderId,
        customerId: o.customer,
        orderedAt: Math.floor(o.t),
        orderKind: o.cancel ? 'cancellation' : 'purchase',
        country: o.country,
        productId: product,
        productKind: l === 0 && random() < 0.1 ? 'postage' : 'product',
        quantity: o.cancel ? -quantity : quantity,
        unitPrice: 0.5 + (product % 50) / 5,
      };
    }
  }
}

interface SizeResult {
  scale: number;
  customers: number;
  orders: number;
  lines: number;
  seconds: number;
  historySeconds: number;
  trainSeconds: number;
  maxRssMb: number;
  stagesMs: Record<string, number>;
  churnModel: string;
  warnings: string[];
}

async function runOne(scale: number): Promise<SizeResult> {
  // Count lines/orders in a separate pass so that the timed pass only builds histories.
  let lines = 0;
  for (const _ of syntheticLines(scale)) lines++;
  const t0 = process.hrtime.bigint();
  const histories = buildHistories(syntheticLines(scale));
  const t1 = process.hrtime.bigint();
  const run = await trainAll(histories, { asOf: END, horizonDays: 90 });
  const t2 = process.hrtime.bigint();
  const orders = histories.customers.reduce((s, c) => s + c.orders.length, 0);
  return {
    scale,
    customers: run.scores.length,
    orders,
    lines,
    seconds: Number(t2 - t0) / 1e9,
    historySeconds: Number(t1 - t0) / 1e9,
    trainSeconds: Number(t2 - t1) / 1e9,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    stagesMs: run.timingsMs,
    churnModel: run.churnModel?.architecture ?? 'none (BG/NBD fallback)',
    warnings: run.warnings,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(JSON.stringify(await runOne(Number(args[1]))) + '\n');
    return;
  }
  const scales = args.length ? args.map(Number) : [1, 10, 40];
  const results: SizeResult[] = [];
  for (const scale of scales) {
    const child = spawnSync(process.execPath, [__filename, '--child', String(scale)], {
      encoding: 'utf8',
      env: { ...process.env, RETAIN_LOG_LEVEL: 'warn' },
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`size ${scale}x failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as SizeResult;
    results.push(r);
    process.stderr.write(`${scale}x done in ${r.seconds.toFixed(1)} s\n`);
  }
  const base = results[0];
  process.stdout.write('retain train + score on synthetic histories (baseline: the first size, same run)\n');
  process.stdout.write(
    'scale  customers    orders      lines   history s   train s   total s   max RSS MB   s per 1x   linearity\n',
  );
  for (const r of results) {
    const perUnit = r.seconds / (r.scale / base.scale);
    const linearity = r.seconds / (base.seconds * (r.scale / base.scale));
    process.stdout.write(
      `${(r.scale + 'x').padStart(5)}  ${String(r.customers).padStart(9)}  ${String(r.orders).padStart(8)}  ${String(r.lines).padStart(9)}` +
        `  ${r.historySeconds.toFixed(2).padStart(10)}  ${r.trainSeconds.toFixed(2).padStart(8)}  ${r.seconds.toFixed(2).padStart(8)}` +
        `  ${r.maxRssMb.toFixed(0).padStart(11)}  ${perUnit.toFixed(2).padStart(9)}  ${linearity.toFixed(2).padStart(10)}\n`,
    );
  }
  for (const r of results) {
    const stages = Object.entries(r.stagesMs)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
      .join(', ');
    process.stdout.write(`${r.scale}x stages (s): ${stages}; churn model ${r.churnModel}\n`);
    for (const w of r.warnings) process.stdout.write(`${r.scale}x warning: ${w}\n`);
  }
  process.stdout.write(
    'linearity = time(Nx) / (N x time(1x)): 1.00 is perfectly linear, below 1 is sublinear.\n',
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
