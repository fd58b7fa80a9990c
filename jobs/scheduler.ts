/**
 * Runs the jobs on their cron schedules (node-cron, in the shop's time zone) with no overlapping
 * runs: jobs run one at a time in the order they came due (the win-back job must not read scores
 * the nightly job is rewriting), and a job that is already running or waiting is not queued again.
 *
 * Once across instances: with `shared`, each scheduled run (job and scheduled time) is claimed in
 * the database before it runs (data/repositories/jobRuns.ts); the instance that claims it runs it
 * and renews its lease every third of the lease while it runs, the others skip it. Every instance
 * also looks, every half lease, for runs whose lease ran out unfinished (their instance died) and
 * takes them over: the job starts again, and its own idempotence (one outbox row per campaign,
 * customer and period) keeps the result exact. Instances must agree on the time to within the
 * minute (NTP), since a run is known by its scheduled time.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { JobRunRepository } from '../data/repositories/jobRuns';

export interface ScheduledJob {
  name: string;
  /** Cron expression (5 fields, or 6 with seconds). */
  schedule: string;
  run: () => Promise<unknown> | unknown;
}

export interface SharedRuns {
  runs: Pick<JobRunRepository, 'claim' | 'renew' | 'finish' | 'abandoned'>;
  /** This instance, as the holder of the runs it takes. */
  holder: string;
  leaseMs: number;
}

export interface SchedulerOptions {
  timeZone: string;
  onRun?: (
    name: string,
    outcome: { ok: true; result: unknown; ms: number } | { ok: false; error: unknown; ms: number },
  ) => void;
  /**
   * Called when a run is dropped: the same job is already running or waiting here ('busy'), or
   * another instance has (or had) this scheduled run ('elsewhere').
   */
  onSkip?: (name: string, reason: 'busy' | 'elsewhere') => void;
  /** Scheduled runs shared with the other instances on the same database (once across instances). */
  shared?: SharedRuns;
}

export class JobScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly pending = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private takeoverTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly jobs: ScheduledJob[],
    private readonly options: SchedulerOptions,
  ) {
    for (const j of jobs) {
      if (!cron.validate(j.schedule))
        throw new Error(`job ${j.name}: '${j.schedule}' is not a cron expression`);
    }
  }

  start(): void {
    for (const j of this.jobs) {
      const task = cron.schedule(
        j.schedule,
        (context) => void this.enqueue(j.name, runKey(j.name, context.date)),
        {
          timezone: this.options.timeZone,
          name: `retain:${j.name}`,
          noOverlap: true,
        },
      );
      this.tasks.push(task);
    }
    const shared = this.options.shared;
    if (shared) {
      this.takeOver();
      this.takeoverTimer = setInterval(() => this.takeOver(), shared.leaseMs / 2);
      this.takeoverTimer.unref();
    }
  }

  /**
   * Runs a job now, after whatever is running; resolves when it has run. Returns false (and runs
   * nothing) when the same job is already running or waiting.
   */
  trigger(name: string): Promise<boolean> {
    return this.enqueue(name, null);
  }

  isRunningOrWaiting(name: string): boolean {
    return this.pending.has(name);
  }

  /** Stops the schedules and waits for the job in progress (if any). */
  async stop(): Promise<void> {
    if (this.takeoverTimer) clearInterval(this.takeoverTimer);
    for (const t of this.tasks) await t.stop();
    await this.chain;
  }

  /** A scheduled run (`key`) is claimed when its turn comes; a manual one (`null`) just runs. */
  private enqueue(name: string, key: string | null): Promise<boolean> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) return Promise.reject(new Error(`no job named ${name}`));
    if (this.pending.has(name)) {
      this.options.onSkip?.(name, 'busy');
      return Promise.resolve(false);
    }
    this.pending.add(name);
    const shared = key === null ? undefined : this.options.shared;
    const run = this.chain.then(async () => {
      const started = Date.now();
      let renewal: NodeJS.Timeout | undefined;
      try {
        if (shared && key) {
          if (!shared.runs.claim(key, name, shared.holder, shared.leaseMs)) {
            this.options.onSkip?.(name, 'elsewhere');
            return;
          }
          renewal = setInterval(() => renew(shared, key), shared.leaseMs / 3);
        }
        let outcome: 'ok' | 'failed' = 'ok';
        try {
          const result = await job.run();
          this.options.onRun?.(name, { ok: true, result, ms: Date.now() - started });
        } catch (error) {
          outcome = 'failed';
          this.options.onRun?.(name, { ok: false, error, ms: Date.now() - started });
        }
        if (shared && key) shared.runs.finish(key, shared.holder, outcome);
      } catch (error) {
        // The claim or the finish could not be written (the database is away): reported as the run's failure.
        this.options.onRun?.(name, { ok: false, error, ms: Date.now() - started });
      } finally {
        if (renewal) clearInterval(renewal);
        this.pending.delete(name);
      }
    });
    this.chain = run;
    return run.then(() => true);
  }

  /** Runs whose instance stopped renewing their lease (it died) are run again here. */
  private takeOver(): void {
    const shared = this.options.shared;
    if (!shared) return;
    let abandoned;
    try {
      abandoned = shared.runs.abandoned();
    } catch {
      return; // The database is away; the next look will find them.
    }
    for (const r of abandoned) {
      if (this.jobs.some((j) => j.name === r.job) && !this.pending.has(r.job))
        void this.enqueue(r.job, r.runKey);
    }
  }
}

/** A scheduled run is known by its job and scheduled time, the same on every instance. */
function runKey(job: string, scheduled: Date): string {
  const slot = new Date(scheduled);
  slot.setMilliseconds(0);
  return `${job}@${slot.toISOString()}`;
}

function renew(shared: SharedRuns, key: string): void {
  try {
    shared.runs.renew(key, shared.holder, shared.leaseMs);
  } catch {
    // The next renewal tries again; the lease is long enough for a few to fail.
  }
}
