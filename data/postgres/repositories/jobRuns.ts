import type { PgDb } from '../statement';
import {
  MAX_RUN_ATTEMPTS,
  type JobRun,
  type JobRunOutcome,
  type JobRunRepository,
} from '../../repositories/jobRuns';

const COLUMNS = `run_key AS "runKey", job, holder, attempts, started_at AS "startedAt",
  lease_until AS "leaseUntil", finished_at AS "finishedAt", outcome`;

// The server's clock: the one clock every instance shares, whatever their own clocks say.
const NOW = `retain_iso(clock_timestamp())`;
const UNTIL = `retain_iso(clock_timestamp() + make_interval(secs => @leaseMs::double precision / 1000))`;

export class PostgresJobRunRepository implements JobRunRepository {
  private readonly claimStmt;
  private readonly renewStmt;
  private readonly finishStmt;
  private readonly abandonedStmt;
  private readonly getStmt;
  private readonly recentStmt;

  constructor(db: PgDb) {
    this.claimStmt = db.prepare(`
      INSERT INTO job_runs (run_key, job, holder, started_at, lease_until)
      VALUES (@runKey, @job, @holder, ${NOW}, ${UNTIL})
      ON CONFLICT (run_key) DO UPDATE SET holder = excluded.holder, attempts = job_runs.attempts + 1,
        started_at = excluded.started_at, lease_until = excluded.lease_until
       WHERE job_runs.finished_at IS NULL AND job_runs.lease_until < excluded.started_at
         AND job_runs.attempts < @maxAttempts`);
    this.renewStmt = db.prepare(`
      UPDATE job_runs SET lease_until = ${UNTIL}
       WHERE run_key = @runKey AND holder = @holder AND finished_at IS NULL`);
    this.finishStmt = db.prepare(`
      UPDATE job_runs SET finished_at = ${NOW}, outcome = @outcome
       WHERE run_key = @runKey AND holder = @holder AND finished_at IS NULL`);
    this.abandonedStmt = db.prepare<JobRun>(`
      SELECT ${COLUMNS} FROM job_runs
       WHERE finished_at IS NULL AND lease_until < ${NOW} AND attempts < ?
       ORDER BY started_at, run_key`);
    this.getStmt = db.prepare<JobRun>(`SELECT ${COLUMNS} FROM job_runs WHERE run_key = ?`);
    this.recentStmt = db.prepare<JobRun>(
      `SELECT ${COLUMNS} FROM job_runs ORDER BY started_at DESC, run_key LIMIT ?`,
    );
  }

  claim(runKey: string, job: string, holder: string, leaseMs: number): boolean {
    return this.claimStmt.run({ runKey, job, holder, leaseMs, maxAttempts: MAX_RUN_ATTEMPTS }).changes === 1;
  }

  renew(runKey: string, holder: string, leaseMs: number): boolean {
    return this.renewStmt.run({ runKey, holder, leaseMs }).changes === 1;
  }

  finish(runKey: string, holder: string, outcome: JobRunOutcome): boolean {
    return this.finishStmt.run({ runKey, holder, outcome }).changes === 1;
  }

  abandoned(): JobRun[] {
    return this.abandonedStmt.all(MAX_RUN_ATTEMPTS);
  }

  get(runKey: string): JobRun | undefined {
    return this.getStmt.get(runKey);
  }

  recent(limit = 50): JobRun[] {
    return this.recentStmt.all(limit);
  }
}
