import type { PgDb } from '../statement';
import {
  MarketerRuleError,
  normaliseRule,
  ruleKeys,
  unmatchableRule,
  type ChatPerson,
  type MarketerMatchKind,
  type MarketerRepository,
  type MarketerRule,
} from '../../repositories/marketers';

export class PostgresMarketerRepository implements MarketerRepository {
  private readonly addStmt;
  private readonly removeStmt;
  private readonly listStmt;
  private readonly matchStmt;
  private readonly emailRulesStmt;

  constructor(db: PgDb) {
    this.addStmt = db.prepare(`
      INSERT INTO marketers (match_kind, value, note, added_at, added_by) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (match_kind, value) DO NOTHING`);
    this.removeStmt = db.prepare(`DELETE FROM marketers WHERE match_kind = ? AND value = ?`);
    this.listStmt = db.prepare<MarketerRule>(`
      SELECT id, match_kind AS kind, value, note, added_at AS "addedAt", added_by AS "addedBy"
        FROM marketers ORDER BY match_kind, value`);
    this.matchStmt = db.prepare(`
      SELECT 1 FROM marketers
       WHERE (match_kind = 'channel_user' AND value = @channelUser::text)
          OR (match_kind = 'aad_object' AND value = @aadObject::text)
          OR (match_kind = 'email' AND value = @email::text)
          OR (match_kind = 'email_domain' AND value = @emailDomain::text)
       LIMIT 1`);
    this.emailRulesStmt = db.prepare(
      `SELECT 1 FROM marketers WHERE match_kind IN ('email', 'email_domain') LIMIT 1`,
    );
  }

  add(
    kind: MarketerMatchKind,
    value: string,
    note: string | null,
    addedBy: string | null,
    at = new Date(),
  ): boolean {
    const why = unmatchableRule(kind, value);
    if (why) throw new MarketerRuleError(`this rule could never match anybody: ${why}`);
    return this.addStmt.run(kind, normaliseRule(kind, value), note, at.toISOString(), addedBy).changes === 1;
  }

  remove(kind: MarketerMatchKind, value: string): boolean {
    return this.removeStmt.run(kind, normaliseRule(kind, value)).changes === 1;
  }

  list(): MarketerRule[] {
    return this.listStmt.all();
  }

  hasEmailRules(): boolean {
    return this.emailRulesStmt.get() !== undefined;
  }

  isMarketer(person: ChatPerson): boolean {
    return this.matchStmt.get(ruleKeys(person)) !== undefined;
  }
}
