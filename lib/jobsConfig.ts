/**
 * Settings of the scheduled jobs and the sender, read from the environment with the rest of the
 * configuration (lib/config.ts); .env.example documents each and jobs/README.md the defaults.
 * They live in lib/ so that the configuration does not depend on the jobs that use it.
 */
import { z } from 'zod';
import { isValidTimeZone } from './timeZone';
import { parseQuietHours, type QuietHours } from './quietHours';

const empty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const num = (d: number, min = 0) => z.preprocess(empty, z.coerce.number().min(min).default(d));
const int = (d: number, min = 0) => z.preprocess(empty, z.coerce.number().int().min(min).default(d));
const share = (d: number) => z.preprocess(empty, z.coerce.number().min(0).lt(1).default(d));
const str = (d: string) => z.preprocess(empty, z.string().default(d));

export const jobsEnvSchema = z.object({
  RETAIN_SHOP_TIMEZONE: z.preprocess(
    empty,
    z.string().refine(isValidTimeZone, { message: 'is not an IANA time zone' }).default('Europe/London'),
  ),
  RETAIN_SCHEDULE_NIGHTLY: str('30 2 * * *'),
  RETAIN_SCHEDULE_WINBACK: str('0 10 * * *'),
  RETAIN_SCHEDULE_WELCOME: str('30 10 * * *'),
  RETAIN_JOB_LEASE_SECONDS: int(600, 5),
  RETAIN_DROP_FOLDER: z.preprocess(empty, z.string().optional()),
  RETAIN_WINBACK_CHURN_THRESHOLD: z.preprocess(empty, z.coerce.number().min(0).max(1).default(0.6)),
  RETAIN_WINBACK_PERCENT_OFF: num(10),
  RETAIN_CONTROL_SHARE: share(0.1),
  RETAIN_ATTRIBUTION_DAYS: int(30, 1),
  RETAIN_WELCOME_DELAY_DAYS: num(3),
  RETAIN_WELCOME_LOOKBACK_DAYS: num(14, 1),
  RETAIN_SECOND_PURCHASE_DAYS: num(30),
  RETAIN_SECOND_PURCHASE_PERCENT_OFF: num(5),
  RETAIN_COMPLAINT_QUIET_DAYS: z.preprocess(empty, z.coerce.number().int().min(0).max(365).default(30)),
  RETAIN_FREQUENCY_WINDOW_DAYS: num(14),
  RETAIN_FREQUENCY_MAX_MESSAGES: int(1, 1),
  RETAIN_QUIET_HOURS: z.preprocess((v) => (v === undefined ? '21:00-08:00' : v), z.string()),
  RETAIN_SEND_RATE_PER_SECOND: z.preprocess(empty, z.coerce.number().positive().default(1)),
  RETAIN_SEND_BURST: int(5, 1),
  RETAIN_SEND_CONCURRENCY: int(4, 1),
  RETAIN_SEND_MAX_ATTEMPTS: int(6, 1),
  RETAIN_SEND_BACKOFF_BASE_MS: int(2000, 1),
  RETAIN_SEND_BACKOFF_MAX_MS: int(3_600_000, 1),
  RETAIN_SEND_TIMEOUT_MS: int(180_000, 1),
  RETAIN_SEND_POLL_SECONDS: num(15, 1),
  RETAIN_CHAT_PROACTIVE_CHANNELS: z.preprocess(
    (v) => (v === undefined ? 'msteams,slack,webchat,directline' : v),
    z.string().transform((v) =>
      v
        .split(',')
        .map((c) => c.trim().toLowerCase())
        .filter(Boolean),
    ),
  ),
  RETAIN_CHAT_REFERENCE_MAX_DAYS: num(180, 1),
});

export interface JobsConfig {
  shopTimeZone: string;
  schedules: { nightly: string; winback: string; welcome: string };
  /**
   * How long a scheduled run stays an instance's without being renewed (it is renewed every third
   * of it while it runs); a run whose instance died is taken over by another after this.
   */
  runLeaseSeconds: number;
  dropFolder?: string;
  winback: { churnThreshold: number; percentOff: number };
  welcome: { delayDays: number; lookbackDays: number };
  /** Nudge for one-time buyers `afterDays` after their only purchase (0: off); same lookback as welcome. */
  secondPurchase: { afterDays: number; percentOff: number };
  controlShare: number;
  attributionDays: number;
  /** Who must not get a promotional message now (analytics/campaigns/suppression.ts). */
  suppression: { complaintDays: number; frequencyWindowDays: number; maxMessagesPerWindow: number };
  quietHours: QuietHours | null;
  /** How a customer is reached (analytics/campaigns/channels.ts). */
  channels: {
    /** Whether email is set up (RETAIN_SMTP_URL and the rest of docs/email.md). */
    email: boolean;
    /** Chat channels whose saved conversations can take a message the customer did not ask for. */
    proactiveChat: string[];
    /** A conversation older than this is no longer a way to reach the customer. */
    chatReferenceMaxDays: number;
  };
  send: {
    rate: { perSecond: number; burst: number };
    concurrency: number;
    maxAttempts: number;
    backoff: { baseMs: number; maxMs: number };
    timeoutMs: number;
    pollSeconds: number;
  };
}

/** The jobs' settings from validated environment values. */
export function jobsConfigFrom(e: z.infer<typeof jobsEnvSchema>): JobsConfig {
  return {
    shopTimeZone: e.RETAIN_SHOP_TIMEZONE,
    schedules: {
      nightly: e.RETAIN_SCHEDULE_NIGHTLY,
      winback: e.RETAIN_SCHEDULE_WINBACK,
      welcome: e.RETAIN_SCHEDULE_WELCOME,
    },
    runLeaseSeconds: e.RETAIN_JOB_LEASE_SECONDS,
    dropFolder: e.RETAIN_DROP_FOLDER,
    winback: { churnThreshold: e.RETAIN_WINBACK_CHURN_THRESHOLD, percentOff: e.RETAIN_WINBACK_PERCENT_OFF },
    welcome: { delayDays: e.RETAIN_WELCOME_DELAY_DAYS, lookbackDays: e.RETAIN_WELCOME_LOOKBACK_DAYS },
    secondPurchase: {
      afterDays: e.RETAIN_SECOND_PURCHASE_DAYS,
      percentOff: e.RETAIN_SECOND_PURCHASE_PERCENT_OFF,
    },
    controlShare: e.RETAIN_CONTROL_SHARE,
    attributionDays: e.RETAIN_ATTRIBUTION_DAYS,
    suppression: {
      complaintDays: e.RETAIN_COMPLAINT_QUIET_DAYS,
      frequencyWindowDays: e.RETAIN_FREQUENCY_WINDOW_DAYS,
      maxMessagesPerWindow: e.RETAIN_FREQUENCY_MAX_MESSAGES,
    },
    quietHours: parseQuietHours(e.RETAIN_QUIET_HOURS),
    // Email is switched on by lib/config.ts once its own settings are complete.
    channels: {
      email: false,
      proactiveChat: e.RETAIN_CHAT_PROACTIVE_CHANNELS,
      chatReferenceMaxDays: e.RETAIN_CHAT_REFERENCE_MAX_DAYS,
    },
    send: {
      rate: { perSecond: e.RETAIN_SEND_RATE_PER_SECOND, burst: e.RETAIN_SEND_BURST },
      concurrency: e.RETAIN_SEND_CONCURRENCY,
      maxAttempts: e.RETAIN_SEND_MAX_ATTEMPTS,
      backoff: { baseMs: e.RETAIN_SEND_BACKOFF_BASE_MS, maxMs: e.RETAIN_SEND_BACKOFF_MAX_MS },
      timeoutMs: e.RETAIN_SEND_TIMEOUT_MS,
      pollSeconds: e.RETAIN_SEND_POLL_SECONDS,
    },
  };
}

/** The settings with every default (tests, dry runs without a .env): email off. */
export function defaultJobsConfig(): JobsConfig {
  return jobsConfigFrom(jobsEnvSchema.parse({}));
}
