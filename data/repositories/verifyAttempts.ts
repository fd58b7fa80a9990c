/**
 * Attempts to link a chat user to a customer record (order number + email), kept so that failures
 * can be limited per chat user, per customer record, per email address and per client address.
 *
 * The email address typed and the client's network address are stored only as keyed hashes
 * (HMAC-SHA-256 with a random key created with the database): equal values can be counted, the
 * values themselves cannot be read back, and a typed email may well be somebody else's.
 */
import crypto from 'node:crypto';
import type { Db } from '../db';
import type { PortableDb, PortableStatement, RunInTransaction } from '../portableDb';
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

/** A one-time code sent by email that may still be tried. */
export interface OpenCode {
  id: number;
  customerId: number;
  tries: number;
  expiresAt: string;
}

/** A code to send: for whom, to which record's address, and until when it works. */
export interface CodeToIssue {
  identityId: number;
  customerId: number;
  code: string;
  sentAt: Date;
  expiresAt: Date;
}

/** Failures of one key since a moment: how many, and when the latest was. */
export interface FailureCount {
  failures: number;
  lastFailureAt: string | null;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type VerifyAttemptRepository = PublicApi<SqlVerifyAttemptRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, parameters cast where PostgreSQL
 * cannot infer their type), so the PostgreSQL store uses this class as it is.
 */
export class SqlVerifyAttemptRepository {
  private readonly insertStmt;
  private readonly countStmts: Record<VerifyKeyKind, PortableStatement>;
  private readonly pruneStmt;
  private readonly forgetStmt;
  private readonly keyStmt;
  private readonly codes;
  private key: Buffer | undefined;

  constructor(
    db: PortableDb,
    private readonly inTransaction: RunInTransaction,
  ) {
    this.insertStmt = db.prepare(`
      INSERT INTO verify_attempts (at, outcome, chat_identity_id, customer_id, email_hash, address_hash)
      VALUES (@at, @outcome, @identityId, @customerId, @emailHash, @addressHash)`);
    const count = (column: string) =>
      db.prepare(`
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
       WHERE customer_id = @customerId OR (CAST(@emailHash AS TEXT) IS NOT NULL AND email_hash = CAST(@emailHash AS TEXT))`);
    this.keyStmt = db.prepare(`SELECT value FROM app_secrets WHERE name = 'verify_hash_key'`);
    this.codes = {
      closeOpen: db.prepare(
        `UPDATE verify_codes SET closed_at = @at WHERE chat_identity_id = @identityId AND closed_at IS NULL`,
      ),
      insert: db.prepare(`
        INSERT INTO verify_codes (chat_identity_id, customer_id, code_hash, sent_at, expires_at)
        VALUES (@identityId, @customerId, @codeHash, @sentAt, @expiresAt) RETURNING id`),
      open: db.prepare(`
        SELECT id, customer_id AS "customerId", tries, expires_at AS "expiresAt" FROM verify_codes
         WHERE chat_identity_id = ? AND closed_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1`),
      hash: db.prepare(`SELECT code_hash AS "codeHash" FROM verify_codes WHERE id = ?`),
      tried: db.prepare(`UPDATE verify_codes SET tries = tries + 1 WHERE id = ? RETURNING tries`),
      close: db.prepare(`UPDATE verify_codes SET closed_at = ? WHERE id = ? AND closed_at IS NULL`),
      sentSince: db.prepare(
        `SELECT COUNT(*) AS sent FROM verify_codes WHERE customer_id = ? AND sent_at >= ?`,
      ),
      prune: db.prepare(`DELETE FROM verify_codes WHERE sent_at < ?`),
    };
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
      out[kind] = this.countStmts[kind].get(value, since.toISOString()) as FailureCount;
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

  /** Records a code sent for a chat user (only its keyed hash); earlier codes of that chat user stop working. */
  issueCode(code: CodeToIssue): number {
    return this.inTransaction(() => {
      this.codes.closeOpen.run({ identityId: code.identityId, at: code.sentAt.toISOString() });
      const row = this.codes.insert.get({
        identityId: code.identityId,
        customerId: code.customerId,
        codeHash: this.hash('code', code.code)!,
        sentAt: code.sentAt.toISOString(),
        expiresAt: code.expiresAt.toISOString(),
      }) as { id: number };
      return row.id;
    });
  }

  /** The chat user's newest code that is neither closed nor expired at `now`. */
  openCode(identityId: number, now: Date): OpenCode | undefined {
    return this.codes.open.get(identityId, now.toISOString()) as OpenCode | undefined;
  }

  /** Whether `code` is the one sent (compared in constant time). */
  codeMatches(codeId: number, code: string): boolean {
    const row = this.codes.hash.get(codeId) as { codeHash: string } | undefined;
    return row !== undefined && sameHash(row.codeHash, this.hash('code', code.trim())!);
  }

  /** Counts a try of a code; returns the tries so far. */
  codeTried(codeId: number): number {
    return (this.codes.tried.get(codeId) as { tries: number } | undefined)?.tries ?? 0;
  }

  closeCode(codeId: number, at: Date): void {
    this.codes.close.run(at.toISOString(), codeId);
  }

  /** Codes sent to a customer record's address since a moment (to cap the mail one person gets). */
  codesSentSince(customerId: number, since: Date): number {
    return (this.codes.sentSince.get(customerId, since.toISOString()) as { sent: number }).sent;
  }

  pruneCodes(before: Date): number {
    return this.codes.prune.run(before.toISOString()).changes;
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

export class SqliteVerifyAttemptRepository extends SqlVerifyAttemptRepository {
  constructor(db: Db) {
    super(db, (fn) => db.transaction(fn)());
  }
}

/** Two hashes compared in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** HMAC-SHA-256 of a value of one kind ('email', 'address', 'code') under the database's key. */
export function keyedHash(key: Buffer, kind: string, value: string): string {
  return crypto.createHmac('sha256', key).update(`${kind}\u0000${value}`).digest('base64url');
}
