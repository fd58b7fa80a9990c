/**
 * Email at scale: N synthetic customers who never chatted, each with an address and marketing
 * consent (imported with `importCustomers` from a CSV file, as a shop would), all due a win-back.
 *  1. the customer import and the win-back job, timed: N email messages queued in the outbox;
 *  2. the baseline, in the same run: the local SMTP sink's unthrottled rate, i.e. messages
 *     rendered and handed over by the same email channel (templates, nodemailer pool with the
 *     sender's concurrency) as fast as it goes, without the outbox;
 *  3. the outbox sender draining all N through that channel at the configured rate limit: the
 *     sustained rate measured at the sink, against the configured one and the baseline.
 * The sink is an smtp-server in its own process (bench/smtpSink.ts) that reads every message to
 * its end and acknowledges it.
 * Usage: npm run bench:email [-- --messages 100000 --rate 300 --burst 10 --baseline 20000]
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { openStore, type Store } from '../data/store';
import { importCustomers } from '../data/import/importCustomers';
import { runWinbackJob } from '../jobs/campaignJobs';
import { DEFAULT_JOBS_CONFIG, type JobsConfig } from '../jobs/config';
import { OutboxSender, type OutboundEmail } from '../jobs/sender';
import { createEmailChannel, type EmailChannel } from '../jobs/email/emailChannel';
import type { MailConfig } from '../lib/mailConfig';
import { projectPath } from '../lib/paths';
import { buildShop, NOW } from './syntheticShop';

const opts = new Command('bench:email')
  .option('--messages <n>', 'customers, and so email messages queued and sent', '100000')
  .option('--rate <n>', 'configured sending rate to the relay (messages per second)', '300')
  .option('--burst <n>', 'token bucket burst', '10')
  .option('--baseline <n>', 'messages in the unthrottled baseline', '20000')
  .parse()
  .opts<{ messages: string; rate: string; burst: string; baseline: string }>();

const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const secondsSince = (t: number) => (performance.now() - t) / 1000;
const CONCURRENCY = DEFAULT_JOBS_CONFIG.send.concurrency;

interface Sink {
  port: number;
  /** Arrival times (absolute ms) since the last call, and the bytes received. */
  take(): Promise<{ arrivals: number[]; bytes: number }>;
  stop(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const child: ChildProcess = fork(path.join(__dirname, 'smtpSink.js'), [], { stdio: 'inherit' });
  const next = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const { port } = await next<{ port: number }>();
  return {
    port,
    take: () => {
      const reply = next<{ arrivals: number[]; bytes: number }>();
      child.send('times');
      return reply;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

function mailConfig(port: number, rate: { perSecond: number; burst: number }): MailConfig {
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    from: { name: 'Bench Shop', address: 'news@shop.example' },
    unsubscribe: {
      secret: 'bench-secret-bench-secret-bench-secret',
      linkDays: 90,
      baseUrl: 'https://shop.example',
    },
    rate,
    templatesDir: projectPath('data', 'templates', 'email'),
  };
}

/** The sustained rate: arrivals after the burst over the time since the burst's last one. */
function sustainedRate(arrivals: number[], burst: number): number {
  const a = [...arrivals].sort((x, y) => x - y);
  const b = burst < a.length / 2 ? Math.max(1, Math.floor(burst)) : 1;
  return (a.length - b) / ((a[a.length - 1] - a[b - 1]) / 1000);
}

/** Contacts as a shop exports them: address, name and consent for every customer. */
async function importContacts(store: Store, dir: string, customers: number) {
  const file = path.join(dir, 'customers.csv');
  const lines = ['customer_id,email,name,marketing_consent,consent_at,consent_source'];
  for (let c = 0; c < customers; c++)
    lines.push(`c${c},c${c}@example.com,Customer ${c},yes,2025-01-01,checkout checkbox`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const t = performance.now();
  const summary = await importCustomers(store, file, { now: NOW });
  return { seconds: round(secondsSince(t), 2), rows: summary.rowsRead, updated: summary.updated };
}

/** The channel alone, as fast as it goes: `n` messages over `CONCURRENCY` workers. */
async function baseline(channel: EmailChannel, payload: Record<string, unknown>, n: number) {
  let next = 0;
  const t = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const message: OutboundEmail = {
        outboxId: i,
        dedupeKey: `baseline:${i}`,
        campaignId: 1,
        kind: 'winback',
        customerId: i + 1,
        to: { address: `b${i}@example.com`, name: `Customer ${i}` },
        payload,
        now: NOW,
      };
      await channel.send(message);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { messages: n, seconds: round(secondsSince(t), 2) };
}

async function main(): Promise<void> {
  const messages = Number(opts.messages);
  const rate = { perSecond: Number(opts.rate), burst: Number(opts.burst) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-email-'));
  const sink = await startSink();
  try {
    // 1. Customers with consent, and their win-back queued by email.
    let t = performance.now();
    const store = openStore(path.join(dir, 'shop.db'));
    buildShop(store, {
      customers: messages,
      products: 200,
      serviceUrl: 'http://127.0.0.1:9',
      seed: 5,
      chat: false,
    });
    const fixtureSeconds = secondsSince(t);
    const contacts = await importContacts(store, dir, messages);
    const config: JobsConfig = {
      ...DEFAULT_JOBS_CONFIG,
      controlShare: 0,
      quietHours: null,
      channels: { ...DEFAULT_JOBS_CONFIG.channels, email: true },
    };
    t = performance.now();
    const job = runWinbackJob(store, { now: NOW, config });
    const jobSeconds = secondsSince(t);
    const payload = store.outbox.list({ limit: 1 })[0].payload;

    // 2. The sink's unthrottled rate through the same channel, without the outbox.
    const channel = createEmailChannel(mailConfig(sink.port, rate), { maxConnections: CONCURRENCY });
    const base = await baseline(channel, payload, Number(opts.baseline));
    const baseArrivals = (await sink.take()).arrivals;
    const unthrottled = sustainedRate(baseArrivals, 1);

    // 3. The outbox sender at the configured rate.
    const sender = new OutboxSender(store, {
      send: () => Promise.reject(new Error('no chat in this benchmark')),
      email: { sender: channel, rate },
      rate,
      concurrency: CONCURRENCY,
      maxAttempts: DEFAULT_JOBS_CONFIG.send.maxAttempts,
      backoff: DEFAULT_JOBS_CONFIG.send.backoff,
      timeoutMs: 30_000,
      quietHours: null,
      defaultTimeZone: 'UTC',
      rules: { ...DEFAULT_JOBS_CONFIG.suppression, maxMessagesPerWindow: 1000 },
    });
    t = performance.now();
    const summary = await sender.drain();
    const drainSeconds = secondsSince(t);
    const { arrivals, bytes } = await sink.take();
    channel.close();
    const measured = sustainedRate(arrivals, rate.burst);
    const counts = store.outbox.countsByStatus();
    store.close();

    const result = {
      machine: { cores: os.cpus().length, loadAverage1m: round(os.loadavg()[0], 2) },
      messages,
      queueing: {
        fixtureSeconds: round(fixtureSeconds, 1),
        customerImport: { ...contacts, rowsPerSecond: Math.round(contacts.rows / contacts.seconds) },
        winbackJob: {
          seconds: round(jobSeconds, 2),
          queued: job.totals.queued,
          byChannel: job.totals.channels,
          skipped: job.totals.skipped,
        },
      },
      baselineUnthrottledSink: {
        ...base,
        perSecond: round(unthrottled, 1),
        note: 'the same email channel (templates + nodemailer pool) straight to the sink, no outbox',
      },
      sending: {
        configured: { ...rate, concurrency: CONCURRENCY },
        delivered: arrivals.length,
        sent: summary.sent,
        failed: summary.failed + summary.dead,
        retried: summary.retried,
        outboxAfter: counts,
        drainSeconds: round(drainSeconds, 1),
        perSecond: round(measured, 1),
        ratioToConfigured: round(measured / rate.perSecond),
        ratioToUnthrottled: round(measured / unthrottled),
        meanMessageBytes: Math.round(bytes / Math.max(1, arrivals.length)),
      },
      pass: arrivals.length === messages && Math.abs(measured / rate.perSecond - 1) < 0.05,
      bar: `all ${messages} delivered; measured rate within 5% of the configured one (which must be below the unthrottled rate)`,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await sink.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
