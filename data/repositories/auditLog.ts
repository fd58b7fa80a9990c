import type { Db } from '../db';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

/** Append-only record of who changed what (imports, campaign launches, erasures). */
export class AuditLogRepository {
  private readonly insert;
  private readonly recentStmt;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor, action, subject, details_json) VALUES (?, ?, ?, ?, ?)`,
    );
    this.recentStmt = db.prepare(`SELECT * FROM audit_log ORDER BY id DESC LIMIT ?`);
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

  recent(limit = 50): AuditEntry[] {
    return (
      this.recentStmt.all(limit) as Array<{
        id: number;
        at: string;
        actor: string;
        action: string;
        subject: string | null;
        details_json: string;
      }>
    ).map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      details: JSON.parse(r.details_json),
    }));
  }
}
