/**
 * Attempts to link a chat user to a customer record (order number + email), kept so that failures
 * can be limited per chat user, per customer record, per email address and per client address.
 *
 * The email address typed and the client's network address are stored only as keyed hashes
 * (HMAC-SHA-256 with a random key created with the database): equal values can be counted, the
 * values themselves cannot be read back, and a typed email may well be somebody else's.
 */
import crypto from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db';
import type { PublicApi } from '../publicApi';

export type VerifyOutcome = 'failed' | 'succeeded';

/** Who tried, and which record, email and address the attempt concerned. */
export interface VerifyAttemptKeys {
  identityId: number | null;
  /** The customer who owns the order number given (null: no such order). */
  customerId: number | null;
  email: string | null;
  clientAddress: string | null;
}

export type VerifyKeyKind = 'identity' | 'customer' | 'email' | 'address';

/** Failures of one key since a moment: how many, and when the latest was. */
export interface FailureCount {
  failures: number;
  lastFailureAt: string | null;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type VerifyAttemptRepository = PublicApi<SqliteVerifyAttemptRepository>;

const COUNT = (column: string) => `SELECT COUNT(*) AS failures, MAX(at) AS lastFailureAt FROM verify_attempts
    WHERE ${column} = ? AND outcome = 'failed' AND at >= ?`;

export class SqliteVerifyAttemptRepository {
  private readonly insertStmt;
  private readonly countStmts: Record<VerifyKeyKind, Statement<[number | string, string], FailureCount>>;
  private readonly pruneStmt;
  private readonly forgetStmt;
  private readonly keyStmt;
  private key: Buffer | undefined;

  constructor(db: Db) {
    this.insertStmt = db.prepare(`
      INSERT INTO verify_attempts (at, outcome, chat_identity_id, customer_id, email_hash, address_hash)
      VALUES (@at, @outcome, @identityId, @customerId, @emailHash, @addressHash)`);
    const count = (column: string) => db.prepare<[number | string, string], FailureCount>(COUNT(column));
    this.countStmts = {
      identity: count('chat_identity_id'),
      customer: count('customer_id'),
      email: count('email_hash'),
      address: count('address_hash'),
    };
    this.pruneStmt = db.prepare(`DELETE FROM verify_attempts WHERE at < ?`);
    this.forgetStmt = db.prepare(
      `DELETE FROM verify_attempts WHERE customer_id = @customerId OR (@emailHash IS NOT NULL AND email_hash = @emailHash)`,
    );
    this.keyStmt = db.prepare(`SELECT value FROM app_secrets WHERE name = 'verify_hash_key'`);
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

  /** Failures since `since` for each key that is known (absent keys are left out). */
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

  /** Attempts older than the longest window are of no use any more; nor should they be kept. */
  prune(before: Date): number {
    return this.pruneStmt.run(before.toISOString()).changes;
  }

  /** Erasure: the attempts that concerned a customer record or its email address. */
  forgetCustomer(customerId: number, email: string | null): number {
    return this.forgetStmt.run({ customerId, emailHash: this.emailHash(email) }).changes;
  }

  private emailHash(email: string | null): string | null {
    return this.hash('email', email === null ? null : email.trim().toLowerCase());
  }

  private hash(kind: string, value: string | null): string | null {
    if (value === null || value === '') return null;
    this.key ??= (this.keyStmt.get() as { value: Buffer }).value;
    return keyedHash(this.key, kind, value);
  }
}

/** HMAC-SHA-256 of a value of one kind ('email', 'address') under the database's key. */
export function keyedHash(key: Buffer, kind: string, value: string): string {
  return crypto.createHmac('sha256', key).update(`${kind}\u0000${value}`).digest('base64url');
}
