/**
 * The people the bot has talked to, per channel account, with their role and (once verified)
 * the customer record they are; and the latest conversation reference of each, which is what a
 * proactive message needs.
 */
import type { Db } from '../db';
import type { PortableDb, RunInTransaction } from '../portableDb';
import type { PublicApi } from '../publicApi';

export type ChatRole = 'customer' | 'marketer';

export interface ChatIdentity {
  id: number;
  channelId: string;
  channelUserId: string;
  aadObjectId: string | null;
  displayName: string | null;
  role: ChatRole;
  customerId: number | null;
  lastSeenAt: string | null;
}

export interface SeenPerson {
  channelId: string;
  channelUserId: string;
  aadObjectId?: string | null;
  displayName?: string | null;
  role: ChatRole;
}

export interface StoredConversationReference {
  identityId: number;
  channelId: string;
  conversationId: string;
  serviceUrl: string;
  tenantId: string | null;
  /** The full reference as the bot SDK produced it (opaque here). */
  reference: Record<string, unknown>;
  updatedAt: string;
}

const IDENTITY_COLUMNS = `id, channel_id AS "channelId", channel_user_id AS "channelUserId",
  aad_object_id AS "aadObjectId", display_name AS "displayName", role, customer_id AS "customerId",
  last_seen_at AS "lastSeenAt"`;

/** What the rest of retain sees of the repository (any engine's implementation). */
export type ChatIdentityRepository = PublicApi<SqlChatIdentityRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted), so the PostgreSQL store uses this
 * class as it is.
 */
export class SqlChatIdentityRepository {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly byAccountStmt;
  private readonly saveReferenceStmt;
  private readonly referencesStmt;
  private readonly linkStmt;

  constructor(
    db: PortableDb,
    private readonly inTransaction: RunInTransaction,
  ) {
    // The role follows the marketer rules as they are now: a removed marketer becomes a customer.
    this.upsertStmt = db.prepare(`
      INSERT INTO chat_identities (channel_id, channel_user_id, aad_object_id, display_name, role, created_at, last_seen_at)
      VALUES (@channelId, @channelUserId, @aadObjectId, @displayName, @role, @now, @now)
      ON CONFLICT (channel_id, channel_user_id) DO UPDATE SET
        aad_object_id = COALESCE(excluded.aad_object_id, chat_identities.aad_object_id),
        display_name = COALESCE(excluded.display_name, chat_identities.display_name),
        role = excluded.role,
        last_seen_at = excluded.last_seen_at
      RETURNING ${IDENTITY_COLUMNS}`);
    this.byIdStmt = db.prepare(`SELECT ${IDENTITY_COLUMNS} FROM chat_identities WHERE id = ?`);
    this.byAccountStmt = db.prepare(
      `SELECT ${IDENTITY_COLUMNS} FROM chat_identities WHERE channel_id = ? AND channel_user_id = ?`,
    );
    this.saveReferenceStmt = db.prepare(`
      INSERT INTO conversation_references
        (chat_identity_id, channel_id, conversation_id, service_url, tenant_id, reference_json, updated_at)
      VALUES (@identityId, @channelId, @conversationId, @serviceUrl, @tenantId, @referenceJson, @now)
      ON CONFLICT (chat_identity_id, conversation_id) DO UPDATE SET
        service_url = excluded.service_url, tenant_id = excluded.tenant_id,
        reference_json = excluded.reference_json, updated_at = excluded.updated_at`);
    this.referencesStmt = db.prepare(`
      SELECT chat_identity_id AS "identityId", channel_id AS "channelId", conversation_id AS "conversationId",
             service_url AS "serviceUrl", tenant_id AS "tenantId", reference_json AS "referenceJson",
             updated_at AS "updatedAt"
        FROM conversation_references WHERE chat_identity_id = ? ORDER BY updated_at DESC, id DESC`);
    this.linkStmt = db.prepare(
      `UPDATE chat_identities SET customer_id = ?, verified_at = ? WHERE id = ? RETURNING ${IDENTITY_COLUMNS}`,
    );
  }

  /** Links a chat user to the customer record they proved to be (or configured for their account). */
  linkCustomer(identityId: number, customerId: number, at = new Date()): ChatIdentity | undefined {
    return this.linkStmt.get(customerId, at.toISOString(), identityId) as ChatIdentity | undefined;
  }

  /** Records that a person wrote, and where to reach them again; one transaction. */
  seen(
    person: SeenPerson,
    conversation: { conversationId: string; serviceUrl: string; tenantId?: string | null; reference: object },
    at = new Date(),
  ): ChatIdentity {
    const now = at.toISOString();
    return this.inTransaction(() => {
      const identity = this.upsertStmt.get({
        channelId: person.channelId,
        channelUserId: person.channelUserId,
        aadObjectId: person.aadObjectId ?? null,
        displayName: person.displayName ?? null,
        role: person.role,
        now,
      }) as ChatIdentity;
      this.saveReferenceStmt.run({
        identityId: identity.id,
        channelId: person.channelId,
        conversationId: conversation.conversationId,
        serviceUrl: conversation.serviceUrl,
        tenantId: conversation.tenantId ?? null,
        referenceJson: JSON.stringify(conversation.reference),
        now,
      });
      return identity;
    });
  }

  byId(id: number): ChatIdentity | undefined {
    return this.byIdStmt.get(id) as ChatIdentity | undefined;
  }

  byAccount(channelId: string, channelUserId: string): ChatIdentity | undefined {
    return this.byAccountStmt.get(channelId, channelUserId) as ChatIdentity | undefined;
  }

  /** Conversation references of one person, newest first. */
  references(identityId: number): StoredConversationReference[] {
    return (
      this.referencesStmt.all(identityId) as Array<
        Omit<StoredConversationReference, 'reference'> & { referenceJson: string }
      >
    ).map(({ referenceJson, ...rest }) => ({
      ...rest,
      reference: JSON.parse(referenceJson) as Record<string, unknown>,
    }));
  }
}

export class SqliteChatIdentityRepository extends SqlChatIdentityRepository {
  constructor(db: Db) {
    super(db, (fn) => db.transaction(fn)());
  }
}
