import type { PgDb } from '../statement';
import { SqlOutboxRepository, type OutboxDialect } from '../../repositories/outbox';

/**
 * The outbox on PostgreSQL, shared by the senders of every instance. The claim locks the row it
 * picks with FOR UPDATE SKIP LOCKED: two senders claiming at the same moment take different rows
 * (neither waits for the other), and a row is claimed once. Every other statement is the SQLite
 * repository's (data/repositories/outbox.ts).
 */
const POSTGRES: OutboxDialect = { claimLock: 'FOR UPDATE SKIP LOCKED' };

export class PostgresOutboxRepository extends SqlOutboxRepository {
  constructor(db: PgDb) {
    super(db, POSTGRES);
  }
}
