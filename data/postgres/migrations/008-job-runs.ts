/**
 * data/migrations/008-job-runs.ts in PostgreSQL's dialect, and where the trained models live when
 * the store is PostgreSQL: model_files holds each saved model file under the name it has in
 * model_runs.artifact_path, so that every instance loads the same model without a shared folder.
 */
export const up = `
CREATE TABLE job_runs (
  run_key         TEXT COLLATE "C" PRIMARY KEY,
  job             TEXT COLLATE "C" NOT NULL,
  holder          TEXT COLLATE "C" NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 1,
  started_at      TEXT COLLATE "C" NOT NULL,
  lease_until     TEXT COLLATE "C" NOT NULL,
  finished_at     TEXT COLLATE "C",
  outcome         TEXT COLLATE "C" CHECK (outcome IN ('ok', 'failed', 'skipped'))
);
CREATE INDEX job_runs_open ON job_runs(finished_at, lease_until);

CREATE TABLE model_files (
  path            TEXT COLLATE "C" PRIMARY KEY,
  content         TEXT COLLATE "C" NOT NULL,
  updated_at      TEXT COLLATE "C" NOT NULL
);
`;
