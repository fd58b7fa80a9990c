import crypto from 'node:crypto';
import type { PgDb, PgStatement } from '../statement';
import type { ErasedAccount, ErasureRepository, ErasureResult } from '../../repositories/erasure';
import { addressHash } from '../../repositories/customerContacts';
import { SqlAuditLogRepository } from '../../repositories/auditLog';
import { SqlVerifyAttemptRepository } from '../../repositories/verifyAttempts';

interface IdentityRow {
  id: number;
  channelId: string;
  channelUserId: string;
  customerId: number | null;
}

/**
 * "Forget me" on PostgreSQL: the same rows erased in one transaction as on SQLite
 * (data/repositories/erasure.ts). PostgreSQL has no secure_delete: the old row versions stay in
 * the table files until VACUUM reclaims them, and in the server's WAL and its archives, which
 * retain does not control (docs/deployment.md says how to run an erasure-aware PostgreSQL).
 */
export class PostgresErasureRepository implements ErasureRepository {
  private readonly identityStmt;
  private readonly identitiesOfCustomerStmt;
  private readonly conversationsStmt;
  private readonly deleteIdentityStmt;
  private readonly perCustomer: Array<[string, PgStatement]>;
  private readonly customerStmt;
  private readonly erasedEmailStmt;
  private readonly forgetCustomerStmt;
  private readonly audit: SqlAuditLogRepository;
  private readonly attempts: SqlVerifyAttemptRepository;

  constructor(private readonly db: PgDb) {
    const identityColumns = `id, channel_id AS "channelId", channel_user_id AS "channelUserId", customer_id AS "customerId"`;
    this.identityStmt = db.prepare<IdentityRow>(
      `SELECT ${identityColumns} FROM chat_identities WHERE id = ?`,
    );
    this.identitiesOfCustomerStmt = db.prepare<IdentityRow>(
      `SELECT ${identityColumns} FROM chat_identities WHERE customer_id = ? ORDER BY id`,
    );
    this.conversationsStmt = db.prepare<{ conversationId: string }>(
      `SELECT conversation_id AS "conversationId" FROM conversation_references WHERE chat_identity_id = ? ORDER BY id`,
    );
    this.deleteIdentityStmt = db.prepare(`DELETE FROM chat_identities WHERE id = ?`);
    this.perCustomer = [
      ['feedback', db.prepare(`DELETE FROM feedback WHERE customer_id = ?`)],
      ['handoffs', db.prepare(`DELETE FROM handoffs WHERE customer_id = ?`)],
      ['messages', db.prepare(`DELETE FROM outbox WHERE customer_id = ?`)],
      ['campaignMemberships', db.prepare(`DELETE FROM campaign_members WHERE customer_id = ?`)],
      ['optOuts', db.prepare(`DELETE FROM opt_outs WHERE customer_id = ?`)],
      ['scores', db.prepare(`DELETE FROM customer_scores WHERE customer_id = ?`)],
      ['stageHistory', db.prepare(`DELETE FROM customer_stage_history WHERE customer_id = ?`)],
      ['verificationCodes', db.prepare(`DELETE FROM verify_codes WHERE customer_id = ?`)],
    ];
    this.customerStmt = db.prepare<{ externalId: string; email: string | null }>(
      `SELECT external_id AS "externalId", email FROM customers WHERE id = ?`,
    );
    this.erasedEmailStmt = db.prepare(
      `INSERT INTO erased_emails (address_hash, erased_at) VALUES (?, ?) ON CONFLICT (address_hash) DO NOTHING`,
    );
    this.forgetCustomerStmt = db.prepare(`
      UPDATE customers SET external_id = @tombstone, email = NULL, time_zone = NULL, consent_state = 'withdrawn',
             consent_updated_at = @now, forgotten_at = COALESCE(forgotten_at, @now)
       WHERE id = @id`);
    this.audit = new SqlAuditLogRepository(db);
    this.attempts = new SqlVerifyAttemptRepository(db, (fn) => db.transaction(fn));
  }

  forgetIdentity(chatIdentityId: number, at = new Date()): ErasureResult {
    const erased = this.db.transaction(() => {
      const me = this.identityStmt.get(chatIdentityId);
      const customerId = me?.customerId ?? null;
      const identities = new Map<number, IdentityRow>();
      if (me) identities.set(me.id, me);
      if (customerId !== null) {
        for (const row of this.identitiesOfCustomerStmt.all(customerId)) identities.set(row.id, row);
      }
      const counts: Record<string, number> = { chatAccounts: 0, conversations: 0 };
      const accounts: ErasedAccount[] = [];
      for (const identity of identities.values()) {
        const conversationIds = this.conversationsStmt.all(identity.id).map((r) => r.conversationId);
        accounts.push({
          channelId: identity.channelId,
          channelUserId: identity.channelUserId,
          conversationIds,
        });
        counts.conversations += conversationIds.length;
        counts.chatAccounts += this.deleteIdentityStmt.run(identity.id).changes;
      }
      let formerExternalId: string | null = null;
      if (customerId !== null) {
        const customer = this.customerStmt.get(customerId)!;
        formerExternalId = customer.externalId;
        for (const [name, stmt] of this.perCustomer) counts[name] = stmt.run(customerId).changes;
        counts.verificationAttempts = this.attempts.forgetCustomer(customerId, customer.email);
        // Only a hash stays: enough to keep a later import from bringing the address back.
        if (customer.email) this.erasedEmailStmt.run(addressHash(customer.email), at.toISOString());
        this.forgetCustomerStmt.run({ id: customerId, tombstone: tombstoneId(), now: at.toISOString() });
      }
      this.audit.write(
        'customer',
        'forget_me',
        customerId !== null ? `customer:${customerId}` : `chat_identity:${chatIdentityId}`,
        { counts },
        at,
      );
      return { customerId, formerExternalId, accounts, counts };
    });
    return { ...erased, walEmptied: this.emptyWal() };
  }

  /** Nothing to do: the server's write-ahead log is the server's (see the class comment). */
  emptyWal(): boolean {
    return true;
  }
}

function tombstoneId(): string {
  return `forgotten-${crypto.randomBytes(8).toString('hex')}`;
}
