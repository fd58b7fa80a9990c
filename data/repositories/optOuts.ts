/**
 * Customers who said "stop": nothing promotional is sent to them until they resubscribe. One open
 * row (revoked_at NULL) per customer and channel scope; resubscribing closes the open rows, so the
 * history of who opted out when is kept.
 */
import type { Db } from '../db';
import type { PortableDb, RunInTransaction } from '../portableDb';
import type { PublicApi } from '../publicApi';

export interface OptOut {
  customerId: number;
  channel: string | null;
  reason: string | null;
  optedOutAt: string;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type OptOutRepository = PublicApi<SqlOptOutRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, the channel cast where PostgreSQL
 * cannot infer its type), so the PostgreSQL store uses this class as it is.
 */
export class SqlOptOutRepository {
  private readonly openStmt;
  private readonly insertStmt;
  private readonly revokeStmt;

  constructor(
    db: PortableDb,
    private readonly inTransaction: RunInTransaction,
  ) {
    // A NULL channel means "every channel", so it matches whatever channel is asked about.
    this.openStmt = db.prepare(`
      SELECT customer_id AS "customerId", channel, reason, opted_out_at AS "optedOutAt"
        FROM opt_outs
       WHERE customer_id = @customerId AND revoked_at IS NULL
         AND (channel IS NULL OR CAST(@channel AS TEXT) IS NULL OR channel = CAST(@channel AS TEXT))
       ORDER BY id DESC LIMIT 1`);
    this.insertStmt = db.prepare(
      `INSERT INTO opt_outs (customer_id, channel, reason, opted_out_at) VALUES (?, ?, ?, ?)`,
    );
    this.revokeStmt = db.prepare(
      `UPDATE opt_outs SET revoked_at = ? WHERE customer_id = ? AND revoked_at IS NULL`,
    );
  }

  current(customerId: number, channel?: string | null): OptOut | undefined {
    return this.openStmt.get({ customerId, channel: channel ?? null }) as OptOut | undefined;
  }

  isOptedOut(customerId: number, channel?: string | null): boolean {
    return this.current(customerId, channel) !== undefined;
  }

  /** Idempotent: a customer already opted out everywhere is not written again. */
  optOut(customerId: number, reason: string, channel: string | null = null, at = new Date()): boolean {
    return this.inTransaction(() => {
      const open = this.current(customerId, channel);
      if (open && open.channel === null) return false;
      this.insertStmt.run(customerId, channel, reason, at.toISOString());
      return true;
    });
  }

  /** Returns whether there was an opt-out to revoke. */
  resubscribe(customerId: number, at = new Date()): boolean {
    return this.revokeStmt.run(at.toISOString(), customerId).changes > 0;
  }
}

export class SqliteOptOutRepository extends SqlOptOutRepository {
  constructor(db: Db) {
    super(db, (fn) => db.transaction(fn)());
  }
}
