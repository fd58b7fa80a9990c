import type { PgDb, PgStatement } from '../statement';
import {
  keyedHash,
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
  private key: Buffer | undefined;

  constructor(db: PgDb) {
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
