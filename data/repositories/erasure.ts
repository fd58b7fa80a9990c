/**
 * "Forget me": erases what retain holds about a person, in one transaction, and leaves a
 * tombstone in the audit log that says what was erased but not who it was.
 *
 * Erased: every chat identity of the person (and, when linked, every other channel account linked
 * to the same customer) with their conversation references, feedback (to the shop and about the
 * bot), hand-offs, queued and sent messages, campaign membership, opt-out records, scores, stage
 * history and verification attempts; the customer's email and time zone. The shop's customer id
 * is replaced by a random tombstone id, so the orders, which the shop keeps for its revenue
 * figures, no longer name anybody. The customer row stays as a marker (forgotten_at) so that no
 * job ever contacts it again.
 *
 * On SQLite, deleted rows are overwritten in the file (secure_delete, data/db.ts), and the
 * write-ahead log is emptied afterwards, so the erased values are not left readable in either file.
 * PostgreSQL has no secure_delete: the old row versions stay in the table files until VACUUM
 * reclaims them, and in the server's WAL and its archives, which retain does not control
 * (docs/deployment.md says how to run an erasure-aware PostgreSQL).
 * Conversation state lives in the bot's storage, and saved models in files: the caller deletes
 * the state with the accounts returned and cleans the models with the customer id returned.
 */
import crypto from 'node:crypto';
import { checkpointAndTruncateWal, type Db } from '../db';
import { addressHash } from './customerContacts';
import { SqliteAuditLogRepository, type AuditLogRepository } from './auditLog';
import { SqlVerifyAttemptRepository, type VerifyAttemptRepository } from './verifyAttempts';
import type { PortableDb, PortableStatement, RunInTransaction } from '../portableDb';
import type { PublicApi } from '../publicApi';

export interface ErasedAccount {
  channelId: string;
  channelUserId: string;
  conversationIds: string[];
}

export interface ErasureResult {
  customerId: number | null;
  /**
   * The shop's id the customer had (e.g. '12347'), for cleaning what is keyed by it outside the
   * database (saved models). Held in memory only: never log or store it.
   */
  formerExternalId: string | null;
  accounts: ErasedAccount[];
  counts: Record<string, number>;
  /** False when another connection kept the write-ahead log from being emptied at once. */
  walEmptied: boolean;
}

/** A random id that stands in for the shop's customer id once the person is forgotten. */
function tombstoneId(): string {
  return `forgotten-${crypto.randomBytes(8).toString('hex')}`;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type ErasureRepository = PublicApi<SqlErasureRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted), so the PostgreSQL store uses this
 * class as it is. The one step that differs, emptying the write-ahead log, comes in as
 * `emptyWriteAheadLog` (SQLite: checkpoint and truncate; PostgreSQL: nothing, see above); `audit`
 * must work on the same connection, so that the tombstone is written in the same transaction.
 */
export class SqlErasureRepository {
  private readonly identityStmt;
  private readonly identitiesOfCustomerStmt;
  private readonly conversationsStmt;
  private readonly deleteIdentityStmt;
  private readonly perCustomer: Array<[string, PortableStatement]>;
  private readonly customerStmt;
  private readonly erasedEmailStmt;
  private readonly forgetCustomerStmt;
  private readonly attempts: VerifyAttemptRepository;

  constructor(
    db: PortableDb,
    private readonly inTransaction: RunInTransaction,
    private readonly audit: AuditLogRepository,
    private readonly emptyWriteAheadLog: () => boolean,
  ) {
    const identityColumns = `id, channel_id AS "channelId", channel_user_id AS "channelUserId", customer_id AS "customerId"`;
    this.identityStmt = db.prepare(`SELECT ${identityColumns} FROM chat_identities WHERE id = ?`);
    this.identitiesOfCustomerStmt = db.prepare(
      `SELECT ${identityColumns} FROM chat_identities WHERE customer_id = ? ORDER BY id`,
    );
    this.conversationsStmt = db.prepare(
      `SELECT conversation_id AS "conversationId" FROM conversation_references WHERE chat_identity_id = ? ORDER BY id`,
    );
    // Cascades to conversation references, feedback and hand-offs of the identity.
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
    this.customerStmt = db.prepare(`SELECT external_id AS "externalId", email FROM customers WHERE id = ?`);
    this.erasedEmailStmt = db.prepare(
      `INSERT INTO erased_emails (address_hash, erased_at) VALUES (?, ?) ON CONFLICT (address_hash) DO NOTHING`,
    );
    this.forgetCustomerStmt = db.prepare(`
      UPDATE customers SET external_id = @tombstone, email = NULL, time_zone = NULL, consent_state = 'withdrawn',
             consent_updated_at = @now, forgotten_at = COALESCE(forgotten_at, @now)
       WHERE id = @id`);
    this.attempts = new SqlVerifyAttemptRepository(db, inTransaction);
  }

  /** Erases the person behind a chat identity (and their customer record's personal data, if linked). */
  forgetIdentity(chatIdentityId: number, at = new Date()): ErasureResult {
    const erased = this.inTransaction(() => {
      const me = this.identityStmt.get(chatIdentityId) as IdentityRow | undefined;
      const customerId = me?.customerId ?? null;
      const identities = new Map<number, IdentityRow>();
      if (me) identities.set(me.id, me);
      if (customerId !== null) {
        for (const row of this.identitiesOfCustomerStmt.all(customerId) as IdentityRow[])
          identities.set(row.id, row);
      }
      const counts: Record<string, number> = { chatAccounts: 0, conversations: 0 };
      const accounts: ErasedAccount[] = [];
      for (const identity of identities.values()) {
        const conversationIds = (this.conversationsStmt.all(identity.id) as { conversationId: string }[]).map(
          (r) => r.conversationId,
        );
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
        const customer = this.customerStmt.get(customerId) as { externalId: string; email: string | null };
        formerExternalId = customer.externalId;
        for (const [name, stmt] of this.perCustomer) counts[name] = stmt.run(customerId).changes;
        counts.verificationAttempts = this.attempts.forgetCustomer(customerId, customer.email);
        // Only a hash stays: enough to keep a later import from bringing the address back.
        if (customer.email) this.erasedEmailStmt.run(addressHash(customer.email), at.toISOString());
        this.forgetCustomerStmt.run({ id: customerId, tombstone: tombstoneId(), now: at.toISOString() });
      }
      // The tombstone: internal ids and counts only, never the person's name, ids or messages.
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

  /**
   * Copies the erasure into the database file and empties the write-ahead log, so that the old
   * versions of the changed pages are gone from both files. Run again after anything else the
   * erasure deletes later (the bot's conversation state). False: a reader kept the log busy.
   * On PostgreSQL there is nothing of retain's to empty (the server's log is the server's): true.
   */
  emptyWal(): boolean {
    return this.emptyWriteAheadLog();
  }
}

export class SqliteErasureRepository extends SqlErasureRepository {
  constructor(db: Db) {
    super(
      db,
      (fn) => db.transaction(fn)(),
      new SqliteAuditLogRepository(db),
      () => checkpointAndTruncateWal(db),
    );
  }
}

interface IdentityRow {
  id: number;
  channelId: string;
  channelUserId: string;
  customerId: number | null;
}
