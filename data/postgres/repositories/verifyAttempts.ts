import type { PgDb, PgStatement } from '../statement';
import {
  keyedHash,
  sameHash,
  type CodeToIssue,
  type OpenCode,
  type FailureCount,
  type VerifyAttemptKeys,
  type VerifyAttemptRepository,
  type VerifyKeyKind,
  type VerifyOutcome,
} from '../../repositories/verifyAttempts';

export class PostgresVerifyAttemptRepository implements VerifyAttemptRepository {
  private readonly insertStmt;
  private readonly countStmts: Record<VerifyKeyKind, PgStatement<FailureCount>>;
  private readonly pruneStmt;
  private readonly forgetStmt;
  private readonly keyStmt;
  private readonly codes;
  private key: Buffer | undefined;

  constructor(private readonly db: PgDb) {
    this.insertStmt = db.prepare(`
      INSERT INTO verify_attempts (at, outcome, chat_identity_id, customer_id, email_hash, address_hash)
      VALUES (@at, @outcome, @identityId, @customerId, @emailHash, @addressHash)`);
    const count = (column: string) =>
      db.prepare<FailureCount>(`
        SELECT COUNT(*) AS failures, MAX(at) AS "lastFailureAt" FROM verify_attempts
         WHERE ${column} = ? AND outcome = 'failed' AND at >= ?`);
    this.countStmts = {
      identity: count('chat_identity_id'),
      customer: count('customer_id'),
      email: count('email_hash'),
      address: count('address_hash'),
    };
    this.pruneStmt = db.prepare(`DELETE FROM verify_attempts WHERE at < ?`);
    this.forgetStmt = db.prepare(`
      DELETE FROM verify_attempts
       WHERE customer_id = @customerId OR (@emailHash::text IS NOT NULL AND email_hash = @emailHash::text)`);
    this.keyStmt = db.prepare<{ value: Buffer }>(
      `SELECT value FROM app_secrets WHERE name = 'verify_hash_key'`,
    );
    this.codes = {
      closeOpen: db.prepare(
        `UPDATE verify_codes SET closed_at = @at WHERE chat_identity_id = @identityId AND closed_at IS NULL`,
      ),
      insert: db.prepare<{ id: number }>(`
        INSERT INTO verify_codes (chat_identity_id, customer_id, code_hash, sent_at, expires_at)
        VALUES (@identityId, @customerId, @codeHash, @sentAt, @expiresAt) RETURNING id`),
      open: db.prepare<OpenCode>(`
        SELECT id, customer_id AS "customerId", tries, expires_at AS "expiresAt" FROM verify_codes
         WHERE chat_identity_id = ? AND closed_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1`),
      hash: db.prepare<{ codeHash: string }>(`SELECT code_hash AS "codeHash" FROM verify_codes WHERE id = ?`),
      tried: db.prepare<{ tries: number }>(
        `UPDATE verify_codes SET tries = tries + 1 WHERE id = ? RETURNING tries`,
      ),
      close: db.prepare(`UPDATE verify_codes SET closed_at = ? WHERE id = ? AND closed_at IS NULL`),
      sentSince: db.prepare<{ sent: number }>(
        `SELECT COUNT(*) AS sent FROM verify_codes WHERE customer_id = ? AND sent_at >= ?`,
      ),
      prune: db.prepare(`DELETE FROM verify_codes WHERE sent_at < ?`),
    };
  }

  issueCode(code: CodeToIssue): number {
    return this.db.transaction(() => {
      this.codes.closeOpen.run({ identityId: code.identityId, at: code.sentAt.toISOString() });
      return this.codes.insert.get({
        identityId: code.identityId,
        customerId: code.customerId,
        codeHash: this.hash('code', code.code)!,
        sentAt: code.sentAt.toISOString(),
        expiresAt: code.expiresAt.toISOString(),
      })!.id;
    });
  }

  openCode(identityId: number, now: Date): OpenCode | undefined {
    return this.codes.open.get(identityId, now.toISOString());
  }

  codeMatches(codeId: number, code: string): boolean {
    const row = this.codes.hash.get(codeId);
    return row !== undefined && sameHash(row.codeHash, this.hash('code', code.trim())!);
  }

  codeTried(codeId: number): number {
    return this.codes.tried.get(codeId)?.tries ?? 0;
  }

  closeCode(codeId: number, at: Date): void {
    this.codes.close.run(at.toISOString(), codeId);
  }

  codesSentSince(customerId: number, since: Date): number {
    return this.codes.sentSince.get(customerId, since.toISOString())!.sent;
  }

  pruneCodes(before: Date): number {
    return this.codes.prune.run(before.toISOString()).changes;
  }

  record(keys: VerifyAttemptKeys, outcome: VerifyOutcome, at = new Date()): void {
    this.insertStmt.run({
      at: at.toISOString(),
      outcome,
      identityId: keys.identityId,
      customerId: keys.customerId,
      emailHash: this.emailHash(keys.email),
      addressHash: this.hash('address', keys.clientAddress),
    });
  }

  failures(keys: VerifyAttemptKeys, since: Date): Partial<Record<VerifyKeyKind, FailureCount>> {
    const values: Record<VerifyKeyKind, string | number | null> = {
      identity: keys.identityId,
      customer: keys.customerId,
      email: this.emailHash(keys.email),
      address: this.hash('address', keys.clientAddress),
    };
    const out: Partial<Record<VerifyKeyKind, FailureCount>> = {};
    for (const kind of Object.keys(values) as VerifyKeyKind[]) {
      const value = values[kind];
      if (value === null) continue;
      out[kind] = this.countStmts[kind].get(value, since.toISOString());
    }
    return out;
  }

  prune(before: Date): number {
    return this.pruneStmt.run(before.toISOString()).changes;
  }

  forgetCustomer(customerId: number, email: string | null): number {
    return this.forgetStmt.run({ customerId, emailHash: this.emailHash(email) }).changes;
  }

  private emailHash(email: string | null): string | null {
    return this.hash('email', email === null ? null : email.trim().toLowerCase());
  }

  private hash(kind: string, value: string | null): string | null {
    if (value === null || value === '') return null;
    this.key ??= this.keyStmt.get()!.value;
    return keyedHash(this.key, kind, value);
  }
}
