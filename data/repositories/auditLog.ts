import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
import type { PublicApi } from '../publicApi';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type AuditLogRepository = PublicApi<SqlAuditLogRepository>;

/**
 * Append-only record of who changed what (imports, campaign launches, erasures). Written in SQL
 * both engines speak, so the PostgreSQL store uses this class as it is.
 */
export class SqlAuditLogRepository {
  private readonly insert;
  private readonly recentStmt;
  private readonly countStmt;

  constructor(db: PortableDb) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor, action, subject, details_json) VALUES (?, ?, ?, ?, ?)`,
    );
    this.recentStmt = db.prepare(`SELECT * FROM audit_log ORDER BY id DESC LIMIT ?`);
    this.countStmt = db.prepare(
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

  /** How often an actor did something since a moment (e.g. failed verifications today). */
  count(actor: string, action: string, since: Date): number {
    return (this.countStmt.get(actor, action, since.toISOString()) as { n: number }).n;
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
      details: JSON.parse(r.details_json) as Record<string, unknown>,
    }));
  }
}

export class SqliteAuditLogRepository extends SqlAuditLogRepository {
  constructor(db: Db) {
    super(db);
  }
}
