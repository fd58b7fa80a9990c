import type { PgDb } from '../statement';
import type {
  ChatIdentity,
  ChatIdentityRepository,
  SeenPerson,
  StoredConversationReference,
} from '../../repositories/chatIdentities';

const IDENTITY_COLUMNS = `id, channel_id AS "channelId", channel_user_id AS "channelUserId",
  aad_object_id AS "aadObjectId", display_name AS "displayName", role, customer_id AS "customerId",
  last_seen_at AS "lastSeenAt"`;

export class PostgresChatIdentityRepository implements ChatIdentityRepository {
  private readonly upsertStmt;
  private readonly byIdStmt;
  private readonly byAccountStmt;
  private readonly saveReferenceStmt;
  private readonly referencesStmt;
  private readonly linkStmt;

  constructor(private readonly db: PgDb) {
    this.upsertStmt = db.prepare<ChatIdentity>(`
      INSERT INTO chat_identities (channel_id, channel_user_id, aad_object_id, display_name, role, created_at, last_seen_at)
      VALUES (@channelId, @channelUserId, @aadObjectId, @displayName, @role, @now, @now)
      ON CONFLICT (channel_id, channel_user_id) DO UPDATE SET
        aad_object_id = COALESCE(excluded.aad_object_id, chat_identities.aad_object_id),
        display_name = COALESCE(excluded.display_name, chat_identities.display_name),
        role = excluded.role,
        last_seen_at = excluded.last_seen_at
      RETURNING ${IDENTITY_COLUMNS}`);
    this.byIdStmt = db.prepare<ChatIdentity>(`SELECT ${IDENTITY_COLUMNS} FROM chat_identities WHERE id = ?`);
    this.byAccountStmt = db.prepare<ChatIdentity>(
      `SELECT ${IDENTITY_COLUMNS} FROM chat_identities WHERE channel_id = ? AND channel_user_id = ?`,
    );
    this.saveReferenceStmt = db.prepare(`
      INSERT INTO conversation_references
        (chat_identity_id, channel_id, conversation_id, service_url, tenant_id, reference_json, updated_at)
      VALUES (@identityId, @channelId, @conversationId, @serviceUrl, @tenantId, @referenceJson, @now)
      ON CONFLICT (chat_identity_id, conversation_id) DO UPDATE SET
        service_url = excluded.service_url, tenant_id = excluded.tenant_id,
        reference_json = excluded.reference_json, updated_at = excluded.updated_at`);
    this.referencesStmt = db.prepare<
      Omit<StoredConversationReference, 'reference'> & { referenceJson: string }
    >(`
      SELECT chat_identity_id AS "identityId", channel_id AS "channelId", conversation_id AS "conversationId",
             service_url AS "serviceUrl", tenant_id AS "tenantId", reference_json AS "referenceJson",
             updated_at AS "updatedAt"
        FROM conversation_references WHERE chat_identity_id = ? ORDER BY updated_at DESC, id DESC`);
    this.linkStmt = db.prepare<ChatIdentity>(
      `UPDATE chat_identities SET customer_id = ?, verified_at = ? WHERE id = ? RETURNING ${IDENTITY_COLUMNS}`,
    );
  }

  linkCustomer(identityId: number, customerId: number, at = new Date()): ChatIdentity | undefined {
    return this.linkStmt.get(customerId, at.toISOString(), identityId);
  }

  seen(
    person: SeenPerson,
    conversation: { conversationId: string; serviceUrl: string; tenantId?: string | null; reference: object },
    at = new Date(),
  ): ChatIdentity {
    const now = at.toISOString();
    return this.db.transaction(() => {
      const identity = this.upsertStmt.get({
        channelId: person.channelId,
        channelUserId: person.channelUserId,
        aadObjectId: person.aadObjectId ?? null,
        displayName: person.displayName ?? null,
        role: person.role,
        now,
      })!;
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
    return this.byIdStmt.get(id);
  }

  byAccount(channelId: string, channelUserId: string): ChatIdentity | undefined {
    return this.byAccountStmt.get(channelId, channelUserId);
  }

  references(identityId: number): StoredConversationReference[] {
    return this.referencesStmt.all(identityId).map(({ referenceJson, ...rest }) => ({
      ...rest,
      reference: JSON.parse(referenceJson) as Record<string, unknown>,
    }));
  }
}
