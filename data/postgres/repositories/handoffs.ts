import type { PgDb } from '../statement';
import type { Handoff, HandoffRepository } from '../../repositories/handoffs';

export class PostgresHandoffRepository implements HandoffRepository {
  private readonly openForIdentityStmt;
  private readonly insertStmt;
  private readonly listStmt;
  private readonly closeStmt;
  private readonly openWithReasonStmt;

  constructor(private readonly db: PgDb) {
    this.openForIdentityStmt = db.prepare<{ id: number }>(
      `SELECT id FROM handoffs WHERE chat_identity_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1`,
    );
    this.insertStmt = db.prepare<{ id: number }>(
      `INSERT INTO handoffs (chat_identity_id, customer_id, reason, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
    );
    this.listStmt = db.prepare<Handoff>(`
      SELECT h.id, h.chat_identity_id AS "chatIdentityId", h.customer_id AS "customerId", c.external_id AS customer,
             i.display_name AS "displayName", i.channel_id AS "channelId", h.reason, h.status,
             h.created_at AS "createdAt", h.closed_at AS "closedAt"
        FROM handoffs h
        LEFT JOIN customers c ON c.id = h.customer_id
        LEFT JOIN chat_identities i ON i.id = h.chat_identity_id
       WHERE (@status::text IS NULL OR h.status = @status::text)
       ORDER BY h.created_at DESC, h.id DESC LIMIT @limit`);
    this.openWithReasonStmt = db.prepare<{ id: number }>(
      `SELECT id FROM handoffs WHERE chat_identity_id = ? AND reason = ? AND status = 'open' ORDER BY id LIMIT 1`,
    );
    this.closeStmt = db.prepare(
      `UPDATE handoffs SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'`,
    );
  }

  open(
    chatIdentityId: number | null,
    customerId: number | null,
    reason: string,
    at = new Date(),
  ): { id: number; created: boolean } {
    return this.db.transaction(() => {
      if (chatIdentityId !== null) {
        const existing = this.openForIdentityStmt.get(chatIdentityId);
        if (existing) return { id: existing.id, created: false };
      }
      const id = this.insertStmt.get(chatIdentityId, customerId, reason.slice(0, 500), at.toISOString())!.id;
      return { id, created: true };
    });
  }

  openRequest(
    chatIdentityId: number | null,
    customerId: number | null,
    reason: string,
    at = new Date(),
  ): { id: number; created: boolean } {
    const text = reason.slice(0, 500);
    return this.db.transaction(() => {
      if (chatIdentityId !== null) {
        const existing = this.openWithReasonStmt.get(chatIdentityId, text);
        if (existing) return { id: existing.id, created: false };
      }
      const id = this.insertStmt.get(chatIdentityId, customerId, text, at.toISOString())!.id;
      return { id, created: true };
    });
  }

  list(status: 'open' | 'closed' | null = 'open', limit = 20): Handoff[] {
    return this.listStmt.all({ status, limit });
  }

  close(id: number, at = new Date()): boolean {
    return this.closeStmt.run(at.toISOString(), id).changes > 0;
  }
}
