/**
 * Runs the jobs on their cron schedules (node-cron, in the shop's time zone) with no overlapping
 * runs: jobs run one at a time in the order they came due (the win-back job must not read scores
 * the nightly job is rewriting), and a job that is already running or waiting is not queued again.
 */
import cron, { type ScheduledTask } from 'node-cron';

export interface ScheduledJob {
  name: string;
  /** Cron expression (5 fields, or 6 with seconds). */
  schedule: string;
  run: () => Promise<unknown> | unknown;
}

export interface SchedulerOptions {
  timeZone: string;
  onRun?: (
    name: string,
    outcome: { ok: true; result: unknown; ms: number } | { ok: false; error: unknown; ms: number },
  ) => void;
  /** Called when a run is dropped because the same job is already running or waiting. */
  onSkip?: (name: string) => void;
}

export class JobScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly pending = new Set<string>();
  private chain: Promise<void> = Promise.resolve();

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
      const task = cron.schedule(j.schedule, () => void this.trigger(j.name), {
        timezone: this.options.timeZone,
        name: `retain:${j.name}`,
        noOverlap: true,
      });
      this.tasks.push(task);
    }
  }

  /**
   * Runs a job now, after whatever is running; resolves when it has run. Returns false (and runs
   * nothing) when the same job is already running or waiting.
   */
  trigger(name: string): Promise<boolean> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) return Promise.reject(new Error(`no job named ${name}`));
    if (this.pending.has(name)) {
      this.options.onSkip?.(name);
      return Promise.resolve(false);
    }
    this.pending.add(name);
    const run = this.chain.then(async () => {
      const started = Date.now();
      try {
        const result = await job.run();
        this.options.onRun?.(name, { ok: true, result, ms: Date.now() - started });
      } catch (error) {
        this.options.onRun?.(name, { ok: false, error, ms: Date.now() - started });
      } finally {
        this.pending.delete(name);
      }
    });
    this.chain = run;
    return run.then(() => true);
  }

  isRunningOrWaiting(name: string): boolean {
    return this.pending.has(name);
  }

  /** Stops the schedules and waits for the job in progress (if any). */
  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    await this.chain;
  }
}
