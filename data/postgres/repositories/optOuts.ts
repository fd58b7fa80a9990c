import type { PgDb } from '../statement';
import type { OptOut, OptOutRepository } from '../../repositories/optOuts';

export class PostgresOptOutRepository implements OptOutRepository {
  private readonly openStmt;
  private readonly insertStmt;
  private readonly revokeStmt;

  constructor(private readonly db: PgDb) {
    this.openStmt = db.prepare<OptOut>(`
      SELECT customer_id AS "customerId", channel, reason, opted_out_at AS "optedOutAt"
        FROM opt_outs
       WHERE customer_id = @customerId AND revoked_at IS NULL
         AND (channel IS NULL OR @channel::text IS NULL OR channel = @channel::text)
       ORDER BY id DESC LIMIT 1`);
    this.insertStmt = db.prepare(
      `INSERT INTO opt_outs (customer_id, channel, reason, opted_out_at) VALUES (?, ?, ?, ?)`,
    );
    this.revokeStmt = db.prepare(
      `UPDATE opt_outs SET revoked_at = ? WHERE customer_id = ? AND revoked_at IS NULL`,
    );
  }

  current(customerId: number, channel?: string | null): OptOut | undefined {
    return this.openStmt.get({ customerId, channel: channel ?? null });
  }

  isOptedOut(customerId: number, channel?: string | null): boolean {
    return this.current(customerId, channel) !== undefined;
  }

  optOut(customerId: number, reason: string, channel: string | null = null, at = new Date()): boolean {
    return this.db.transaction(() => {
      const open = this.current(customerId, channel);
      if (open && open.channel === null) return false;
      this.insertStmt.run(customerId, channel, reason, at.toISOString());
      return true;
    });
  }

  resubscribe(customerId: number, at = new Date()): boolean {
    return this.revokeStmt.run(at.toISOString(), customerId).changes > 0;
  }
}
