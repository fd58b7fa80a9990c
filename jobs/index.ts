/**
 * What the CLI and the bot's composition root use from the jobs:
 *
 *   retain jobs run winback|welcome|nightly [--as-of] [--dry-run] --json  → runJob(db, name, {...})
 *   retain outbox --json                                                 → outboxListing(db, {...})
 *   bot/index.ts: createJobRuntime(db, config, { send, email }) → { scheduler, sender }; start() both, stop() both
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Store } from '../data/store';
import { type OutboxMessage, type OutboxStatus } from '../data/repositories/outbox';
import { createAlsBatchScorer, loadSavedRecsModel } from '../analytics/recs';
import type { JobsConfig } from './config';
import { runWelcomeJob, runWinbackJob, type CampaignJobReport } from './campaignJobs';
import { runNightlyJob, type NightlyReport } from './nightly';
import { modelRecommender, noRecommendations, type Recommender } from './personalise';
import { JobScheduler, type SchedulerOptions } from './scheduler';
import { ModelWatcher } from './modelWatcher';
import { OutboxSender, type EmailSender, type SendFn, type SenderEvent } from './sender';
import type { RateLimit } from './tokenBucket';

export type { JobsConfig } from './config';
export type { CampaignJobReport } from './campaignJobs';
export type { NightlyReport } from './nightly';
export { OutboxSender, type SendFn, type SenderEvent } from './sender';
export { createEmailChannel, type EmailChannel } from './email/emailChannel';
export { JobScheduler } from './scheduler';

export const JOB_NAMES = ['nightly', 'winback', 'welcome'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface LoadedRecommender {
  recommender: Recommender;
  /** Frees what the recommender holds outside the JS heap (its TF.js tensors). */
  dispose(): void;
}

/** The recommender saved by the last training (none: messages go out without recommendations). */
export async function savedRecommender(store: Store): Promise<LoadedRecommender> {
  const none = { recommender: noRecommendations, dispose() {} };
  let model;
  try {
    model = loadSavedRecsModel(store);
  } catch {
    return none;
  }
  if (!model) return none;
  const als = await createAlsBatchScorer(model.als);
  return { recommender: modelRecommender(model, als), dispose: () => als.dispose() };
}

export interface RunJobOptions {
  /** The job's "now": replays a day with historical data (default: the real time). */
  asOf?: Date;
  dryRun?: boolean;
  config: JobsConfig;
  modelsDir: string;
  importTimeZone: string;
  recommender?: Recommender;
  detailLimit?: number;
}

export async function runJob(
  store: Store,
  name: JobName,
  o: RunJobOptions,
): Promise<CampaignJobReport | NightlyReport> {
  if (name === 'nightly') {
    return runNightlyJob(store, {
      dropFolder: o.config.dropFolder,
      importTimeZone: o.importTimeZone,
      modelsDir: o.modelsDir,
      asOf: o.asOf,
      dryRun: o.dryRun,
    });
  }
  const loaded = o.recommender ? { recommender: o.recommender, dispose() {} } : await savedRecommender(store);
  try {
    const options = {
      now: o.asOf,
      dryRun: o.dryRun,
      config: o.config,
      recommender: loaded.recommender,
      detailLimit: o.detailLimit,
    };
    return name === 'winback' ? runWinbackJob(store, options) : runWelcomeJob(store, options);
  } finally {
    loaded.dispose();
  }
}

export interface OutboxListing {
  counts: Record<OutboxStatus, number>;
  nextDueAt: string | null;
  messages: OutboxMessage[];
}

export function outboxListing(
  store: Store,
  options: { status?: OutboxStatus; campaignId?: number; limit?: number } = {},
): OutboxListing {
  const outbox = store.outbox;
  return { counts: outbox.countsByStatus(), nextDueAt: outbox.nextDueAt(), messages: outbox.list(options) };
}

export interface JobRuntime {
  scheduler: JobScheduler;
  sender: OutboxSender;
  /** This instance, as it appears in job_runs. */
  instance: string;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The scheduled jobs and the outbox sender of a running bot. `send` is the bot's proactive send
 * (bot/proactive/adapterSend.ts); `email` the email channel when it is set up. Several bots may
 * share one (PostgreSQL) database: each scheduled run runs on one of them (jobs/scheduler.ts),
 * their senders claim different messages (the outbox claim), and a sender's claims are taken over
 * once older than the lease (leaseMs in jobs/sender.ts). Models trained by another instance are
 * noticed (`onNewModels`).
 */
export function createJobRuntime(
  store: Store,
  config: JobsConfig,
  deps: {
    send: SendFn;
    email?: { sender: EmailSender; rate: RateLimit };
    modelsDir: string;
    importTimeZone: string;
    onRun?: SchedulerOptions['onRun'];
    onSkip?: SchedulerOptions['onSkip'];
    onSenderEvent?: (e: SenderEvent) => void;
    onSenderError?: (error: unknown) => void;
    /** Models were recorded elsewhere (another instance's nightly job, `retain train`): reload. */
    onNewModels?: () => void;
    /** How often to look for such models (default 30 s). */
    modelCheckMs?: number;
  },
): JobRuntime {
  const common = { config, modelsDir: deps.modelsDir, importTimeZone: deps.importTimeZone };
  const instance = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const watcher = deps.onNewModels ? new ModelWatcher(store.runs, deps.onNewModels) : undefined;
  const scheduler = new JobScheduler(
    JOB_NAMES.map((name) => ({
      name,
      schedule: config.schedules[name],
      run: () => runJob(store, name, common),
    })),
    {
      timeZone: config.shopTimeZone,
      onRun: (name, outcome) => {
        // The nightly job's models are this instance's own: onRun reloads them, not the watcher.
        if (name === 'nightly') watcher?.sync();
        deps.onRun?.(name, outcome);
      },
      onSkip: deps.onSkip,
      shared: { runs: store.jobRuns, holder: instance, leaseMs: config.runLeaseSeconds * 1000 },
    },
  );
  const sender = new OutboxSender(store, {
    send: deps.send,
    email: deps.email,
    rate: config.send.rate,
    concurrency: config.send.concurrency,
    maxAttempts: config.send.maxAttempts,
    backoff: config.send.backoff,
    timeoutMs: config.send.timeoutMs,
    quietHours: config.quietHours,
    defaultTimeZone: config.shopTimeZone,
    rules: config.suppression,
    // A claim older than the send timeout (plus a margin) was left by a stopped process.
    leaseMs: config.send.timeoutMs + 60_000,
    onEvent: deps.onSenderEvent,
  });
  return {
    scheduler,
    sender,
    instance,
    start() {
      scheduler.start();
      sender.start(config.send.pollSeconds * 1000, deps.onSenderError);
      watcher?.start(deps.modelCheckMs ?? 30_000);
    },
    async stop() {
      watcher?.stop();
      await Promise.all([scheduler.stop(), sender.stop()]);
    },
  };
}
