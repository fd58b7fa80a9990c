import type { PgDb } from '../statement';
import { SqlCampaignRepository, type CampaignDialect } from '../../repositories/campaigns';

/**
 * The fragments PostgreSQL spells differently from SQLite; the statements themselves are the
 * SQLite repository's (data/repositories/campaigns.ts).
 */
const POSTGRES: CampaignDialect = {
  // The date arithmetic SQLite does with strftime (data/postgres/migrations/001-initial.ts).
  addDays: (at, days) => `retain_add_days(${at}, ${days}::integer)`,
  // Money is double precision; its sums are taken in numeric (exact decimal), as SQLite's
  // compensated summation of the same amounts comes out.
  price: (column) => `${column}::numeric`,
};

export class PostgresCampaignRepository extends SqlCampaignRepository {
  constructor(db: PgDb) {
    super(db, POSTGRES);
  }
}
