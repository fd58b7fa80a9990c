/**
 * Recommender speed on the shared Online Retail file:
 *  - training time of the hybrid (validation-window blend search + final fit), against the
 *    plain item-kNN baseline fitted in the same run;
 *  - how training time grows with 10x the data (every customer and order copied 10 times under
 *    new ids: 10x customers, orders and purchases over the same catalogue);
 *  - top-10 latency for one customer once the model is loaded from its saved JSON (p50, p99,
 *    max over many customers), against the popularity-only (cold start) path in the same run.
 * Usage: npm run bench:recs [-- --db FILE] [-- --no-scale] [-- --calls N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { openStore } from '../data/store';
import { importOrders } from '../data/import/importOrders';
import { projectPath } from '../lib/paths';
import { fitRecs, recommend } from '../analytics/recs';
import { serializeRecsModel, deserializeRecsModel } from '../analytics/recs/serialize';
import { buildInteractions } from '../analytics/recs/interactions';
import { fitItemKnn } from '../analytics/recs/itemKnn';
import { seededRandom } from '../lib/random';
import type { TrainingData } from '../analytics/recs/types';

const program = new Command('bench:recs')
  .option('--db <file>', 'use an existing database instead of importing the shared file')
  .option('--no-scale', 'skip the 10x training measurement (it takes a few minutes)')
  .option('--calls <n>', 'recommendation calls for the latency figures', '3000')
  .parse();
const opts = program.opts<{ store?: string; scale: boolean; calls: string }>();

function seconds<T>(fn: () => T): { s: number; result: T } {
  const t = process.hrtime.bigint();
  const result = fn();
  return { s: Number(process.hrtime.bigint() - t) / 1e9, result };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The same shop with every customer and order copied `times` times under new ids. */
function scaled(data: TrainingData, times: number): TrainingData {
  const purchases = [];
  for (const p of data.purchases) {
    for (let c = 0; c < times; c++) {
      purchases.push({
        ...p,
        customer: p.customer === null ? null : c === 0 ? p.customer : `${p.customer}#${c}`,
        orderId: c === 0 ? p.orderId : `${p.orderId}#${c}`,
        at: p.at + c, // distinct instants keep the time order deterministic
      });
    }
  }
  return { ...data, purchases };
}

async function loadData(): Promise<{ data: TrainingData; cleanup: () => void }> {
  if (opts.store) {
    const store = openStore(opts.store);
    const data = store.recsData.trainingData();
    store.close();
    return { data, cleanup: () => undefined };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-recs-'));
  const store = openStore(path.join(dir, 'bench.db'));
  await importOrders(
    store,
    projectPath('..', 'shared', 'data', 'online-retail', 'online_retail_2010-12_2011-06.csv.gz'),
  );
  const data = store.recsData.trainingData();
  store.close();
  return { data, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function main(): Promise<void> {
  const { data, cleanup } = await loadData();
  try {
    const customers = new Set(data.purchases.map((p) => p.customer).filter((c) => c !== null)).size;
    console.log(`data: ${data.purchases.length} purchase lines, ${customers} customers`);

    const knn1 = seconds(() => {
      const m = buildInteractions(data, { halfLifeDays: Infinity });
      return fitItemKnn(m, { neighbours: 50, binary: true, damping: false });
    });
    const train1 = seconds(() => fitRecs(data));
    console.log(
      `training 1x: hybrid ${train1.s.toFixed(2)} s (bar: < 30 s); baseline plain item-kNN ${knn1.s.toFixed(2)} s`,
    );
    console.log(`  chosen blend weights ${JSON.stringify(train1.result.weights)}`);

    const json = serializeRecsModel(train1.result);
    const load = seconds(() => deserializeRecsModel(json));
    const model = load.result;
    console.log(
      `model file ${(json.length / 1e6).toFixed(1)} MB, loaded in ${(load.s * 1000).toFixed(0)} ms`,
    );

    const rand = seededRandom(7);
    const ids = model.customers.ids;
    const calls = Number(opts.calls);
    const pick = Array.from({ length: calls }, () => ids[Math.floor(rand() * ids.length)]);
    for (let w = 0; w < 200; w++) recommend(model, pick[w % pick.length], { k: 10 }); // warm-up (JIT)
    // Wall-clock time per call, and the CPU time of this process during the call: on a shared
    // machine the wall clock also counts time other processes had the CPU.
    const latency = (customersToAsk: string[]) => {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (const c of customersToAsk) {
        const c0 = process.cpuUsage();
        const t = process.hrtime.bigint();
        recommend(model, c, { k: 10 });
        wall.push(Number(process.hrtime.bigint() - t) / 1e6);
        const dc = process.cpuUsage(c0);
        cpu.push((dc.user + dc.system) / 1000);
      }
      return { wall: wall.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
    };
    const load0 = os.loadavg()[0];
    const hybrid = latency(pick);
    const cold = latency(pick.map((_, i) => `new-customer-${i}`));
    const fmt = (xs: number[]) =>
      `p50 ${percentile(xs, 50).toFixed(3)} ms, p99 ${percentile(xs, 99).toFixed(3)} ms, max ${xs[xs.length - 1].toFixed(3)} ms`;
    console.log(
      `top-10 for one customer (${calls} calls; load average ${load0.toFixed(1)} on ${os.cpus().length} cores; bar: p99 < 5 ms)`,
    );
    console.log(`  hybrid   wall: ${fmt(hybrid.wall)}`);
    console.log(`  hybrid   cpu:  ${fmt(hybrid.cpu)}`);
    console.log(`  baseline popularity-only (cold start) path, wall: ${fmt(cold.wall)}`);
    console.log(`  baseline popularity-only (cold start) path, cpu:  ${fmt(cold.cpu)}`);

    if (opts.scale) {
      const big = scaled(data, 10);
      const knn10 = seconds(() => {
        const m = buildInteractions(big, { halfLifeDays: Infinity });
        return fitItemKnn(m, { neighbours: 50, binary: true, damping: false });
      });
      const train10 = seconds(() => fitRecs(big));
      console.log(
        `training 10x (${big.purchases.length} lines, ${customers * 10} customers): hybrid ${train10.s.toFixed(2)} s ` +
          `= ${(train10.s / train1.s).toFixed(1)}x the 1x time; plain item-kNN ${knn10.s.toFixed(2)} s = ${(knn10.s / knn1.s).toFixed(1)}x`,
      );
    }
  } finally {
    cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
