import type { PgDb } from '../statement';
import type { AuditEntry, AuditLogRepository } from '../../repositories/auditLog';

export class PostgresAuditLogRepository implements AuditLogRepository {
  private readonly insert;
  private readonly recentStmt;
  private readonly countStmt;

  constructor(db: PgDb) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor, action, subject, details_json) VALUES (?, ?, ?, ?, ?)`,
    );
    this.recentStmt = db.prepare(`SELECT * FROM audit_log ORDER BY id DESC LIMIT ?`);
    this.countStmt = db.prepare<{ n: number }>(
      `SELECT COUNT(*) AS n FROM audit_log WHERE actor = ? AND action = ? AND at >= ?`,
    );
  }

  write(
    actor: string,
    action: string,
    subject: string | null,
    details: Record<string, unknown> = {},
    at = new Date(),
  ) {
    this.insert.run(at.toISOString(), actor, action, subject, JSON.stringify(details));
  }

  count(actor: string, action: string, since: Date): number {
    return this.countStmt.get(actor, action, since.toISOString())!.n;
  }

  recent(limit = 50): AuditEntry[] {
    return this.recentStmt.all(limit).map((r) => ({
      id: r.id as number,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      subject: r.subject as string | null,
      details: JSON.parse(r.details_json as string) as Record<string, unknown>,
    }));
  }
}
