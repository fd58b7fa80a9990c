/**
 * PostgreSQL against SQLite, measured in the same run on the same machine:
 *  1. the synchronous bridge: one small query (SELECT $1) through SyncPostgres, against the same
 *     query awaited on `pg` directly (what the driver and server cost without the bridge) and a
 *     prepared SQLite statement;
 *  2. the Online Retail file (../shared/data) imported into a new SQLite file and a new PostgreSQL
 *     database, then trained on each (segments, churn and CLV as `retain train` does, and the
 *     recommender), checking that both engines give the same summary;
 *  3. message throughput: the win-back job queues M messages (a synthetic shop whose references
 *     point at a local channel stand-in), then the outbox sender sends them with a rate limit too
 *     high to bind: one sender process on SQLite (the baseline), one on PostgreSQL, and two sender
 *     processes at once on one PostgreSQL database (two instances).
 * Ratios are against SQLite. Needs a PostgreSQL server where it may create databases:
 * --url, or RETAIN_BENCH_DATABASE_URL, or RETAIN_TEST_DATABASE_URL (scripts/test-postgres.sh).
 * Usage: npm run bench:postgres [-- --url postgres://... --messages 2000 --file F]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Command } from 'commander';
import type * as PgModule from 'pg';
import { openStore, type Store } from '../data/store';
import { SyncPostgres } from '../data/postgres/bridge';
import { importOrders } from '../data/import/importOrders';
import { trainAndStore } from '../analytics/training';
import { loadOrTrainRecsModel } from '../analytics/recs/service';
import { runWinbackJob } from '../jobs/campaignJobs';
import { DEFAULT_JOBS_CONFIG } from '../jobs/config';
import { OutboxSender } from '../jobs/sender';
import { adapterSend } from '../bot/proactive/adapterSend';
import { createAdapter } from '../bot/adapter';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { projectPath } from '../lib/paths';
import { buildShop, NOW } from './syntheticShop';

const program = new Command('bench:postgres')
  .option('--url <url>', 'a PostgreSQL server (any database on it) where the bench may create databases')
  .option(
    '--file <file>',
    'order file',
    projectPath('..', 'shared', 'data', 'online-retail', 'online_retail_2010-12_2011-06.csv.gz'),
  )
  .option('--messages <n>', 'messages in the throughput runs', '2000')
  .option('--queries <n>', 'queries in the bridge measurement', '5000')
  // Internal: one sender process of the throughput runs.
  .option('--sender <location>')
  .parse();
const opts = program.opts<{
  url?: string;
  file: string;
  messages: string;
  queries: string;
  sender?: string;
}>();

const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const seconds = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

/** Databases the bench creates on the server, dropped at the end. */
function databases(url: string) {
  const admin = new SyncPostgres(url, { applicationName: 'retain-bench' });
  const made: string[] = [];
  return {
    create(): string {
      const name = `retain_bench_${process.pid}_${made.length}`;
      admin.exec(`DROP DATABASE IF EXISTS ${name}`);
      admin.exec(`CREATE DATABASE ${name}`);
      made.push(name);
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    settings(): string {
      const row = admin.query(
        `SELECT current_setting('server_version') AS v, current_setting('fsync') AS fsync,
                current_setting('synchronous_commit') AS sc, current_setting('shared_buffers') AS sb`,
      ).rows[0];
      return `PostgreSQL ${row.v} (fsync ${row.fsync}, synchronous_commit ${row.sc}, shared_buffers ${row.sb})`;
    },
    dropAll() {
      for (const name of made) admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      admin.close();
    },
  };
}

async function bridgeCost(url: string, n: number) {
  const sync = new SyncPostgres(url);
  const q = 'SELECT $1::integer AS n';
  sync.query(q, [0]);
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sync.query(q, [i]);
  const bridged = seconds(t) / n;
  sync.close();

  const pg = createRequire(__filename)('pg') as typeof PgModule;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query({ name: 'q', text: q, values: [0] });
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await client.query({ name: 'q', text: q, values: [i] });
  const direct = seconds(t) / n;
  await client.end();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-pg-'));
  const store = openStore(path.join(dir, 'q.db'));
  const stmt = store.runs; // any repository: time its cheapest read, one indexed row
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) stmt.latest('none');
  const sqlite = seconds(t) / n;
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { bridged, direct, sqlite };
}

async function importAndTrain(location: string, file: string) {
  const store = openStore(location);
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-models-'));
  try {
    let t = process.hrtime.bigint();
    const imported = await importOrders(store, file);
    const importSeconds = seconds(t);
    t = process.hrtime.bigint();
    const { summary } = await trainAndStore(store);
    const trainSeconds = seconds(t);
    t = process.hrtime.bigint();
    const recs = loadOrTrainRecsModel(store, { modelsDir, retrain: true });
    const recsSeconds = seconds(t);
    return {
      importSeconds,
      trainSeconds,
      recsSeconds,
      lines: imported.imported,
      // What both engines must agree on (timings and run ids aside).
      answers: JSON.stringify({
        imported: { ...imported, file: undefined, seconds: undefined },
        summary: { ...summary, version: undefined, timingsMs: undefined },
        recs: recs.model.validation,
      }),
    };
  } finally {
    store.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  }
}

/** A channel service stand-in that accepts every activity at once. */
async function standInChannel(): Promise<{ url: string; close: () => Promise<void> }> {
  let counter = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `standin-${++counter}` }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function queueMessages(store: Store, messages: number, serviceUrl: string): number {
  buildShop(store, { customers: messages, products: 50, serviceUrl, seed: 11 });
  const config = { ...DEFAULT_JOBS_CONFIG, controlShare: 0, quietHours: null };
  // The shop's "now": its chat conversations are recent then.
  const queued = runWinbackJob(store, { now: NOW, config }).totals.queued;
  if (queued !== messages) throw new Error(`the win-back job queued ${queued} messages, not ${messages}`);
  return queued;
}

/** The sender processes, started together once each has opened its store; wall time to the last message. */
async function sendWith(location: string, processes: number): Promise<{ sent: number; seconds: number }> {
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, [__filename, '--sender', location], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const outputs = children.map((child) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ready = new Promise<void>((resolve) => {
      const check = () => (out.includes('ready') ? resolve() : setTimeout(check, 10));
      check();
    });
    const done = new Promise<string>((resolve, reject) =>
      child.on('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`sender exited with ${code}`)),
      ),
    );
    return { child, ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  const t = process.hrtime.bigint();
  for (const o of outputs) o.child.stdin.end('go\n');
  const results = await Promise.all(outputs.map((o) => o.done));
  const wall = seconds(t);
  const sent = results.reduce(
    (n, out) => n + (JSON.parse(out.slice(out.indexOf('{'))) as { sent: number }).sent,
    0,
  );
  return { sent, seconds: wall };
}

/** One sender process: opens the store, says ready, sends everything due when told to go. */
async function senderProcess(location: string): Promise<void> {
  const store = openStore(location);
  const send = DEFAULT_JOBS_CONFIG.send;
  const sender = new OutboxSender(store, {
    send: adapterSend(createAdapter(loadConfig({}), createLogger('silent')), undefined),
    rate: { perSecond: 1e6, burst: 1e6 },
    concurrency: send.concurrency,
    maxAttempts: send.maxAttempts,
    backoff: send.backoff,
    timeoutMs: 30_000,
    quietHours: null,
    defaultTimeZone: 'UTC',
    rules: DEFAULT_JOBS_CONFIG.suppression,
  });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const summary = await sender.drain();
  store.close();
  process.stdout.write(JSON.stringify({ sent: summary.sent }) + '\n');
}

async function main(): Promise<void> {
  const url = opts.url ?? process.env.RETAIN_BENCH_DATABASE_URL ?? process.env.RETAIN_TEST_DATABASE_URL;
  if (!url) {
    process.stderr.write('bench:postgres needs a PostgreSQL server: --url, or RETAIN_BENCH_DATABASE_URL\n');
    process.exit(2);
  }
  const dbs = databases(url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-pg-'));
  const out: string[] = [];
  const say = (line: string) => {
    out.push(line);
    process.stdout.write(line + '\n');
  };
  try {
    say(`${dbs.settings()}; SQLite in ${os.tmpdir()} (WAL, synchronous NORMAL); ${os.cpus().length} cores`);

    const n = Number(opts.queries);
    const b = await bridgeCost(dbs.create(), n);
    say(
      `1. one small query (${n} in a row): SQLite ${round(b.sqlite * 1e6, 1)} µs, ` +
        `pg awaited directly ${round(b.direct * 1e6, 1)} µs, through the synchronous bridge ${round(b.bridged * 1e6, 1)} µs ` +
        `(bridge overhead ${round((b.bridged - b.direct) * 1e6, 1)} µs per query)`,
    );

    if (fs.existsSync(opts.file)) {
      const sqlite = await importAndTrain(path.join(dir, 'retail.db'), opts.file);
      const pg = await importAndTrain(dbs.create(), opts.file);
      const row = (what: string, a: number, p: number) =>
        say(
          `   ${what.padEnd(34)} SQLite ${round(a, 2)} s, PostgreSQL ${round(p, 2)} s (x${round(p / a, 2)})`,
        );
      say(`2. ${path.basename(opts.file)}: ${sqlite.lines} lines`);
      row('import', sqlite.importSeconds, pg.importSeconds);
      row('train (segments, churn, CLV)', sqlite.trainSeconds, pg.trainSeconds);
      row('train the recommender', sqlite.recsSeconds, pg.recsSeconds);
      say(
        `   same import summary, models and validation on both: ${sqlite.answers === pg.answers ? 'yes' : 'NO'}`,
      );
    } else say(`2. skipped: no ${opts.file}`);

    const messages = Number(opts.messages);
    const channel = await standInChannel();
    try {
      const runs: Array<{ name: string; location: string; processes: number }> = [
        { name: 'SQLite, one instance', location: path.join(dir, 'send.db'), processes: 1 },
        { name: 'PostgreSQL, one instance', location: dbs.create(), processes: 1 },
        { name: 'PostgreSQL, two instances', location: dbs.create(), processes: 2 },
      ];
      say(`3. sending ${messages} queued win-back messages through the Bot Framework adapter:`);
      let baseline = 0;
      for (const run of runs) {
        const store = openStore(run.location);
        const queued = queueMessages(store, messages, channel.url);
        store.close();
        const result = await sendWith(run.location, run.processes);
        const rate = result.sent / result.seconds;
        baseline ||= rate;
        say(
          `   ${run.name.padEnd(27)} ${result.sent}/${queued} sent in ${round(result.seconds, 2)} s: ` +
            `${round(rate, 1)} messages/s (x${round(rate / baseline, 2)} of SQLite)`,
        );
      }
    } finally {
      await channel.close();
    }
  } finally {
    dbs.dropAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (opts.sender) {
  senderProcess(opts.sender).catch((err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exit(1);
  });
}
