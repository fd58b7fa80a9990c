import type { PgDb } from '../statement';
import { SqlJobRunRepository, type LeaseClock } from '../../repositories/jobRuns';

// The server's clock: the one clock every instance shares, whatever their own clocks say. The
// statements are the SQLite repository's (data/repositories/jobRuns.ts); the caller's clock they
// are also given is not read here.
const SERVER_CLOCK: LeaseClock = {
  now: `retain_iso(clock_timestamp())`,
  until: `retain_iso(clock_timestamp() + make_interval(secs => CAST(@leaseMs AS double precision) / 1000))`,
};

export class PostgresJobRunRepository extends SqlJobRunRepository {
  constructor(db: PgDb) {
    super(db, SERVER_CLOCK);
  }
}
