/**
 * What overwriting deleted content (PRAGMA secure_delete, on for every connection) costs: the
 * bundled demo data imported into a fresh database, then imported again (the idempotent
 * re-import a nightly drop-folder run does), then a batch of customers forgotten one by one
 * (each erasure also empties the write-ahead log). The baseline is the same work with
 * secure_delete off, in the same run, interleaved so that machine load falls on both alike.
 * Usage: npm run bench:secure-delete [-- --runs N] [-- --forget N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { openStore, type Store } from '../data/store';
import { importOrders } from '../data/import/importOrders';
import { projectPath } from '../lib/paths';

const program = new Command('bench:secure-delete')
  .option('--runs <n>', 'repetitions of each measurement (median is reported)', '5')
  .option('--forget <n>', 'customers forgotten per run', '50')
  .parse();

const DEMO = projectPath('data', 'demo', 'online-retail-sample.csv.gz');

interface RunTimes {
  importSeconds: number;
  reimportSeconds: number;
  forgetMsEach: number;
  fileBytes: number;
}

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

/** Links a chat account to each of the first `n` customers, so that "forget me" has work to do. */
function chatAccounts(store: Store, n: number): number[] {
  return store.orders
    .listCustomers()
    .slice(0, n)
    .map((c, i) => {
      const identity = store.identities.seen(
        { channelId: 'webchat', channelUserId: `bench-${i}`, displayName: `Bench ${i}`, role: 'customer' },
        { conversationId: `bench-conv-${i}`, serviceUrl: 'http://127.0.0.1', reference: {} },
      );
      store.identities.linkCustomer(identity.id, c.id);
      return identity.id;
    });
}

async function run(secureDelete: boolean, forget: number): Promise<RunTimes> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-sd-'));
  const file = path.join(dir, 'bench.db');
  const store = openStore(file, { secureDelete });
  try {
    let t = process.hrtime.bigint();
    await importOrders(store, DEMO, { timeZone: 'Europe/London', actor: 'bench' });
    const importSeconds = seconds(t);
    t = process.hrtime.bigint();
    await importOrders(store, DEMO, { timeZone: 'Europe/London', actor: 'bench' });
    const reimportSeconds = seconds(t);
    const identities = chatAccounts(store, forget);
    t = process.hrtime.bigint();
    for (const id of identities) store.erasure.forgetIdentity(id);
    const forgetMsEach = (seconds(t) * 1000) / Math.max(1, identities.length);
    return { importSeconds, reimportSeconds, forgetMsEach, fileBytes: fs.statSync(file).size };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const runs = Number(program.opts().runs);
  const forget = Number(program.opts().forget);
  const off: RunTimes[] = [];
  const on: RunTimes[] = [];
  for (let i = 0; i < runs; i++) {
    off.push(await run(false, forget));
    on.push(await run(true, forget));
  }
  const summary = (xs: RunTimes[]) => ({
    importSeconds: +median(xs.map((x) => x.importSeconds)).toFixed(3),
    reimportSeconds: +median(xs.map((x) => x.reimportSeconds)).toFixed(3),
    forgetMsEach: +median(xs.map((x) => x.forgetMsEach)).toFixed(2),
    fileBytes: median(xs.map((x) => x.fileBytes)),
  });
  const base = summary(off);
  const secure = summary(on);
  const overhead = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)}%`;
  console.log(
    JSON.stringify(
      {
        data: path.relative(process.cwd(), DEMO),
        runs,
        customersForgottenPerRun: forget,
        baselineSecureDeleteOff: base,
        secureDeleteOn: secure,
        overhead: {
          import: overhead(base.importSeconds, secure.importSeconds),
          reimport: overhead(base.reimportSeconds, secure.reimportSeconds),
          forgetEach: overhead(base.forgetMsEach, secure.forgetMsEach),
        },
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
