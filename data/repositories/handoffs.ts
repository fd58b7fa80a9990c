/** Customers who asked for a person: an entry marketers (or the support team) can list and close. */
import type { Db } from '../db';
import type { PortableDb, RunInTransaction } from '../portableDb';
import type { PublicApi } from '../publicApi';

export interface Handoff {
  id: number;
  chatIdentityId: number | null;
  customerId: number | null;
  customer: string | null;
  displayName: string | null;
  channelId: string | null;
  reason: string | null;
  status: 'open' | 'closed';
  createdAt: string;
  closedAt: string | null;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type HandoffRepository = PublicApi<SqlHandoffRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, the status cast where PostgreSQL
 * cannot infer its type), so the PostgreSQL store uses this class as it is.
 */
export class SqlHandoffRepository {
  private readonly openForIdentityStmt;
  private readonly insertStmt;
  private readonly listStmt;
  private readonly closeStmt;
  private readonly openWithReasonStmt;

  constructor(
    db: PortableDb,
    private readonly inTransaction: RunInTransaction,
  ) {
    this.openForIdentityStmt = db.prepare(
      `SELECT id FROM handoffs WHERE chat_identity_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1`,
    );
    this.insertStmt = db.prepare(
      `INSERT INTO handoffs (chat_identity_id, customer_id, reason, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
    );
    this.listStmt = db.prepare(`
      SELECT h.id, h.chat_identity_id AS "chatIdentityId", h.customer_id AS "customerId", c.external_id AS customer,
             i.display_name AS "displayName", i.channel_id AS "channelId", h.reason, h.status,
             h.created_at AS "createdAt", h.closed_at AS "closedAt"
        FROM handoffs h
        LEFT JOIN customers c ON c.id = h.customer_id
        LEFT JOIN chat_identities i ON i.id = h.chat_identity_id
       WHERE (CAST(@status AS TEXT) IS NULL OR h.status = CAST(@status AS TEXT))
       ORDER BY h.created_at DESC, h.id DESC LIMIT @limit`);
    this.openWithReasonStmt = db.prepare(
      `SELECT id FROM handoffs WHERE chat_identity_id = ? AND reason = ? AND status = 'open' ORDER BY id LIMIT 1`,
    );
    this.closeStmt = db.prepare(
      `UPDATE handoffs SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'`,
    );
  }

  /**
   * Opens a request for a person, or returns the one the same person already has open (asking
   * twice should not put them in the queue twice). `created` says which.
   */
  open(
    chatIdentityId: number | null,
    customerId: number | null,
    reason: string,
    at = new Date(),
  ): { id: number; created: boolean } {
    return this.inTransaction(() => {
      if (chatIdentityId !== null) {
        const existing = this.openForIdentityStmt.get(chatIdentityId) as { id: number } | undefined;
        if (existing) return { id: existing.id, created: false };
      }
      const text = reason.slice(0, 500);
      const row = this.insertStmt.get(chatIdentityId, customerId, text, at.toISOString()) as { id: number };
      return { id: row.id, created: true };
    });
  }

  /**
   * Opens a request about one thing (a return of one order): a person may have several open, but
   * the same request twice is the same one.
   */
  openRequest(
    chatIdentityId: number | null,
    customerId: number | null,
    reason: string,
    at = new Date(),
  ): { id: number; created: boolean } {
    const text = reason.slice(0, 500);
    return this.inTransaction(() => {
      if (chatIdentityId !== null) {
        const existing = this.openWithReasonStmt.get(chatIdentityId, text) as { id: number } | undefined;
        if (existing) return { id: existing.id, created: false };
      }
      const row = this.insertStmt.get(chatIdentityId, customerId, text, at.toISOString()) as { id: number };
      return { id: row.id, created: true };
    });
  }

  list(status: 'open' | 'closed' | null = 'open', limit = 20): Handoff[] {
    return this.listStmt.all({ status, limit }) as Handoff[];
  }

  close(id: number, at = new Date()): boolean {
    return this.closeStmt.run(at.toISOString(), id).changes > 0;
  }
}

export class SqliteHandoffRepository extends SqlHandoffRepository {
  constructor(db: Db) {
    super(db, (fn) => db.transaction(fn)());
  }
}
