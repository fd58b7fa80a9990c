/**
 * Import speed: `importOrders` on the shared Online Retail file, against the baseline of merely
 * decompressing and parsing the same file with csv-parse, measured in the same run.
 * Usage: npm run bench:import [-- FILE] [-- --runs N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { Command } from 'commander';
import { openStore } from '../data/store';
import { importOrders } from '../data/import/importOrders';
import { projectPath } from '../lib/paths';

const program = new Command('bench:import')
  .argument(
    '[file]',
    'order file',
    projectPath('..', 'shared', 'data', 'online-retail', 'online_retail_2010-12_2011-06.csv.gz'),
  )
  .option('--runs <n>', 'repetitions of each measurement (median is reported)', '3')
  .parse();

async function parseOnly(file: string): Promise<number> {
  let records = 0;
  await pipeline(
    fs.createReadStream(file),
    zlib.createGunzip(),
    parse({ relax_column_count: true, bom: true }),
    async (rows) => {
      for await (const _ of rows) records++;
    },
  );
  return records;
}

async function importIntoFreshDb(file: string): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-'));
  const store = openStore(path.join(dir, 'bench.db'));
  try {
    return (await importOrders(store, file)).imported;
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function time<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, result };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const file = program.processedArgs[0] as string; // the argument, or its default
  const runs = Number(program.opts().runs);
  const parseTimes: number[] = [];
  const importTimes: number[] = [];
  let records = 0;
  let imported = 0;
  // Interleaved, so that machine load affects both sides alike.
  for (let i = 0; i < runs; i++) {
    const p = await time(() => parseOnly(file));
    parseTimes.push(p.seconds);
    records = p.result;
    const im = await time(() => importIntoFreshDb(file));
    importTimes.push(im.seconds);
    imported = im.result;
  }
  const parseS = median(parseTimes);
  const importS = median(importTimes);
  const report = {
    file,
    runs,
    records: records - 1,
    imported,
    parseOnlySeconds: +parseS.toFixed(2),
    importSeconds: +importS.toFixed(2),
    rowsPerSecond: Math.round((records - 1) / importS),
    ratioToParse: +(importS / parseS).toFixed(2),
    targets: { importSeconds: '< 10', ratioToParse: '<= 3' },
  };
  console.log(JSON.stringify(report, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
