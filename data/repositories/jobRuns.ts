/**
 * Scheduled runs shared by every instance on the database (jobs/scheduler.ts): who runs which
 * scheduled run, under a lease the runner keeps renewing, and how it ended. SQLite is reached by
 * the processes of one machine, so the machine's clock is the lease clock here; on PostgreSQL the
 * server's clock is, the one clock every instance shares (data/postgres/repositories/jobRuns.ts).
 * The statements are the same on both engines; only where the time comes from differs.
 */
import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
import type { PublicApi } from '../publicApi';

export type JobRunOutcome = 'ok' | 'failed' | 'skipped';

export interface JobRun {
  runKey: string;
  job: string;
  holder: string;
  attempts: number;
  startedAt: string;
  leaseUntil: string;
  finishedAt: string | null;
  outcome: JobRunOutcome | null;
}

/** A run that died this many times is left alone (something in it kills its instance). */
export const MAX_RUN_ATTEMPTS = 3;

const COLUMNS = `run_key AS "runKey", job, holder, attempts, started_at AS "startedAt",
  lease_until AS "leaseUntil", finished_at AS "finishedAt", outcome`;

/**
 * Where the lease clock is read, as SQL expressions giving ISO-8601 UTC text. Statements are
 * given the caller's clock as @now and @until (now + the lease) and the lease as @leaseMs; an
 * engine whose clock is elsewhere reads it there instead.
 */
export interface LeaseClock {
  /** The current time. */
  now: string;
  /** The current time plus @leaseMs. */
  until: string;
}

/** The machine's clock: the processes sharing one SQLite file share it. */
const MACHINE_CLOCK: LeaseClock = { now: '@now', until: '@until' };

/** What the rest of retain sees of the repository (any engine's implementation). */
export type JobRunRepository = PublicApi<SqlJobRunRepository>;

export class SqlJobRunRepository {
  private readonly claimStmt;
  private readonly renewStmt;
  private readonly finishStmt;
  private readonly abandonedStmt;
  private readonly getStmt;
  private readonly recentStmt;

  constructor(db: PortableDb, clock: LeaseClock) {
    // A new run, or one whose holder stopped renewing its lease before it finished.
    this.claimStmt = db.prepare(`
      INSERT INTO job_runs (run_key, job, holder, started_at, lease_until)
      VALUES (@runKey, @job, @holder, ${clock.now}, ${clock.until})
      ON CONFLICT (run_key) DO UPDATE SET holder = excluded.holder, attempts = job_runs.attempts + 1,
        started_at = excluded.started_at, lease_until = excluded.lease_until
       WHERE job_runs.finished_at IS NULL AND job_runs.lease_until < excluded.started_at
         AND job_runs.attempts < @maxAttempts`);
    this.renewStmt = db.prepare(`
      UPDATE job_runs SET lease_until = ${clock.until}
       WHERE run_key = @runKey AND holder = @holder AND finished_at IS NULL`);
    this.finishStmt = db.prepare(`
      UPDATE job_runs SET finished_at = ${clock.now}, outcome = @outcome
       WHERE run_key = @runKey AND holder = @holder AND finished_at IS NULL`);
    this.abandonedStmt = db.prepare(`
      SELECT ${COLUMNS} FROM job_runs
       WHERE finished_at IS NULL AND lease_until < ${clock.now} AND attempts < @maxAttempts
       ORDER BY started_at, run_key`);
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM job_runs WHERE run_key = ?`);
    this.recentStmt = db.prepare(`SELECT ${COLUMNS} FROM job_runs ORDER BY started_at DESC, run_key LIMIT ?`);
  }

  /** Takes a run for `holder` for `leaseMs`; false when another holder has it (or it is done). */
  claim(runKey: string, job: string, holder: string, leaseMs: number): boolean {
    return (
      this.claimStmt.run({ runKey, job, holder, ...clock(leaseMs), maxAttempts: MAX_RUN_ATTEMPTS })
        .changes === 1
    );
  }

  /** Extends the holder's lease; false when the run is no longer this holder's. */
  renew(runKey: string, holder: string, leaseMs: number): boolean {
    return this.renewStmt.run({ runKey, holder, ...clock(leaseMs) }).changes === 1;
  }

  finish(runKey: string, holder: string, outcome: JobRunOutcome): boolean {
    return this.finishStmt.run({ runKey, holder, outcome, ...clock(0) }).changes === 1;
  }

  /** Unfinished runs whose lease ran out: their holder stopped. */
  abandoned(): JobRun[] {
    return this.abandonedStmt.all({ ...clock(0), maxAttempts: MAX_RUN_ATTEMPTS }) as JobRun[];
  }

  get(runKey: string): JobRun | undefined {
    return this.getStmt.get(runKey) as JobRun | undefined;
  }

  /** Newest first. */
  recent(limit = 50): JobRun[] {
    return this.recentStmt.all(limit) as JobRun[];
  }
}

/** The caller's clock and the lease, for whichever of them a statement reads. */
function clock(leaseMs: number): { now: string; until: string; leaseMs: number } {
  const now = Date.now();
  return { now: new Date(now).toISOString(), until: new Date(now + leaseMs).toISOString(), leaseMs };
}

export class SqliteJobRunRepository extends SqlJobRunRepository {
  constructor(db: Db) {
    super(db, MACHINE_CLOCK);
  }
}
