/**
 * "Forget me": erases what retain holds about a person, in one transaction, and leaves a
 * tombstone in the audit log that says what was erased but not who it was.
 *
 * Erased: every chat identity of the person (and, when linked, every other channel account linked
 * to the same customer) with their conversation references, feedback, hand-offs, queued and sent
 * messages, campaign membership, opt-out records, scores and stage history; the customer's email
 * and time zone. Kept: the shop's orders (accounting records), detached from any chat account; the
 * customer row stays as a marker (forgotten_at) so that no job ever contacts it again.
 * Conversation state lives in the bot's storage: the caller deletes it with the keys returned.
 */
import type { Db } from '../db';
import { SqliteAuditLogRepository, type AuditLogRepository } from './auditLog';
import type { PublicApi } from '../publicApi';

export interface ErasedAccount {
  channelId: string;
  channelUserId: string;
  conversationIds: string[];
}

export interface ErasureResult {
  customerId: number | null;
  accounts: ErasedAccount[];
  counts: Record<string, number>;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type ErasureRepository = PublicApi<SqliteErasureRepository>;

export class SqliteErasureRepository {
  private readonly identityStmt;
  private readonly identitiesOfCustomerStmt;
  private readonly conversationsStmt;
  private readonly deleteIdentityStmt;
  private readonly perCustomer: Array<[string, ReturnType<Db['prepare']>]>;
  private readonly forgetCustomerStmt;
  private readonly audit: AuditLogRepository;

  constructor(private readonly db: Db) {
    this.identityStmt = db.prepare(
      `SELECT id, channel_id AS channelId, channel_user_id AS channelUserId, customer_id AS customerId
         FROM chat_identities WHERE id = ?`,
    );
    this.identitiesOfCustomerStmt = db.prepare(
      `SELECT id, channel_id AS channelId, channel_user_id AS channelUserId, customer_id AS customerId
         FROM chat_identities WHERE customer_id = ?`,
    );
    this.conversationsStmt = db.prepare(
      `SELECT conversation_id AS conversationId FROM conversation_references WHERE chat_identity_id = ?`,
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
    ];
    this.forgetCustomerStmt = db.prepare(`
      UPDATE customers SET email = NULL, time_zone = NULL, consent_state = 'withdrawn',
             consent_updated_at = @now, forgotten_at = @now
       WHERE id = @id`);
    this.audit = new SqliteAuditLogRepository(db);
  }

  /** Erases the person behind a chat identity (and their customer record's personal data, if linked). */
  forgetIdentity(chatIdentityId: number, at = new Date()): ErasureResult {
    return this.db.transaction(() => {
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
      if (customerId !== null) {
        for (const [name, stmt] of this.perCustomer) counts[name] = stmt.run(customerId).changes;
        this.forgetCustomerStmt.run({ id: customerId, now: at.toISOString() });
      }
      // The tombstone: internal ids and counts only, never the person's name, ids or messages.
      this.audit.write(
        'customer',
        'forget_me',
        customerId !== null ? `customer:${customerId}` : `chat_identity:${chatIdentityId}`,
        { counts },
        at,
      );
      return { customerId, accounts, counts };
    })();
  }
}

interface IdentityRow {
  id: number;
  channelId: string;
  channelUserId: string;
  customerId: number | null;
}
