/**
 * The jobs' settings. They are read and validated with the rest of the configuration at start
 * (lib/config.ts, lib/jobsConfig.ts); defaults are listed in jobs/README.md.
 */
import { defaultJobsConfig, type JobsConfig } from '../lib/jobsConfig';

export type { JobsConfig };

/** Defaults, e.g. for tests and `--dry-run` without a .env. */
export const DEFAULT_JOBS_CONFIG: JobsConfig = defaultJobsConfig();
