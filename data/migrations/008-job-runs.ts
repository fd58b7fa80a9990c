/**
 * Scheduled runs, one row per job and scheduled time, so that a schedule runs once however many
 * instances of the bot share the database (jobs/scheduler.ts): the instance that inserts the row
 * runs the job and holds it by a lease it keeps renewing; a run whose lease ran out unfinished
 * (its instance died) is taken over by another instance, at most `attempts` times.
 */
export const up = `
CREATE TABLE job_runs (
  run_key         TEXT PRIMARY KEY,              -- '<job>@<scheduled time, ISO>'
  job             TEXT NOT NULL,
  holder          TEXT NOT NULL,                 -- the instance running it (or that ran it last)
  attempts        INTEGER NOT NULL DEFAULT 1,
  started_at      TEXT NOT NULL,
  lease_until     TEXT NOT NULL,
  finished_at     TEXT,
  outcome         TEXT CHECK (outcome IN ('ok', 'failed', 'skipped'))
);
CREATE INDEX job_runs_open ON job_runs(finished_at, lease_until);
`;
