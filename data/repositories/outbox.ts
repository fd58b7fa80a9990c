/**
 * The outbox of proactive messages, by chat or by email. Every message is written here before it is sent,
 * under a unique dedupe key (campaign, customer, period), and moves through
 *
 *   queued ──claim──▶ sending ──▶ sent | failed | dead | skipped(reason)
 *      ▲                 │
 *      └──── requeue / hold (retry later, quiet hours) ◀┘
 *
 * A queued row may carry a `skip_reason` while it is held (e.g. 'quiet_hours'): it says why it
 * waits, and is cleared when the row is sent. Times are ISO-8601 UTC text.
 */
import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
import type { PublicApi } from '../publicApi';

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped' | 'dead';
/** How a message reaches the customer: a saved chat conversation, or their email address. */
export type OutboxChannel = 'chat' | 'email';
export const OUTBOX_STATUSES: OutboxStatus[] = ['queued', 'sending', 'sent', 'failed', 'skipped', 'dead'];

export interface NewOutboxMessage {
  dedupeKey: string;
  campaignId: number | null;
  customerId: number;
  conversationReferenceId: number | null;
  /** Default 'chat'. An email goes to the customer's address as it is when it is sent. */
  channel?: OutboxChannel;
  kind: string;
  payload: Record<string, unknown>;
  /** Not before this instant (default: as soon as possible). */
  notBefore?: Date | null;
}

export interface OutboxMessage {
  id: number;
  dedupeKey: string;
  campaignId: number | null;
  customerId: number | null;
  conversationReferenceId: number | null;
  channel: OutboxChannel;
  kind: string;
  status: OutboxStatus;
  skipReason: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  activityId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

/** A claimed message with what the sender needs to decide and to send. */
export interface OutboxDelivery extends OutboxMessage {
  /** The stored Bot Framework conversation reference; null when it was deleted (forget me). */
  reference: Record<string, unknown> | null;
  channelId: string | null;
  tenantId: string | null;
  customerTimeZone: string | null;
  consentState: string | null;
  forgottenAt: string | null;
  /** Email: the customer's address, name and id in the shop's records, read at send time. */
  email: string | null;
  customerName: string | null;
  customerExternalId: string | null;
}

export interface OutboxRow {
  id: number;
  dedupe_key: string;
  campaign_id: number | null;
  customer_id: number | null;
  conversation_reference_id: number | null;
  channel: OutboxChannel;
  kind: string;
  status: OutboxStatus;
  skip_reason: string | null;
  payload_json: string;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  activity_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

export interface DeliveryRow extends OutboxRow {
  reference_json: string | null;
  ref_channel_id: string | null;
  ref_tenant_id: string | null;
  time_zone: string | null;
  consent_state: string | null;
  forgotten_at: string | null;
  email: string | null;
  customer_name: string | null;
  external_id: string | null;
}

export function toMessage(r: OutboxRow): OutboxMessage {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    campaignId: r.campaign_id,
    customerId: r.customer_id,
    conversationReferenceId: r.conversation_reference_id,
    channel: r.channel,
    kind: r.kind,
    status: r.status,
    skipReason: r.skip_reason,
    payload: JSON.parse(r.payload_json) as Record<string, unknown>,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    activityId: r.activity_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
  };
}

export function toDelivery(r: DeliveryRow): OutboxDelivery {
  return {
    ...toMessage(r),
    reference: r.reference_json ? (JSON.parse(r.reference_json) as Record<string, unknown>) : null,
    channelId: r.ref_channel_id,
    tenantId: r.ref_tenant_id,
    customerTimeZone: r.time_zone,
    consentState: r.consent_state,
    forgottenAt: r.forgotten_at,
    email: r.email,
    customerName: r.customer_name,
    customerExternalId: r.external_id,
  };
}

export interface ListOptions {
  status?: OutboxStatus;
  campaignId?: number;
  limit?: number;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type OutboxRepository = PublicApi<SqlOutboxRepository>;

/** The one thing the engines do differently in the outbox: how the claim takes its row. */
export interface OutboxDialect {
  /** Written after the claim's `SELECT id ... LIMIT 1` that picks the next due row. */
  claimLock: string;
}

/** SQLite has one writer at a time: the claim, one statement, is atomic without a lock clause. */
const SQLITE: OutboxDialect = { claimLock: '' };

/**
 * Written in SQL both engines speak (the list's optional filters cast, as PostgreSQL cannot infer
 * their type); only the claim's lock comes from an `OutboxDialect`
 * (data/postgres/repositories/outbox.ts has PostgreSQL's).
 */
export class SqlOutboxRepository {
  private readonly insertStmt;
  private readonly claimStmt;
  private readonly deliveryStmt;
  private readonly attemptStmt;
  private readonly sentStmt;
  private readonly skipStmt;
  private readonly holdStmt;
  private readonly requeueStmt;
  private readonly finalStmt;
  private readonly recoverStmt;
  private readonly skipPendingStmt;
  private readonly sentSinceStmt;
  private readonly recentOrPendingStmt;
  private readonly byIdStmt;
  private readonly byKeyStmt;
  private readonly listStmt;
  private readonly countsStmt;
  private readonly nextDueStmt;

  constructor(db: PortableDb, dialect: OutboxDialect) {
    this.insertStmt = db.prepare(`
      INSERT INTO outbox (dedupe_key, campaign_id, customer_id, conversation_reference_id, channel,
        kind, status, payload_json, next_attempt_at, created_at, updated_at)
      VALUES (@dedupeKey, @campaignId, @customerId, @conversationReferenceId, @channel, @kind, 'queued',
        @payload, @notBefore, @now, @now)
      ON CONFLICT (dedupe_key) DO NOTHING`);
    // One statement, so two senders can never claim the same row: on SQLite, whose writers take
    // turns, that is all it takes; PostgreSQL's dialect adds the row lock that makes it so there.
    this.claimStmt = db.prepare(`
      UPDATE outbox SET status = 'sending', updated_at = @now
       WHERE id = (SELECT id FROM outbox
                    WHERE status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
                    ORDER BY COALESCE(next_attempt_at, created_at), id LIMIT 1
                      ${dialect.claimLock})
         AND status = 'queued'
      RETURNING id`);
    this.deliveryStmt = db.prepare(`
      SELECT o.*, r.reference_json, r.channel_id AS ref_channel_id, r.tenant_id AS ref_tenant_id,
             c.time_zone, c.consent_state, c.forgotten_at, c.email, c.external_id, k.name AS customer_name
        FROM outbox o
        LEFT JOIN conversation_references r ON r.id = o.conversation_reference_id
        LEFT JOIN customers c ON c.id = o.customer_id
        LEFT JOIN customer_contacts k ON k.customer_id = o.customer_id
       WHERE o.id = ?`);
    this.attemptStmt = db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, updated_at = @now WHERE id = @id AND status = 'sending'`,
    );
    this.sentStmt = db.prepare(`
      UPDATE outbox SET status = 'sent', activity_id = @activityId, sent_at = @now, updated_at = @now,
        skip_reason = NULL, last_error = NULL, next_attempt_at = NULL
       WHERE id = @id AND status = 'sending'`);
    this.skipStmt = db.prepare(`
      UPDATE outbox SET status = 'skipped', skip_reason = @reason, updated_at = @now, next_attempt_at = NULL
       WHERE id = @id AND status IN ('queued', 'sending')`);
    this.holdStmt = db.prepare(`
      UPDATE outbox SET status = 'queued', skip_reason = @reason, next_attempt_at = @until, updated_at = @now
       WHERE id = @id AND status = 'sending'`);
    this.requeueStmt = db.prepare(`
      UPDATE outbox SET status = 'queued', next_attempt_at = @until, last_error = @error, updated_at = @now
       WHERE id = @id AND status = 'sending'`);
    this.finalStmt = db.prepare(`
      UPDATE outbox SET status = @status, last_error = @error, updated_at = @now, next_attempt_at = NULL
       WHERE id = @id AND status = 'sending'`);
    this.recoverStmt = db.prepare(`
      UPDATE outbox SET status = 'queued', last_error = 'interrupted while sending; resent with the same id',
        updated_at = @now
       WHERE status = 'sending' AND updated_at <= @staleBefore`);
    this.skipPendingStmt = db.prepare(`
      UPDATE outbox SET status = 'skipped', skip_reason = @reason, updated_at = @now, next_attempt_at = NULL
       WHERE customer_id = @customerId AND status = 'queued'`);
    this.sentSinceStmt = db.prepare(
      `SELECT COUNT(*) AS n FROM outbox WHERE customer_id = ? AND status = 'sent' AND sent_at >= ?`,
    );
    this.recentOrPendingStmt = db.prepare(`
      SELECT COUNT(*) AS n FROM outbox
       WHERE customer_id = ? AND (status IN ('queued', 'sending') OR (status = 'sent' AND sent_at >= ?))`);
    this.byIdStmt = db.prepare(`SELECT * FROM outbox WHERE id = ?`);
    this.byKeyStmt = db.prepare(`SELECT * FROM outbox WHERE dedupe_key = ?`);
    this.listStmt = db.prepare(`
      SELECT * FROM outbox
       WHERE (CAST(@status AS TEXT) IS NULL OR status = CAST(@status AS TEXT))
         AND (CAST(@campaignId AS BIGINT) IS NULL OR campaign_id = CAST(@campaignId AS BIGINT))
       ORDER BY id DESC LIMIT @limit`);
    this.countsStmt = db.prepare(`SELECT status, COUNT(*) AS n FROM outbox GROUP BY status`);
    this.nextDueStmt = db.prepare(
      `SELECT MIN(COALESCE(next_attempt_at, created_at)) AS at FROM outbox WHERE status = 'queued'`,
    );
  }

  /** Queues a message; false (and nothing written) when its dedupe key is already in the outbox. */
  enqueue(message: NewOutboxMessage, now: Date): boolean {
    const info = this.insertStmt.run({
      dedupeKey: message.dedupeKey,
      campaignId: message.campaignId,
      customerId: message.customerId,
      conversationReferenceId: message.conversationReferenceId,
      channel: message.channel ?? 'chat',
      kind: message.kind,
      payload: JSON.stringify(message.payload),
      notBefore: message.notBefore ? message.notBefore.toISOString() : null,
      now: now.toISOString(),
    });
    return info.changes === 1;
  }

  /** Atomically moves the next due message from queued to sending; undefined when none is due. */
  claimNext(now: Date): OutboxDelivery | undefined {
    const row = this.claimStmt.get({ now: now.toISOString() }) as { id: number } | undefined;
    return row ? this.delivery(row.id) : undefined;
  }

  delivery(id: number): OutboxDelivery | undefined {
    const r = this.deliveryStmt.get(id) as DeliveryRow | undefined;
    return r ? toDelivery(r) : undefined;
  }

  /** Counts one send attempt of a claimed message (written before the network call). */
  recordAttempt(id: number, now: Date): void {
    this.attemptStmt.run({ id, now: now.toISOString() });
  }

  markSent(id: number, activityId: string | null, now: Date): boolean {
    return this.sentStmt.run({ id, activityId, now: now.toISOString() }).changes === 1;
  }

  /** Final skip of a queued or claimed message, with the reason ('opted_out', 'no_reference', ...). */
  markSkipped(id: number, reason: string, now: Date): boolean {
    return this.skipStmt.run({ id, reason, now: now.toISOString() }).changes === 1;
  }

  /** Puts a claimed message back, to be sent at `until` (quiet hours): held, not dropped. */
  hold(id: number, reason: string, until: Date, now: Date): void {
    this.holdStmt.run({ id, reason, until: until.toISOString(), now: now.toISOString() });
  }

  /** Puts a claimed message back after a transient failure, to be retried at `until`. */
  requeue(id: number, until: Date, error: string, now: Date): void {
    this.requeueStmt.run({ id, until: until.toISOString(), error, now: now.toISOString() });
  }

  /** A permanent failure (the channel refused the message, e.g. 403 or 404). */
  markFailed(id: number, error: string, now: Date): void {
    this.finalStmt.run({ id, status: 'failed', error, now: now.toISOString() });
  }

  /** Gave up after the configured number of attempts. */
  markDead(id: number, error: string, now: Date): void {
    this.finalStmt.run({ id, status: 'dead', error, now: now.toISOString() });
  }

  /**
   * Messages left 'sending' by a sender that stopped (crash, kill -9) go back to the queue; the
   * sender resends them with the same idempotency id. Only rows whose claim is older than
   * `staleBefore` are touched, so a live sender's in-flight rows are left alone.
   */
  recoverSending(staleBefore: Date, now: Date): number {
    return this.recoverStmt.run({ staleBefore: staleBefore.toISOString(), now: now.toISOString() }).changes;
  }

  /** Opt-out / forget me: every message still queued for the customer is skipped at once. */
  skipPendingFor(customerId: number, reason: string, now: Date): number {
    return this.skipPendingStmt.run({ customerId, reason, now: now.toISOString() }).changes;
  }

  /** Messages sent to the customer since an instant (frequency cap). */
  sentSince(customerId: number, since: Date): number {
    return (this.sentSinceStmt.get(customerId, since.toISOString()) as { n: number }).n;
  }

  /** Messages sent since an instant or still waiting to be sent (a job's frequency window). */
  recentOrPending(customerId: number, since: Date): number {
    return (this.recentOrPendingStmt.get(customerId, since.toISOString()) as { n: number }).n;
  }

  get(id: number): OutboxMessage | undefined {
    const r = this.byIdStmt.get(id) as OutboxRow | undefined;
    return r ? toMessage(r) : undefined;
  }

  byDedupeKey(key: string): OutboxMessage | undefined {
    const r = this.byKeyStmt.get(key) as OutboxRow | undefined;
    return r ? toMessage(r) : undefined;
  }

  /** Newest first (`retain outbox --json`). */
  list(options: ListOptions = {}): OutboxMessage[] {
    return (
      this.listStmt.all({
        status: options.status ?? null,
        campaignId: options.campaignId ?? null,
        limit: options.limit ?? 100,
      }) as OutboxRow[]
    ).map(toMessage);
  }

  countsByStatus(): Record<OutboxStatus, number> {
    const out = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
    for (const r of this.countsStmt.all() as { status: OutboxStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  /** When the earliest queued message becomes due (null: nothing queued). */
  nextDueAt(): string | null {
    return (this.nextDueStmt.get() as { at: string | null }).at;
  }
}

export class SqliteOutboxRepository extends SqlOutboxRepository {
  constructor(db: Db) {
    super(db, SQLITE);
  }
}
