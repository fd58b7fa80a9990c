import type { PgDb } from '../statement';
import {
  OUTBOX_STATUSES,
  toDelivery,
  toMessage,
  type DeliveryRow,
  type ListOptions,
  type NewOutboxMessage,
  type OutboxDelivery,
  type OutboxMessage,
  type OutboxRepository,
  type OutboxRow,
  type OutboxStatus,
} from '../../repositories/outbox';

/**
 * The outbox on PostgreSQL, shared by the senders of every instance. The claim locks the row it
 * picks with FOR UPDATE SKIP LOCKED: two senders claiming at the same moment take different rows
 * (neither waits for the other), and a row is claimed once.
 */
export class PostgresOutboxRepository implements OutboxRepository {
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

  constructor(db: PgDb) {
    this.insertStmt = db.prepare(`
      INSERT INTO outbox (dedupe_key, campaign_id, customer_id, conversation_reference_id, channel,
        kind, status, payload_json, next_attempt_at, created_at, updated_at)
      VALUES (@dedupeKey, @campaignId, @customerId, @conversationReferenceId, @channel, @kind, 'queued',
        @payload, @notBefore, @now, @now)
      ON CONFLICT (dedupe_key) DO NOTHING`);
    this.claimStmt = db.prepare<{ id: number }>(`
      UPDATE outbox SET status = 'sending', updated_at = @now
       WHERE id = (SELECT id FROM outbox
                    WHERE status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
                    ORDER BY COALESCE(next_attempt_at, created_at), id LIMIT 1
                      FOR UPDATE SKIP LOCKED)
         AND status = 'queued'
      RETURNING id`);
    this.deliveryStmt = db.prepare<DeliveryRow>(`
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
    this.sentSinceStmt = db.prepare<{ n: number }>(
      `SELECT COUNT(*) AS n FROM outbox WHERE customer_id = ? AND status = 'sent' AND sent_at >= ?`,
    );
    this.recentOrPendingStmt = db.prepare<{ n: number }>(`
      SELECT COUNT(*) AS n FROM outbox
       WHERE customer_id = ? AND (status IN ('queued', 'sending') OR (status = 'sent' AND sent_at >= ?))`);
    this.byIdStmt = db.prepare<OutboxRow>(`SELECT * FROM outbox WHERE id = ?`);
    this.byKeyStmt = db.prepare<OutboxRow>(`SELECT * FROM outbox WHERE dedupe_key = ?`);
    this.listStmt = db.prepare<OutboxRow>(`
      SELECT * FROM outbox
       WHERE (@status::text IS NULL OR status = @status::text)
         AND (@campaignId::bigint IS NULL OR campaign_id = @campaignId::bigint)
       ORDER BY id DESC LIMIT @limit`);
    this.countsStmt = db.prepare<{ status: OutboxStatus; n: number }>(
      `SELECT status, COUNT(*) AS n FROM outbox GROUP BY status`,
    );
    this.nextDueStmt = db.prepare<{ at: string | null }>(
      `SELECT MIN(COALESCE(next_attempt_at, created_at)) AS at FROM outbox WHERE status = 'queued'`,
    );
  }

  enqueue(message: NewOutboxMessage, now: Date): boolean {
    return (
      this.insertStmt.run({
        dedupeKey: message.dedupeKey,
        campaignId: message.campaignId,
        customerId: message.customerId,
        conversationReferenceId: message.conversationReferenceId,
        channel: message.channel ?? 'chat',
        kind: message.kind,
        payload: JSON.stringify(message.payload),
        notBefore: message.notBefore ? message.notBefore.toISOString() : null,
        now: now.toISOString(),
      }).changes === 1
    );
  }

  claimNext(now: Date): OutboxDelivery | undefined {
    const row = this.claimStmt.get({ now: now.toISOString() });
    return row ? this.delivery(row.id) : undefined;
  }

  delivery(id: number): OutboxDelivery | undefined {
    const r = this.deliveryStmt.get(id);
    return r ? toDelivery(r) : undefined;
  }

  recordAttempt(id: number, now: Date): void {
    this.attemptStmt.run({ id, now: now.toISOString() });
  }

  markSent(id: number, activityId: string | null, now: Date): boolean {
    return this.sentStmt.run({ id, activityId, now: now.toISOString() }).changes === 1;
  }

  markSkipped(id: number, reason: string, now: Date): boolean {
    return this.skipStmt.run({ id, reason, now: now.toISOString() }).changes === 1;
  }

  hold(id: number, reason: string, until: Date, now: Date): void {
    this.holdStmt.run({ id, reason, until: until.toISOString(), now: now.toISOString() });
  }

  requeue(id: number, until: Date, error: string, now: Date): void {
    this.requeueStmt.run({ id, until: until.toISOString(), error, now: now.toISOString() });
  }

  markFailed(id: number, error: string, now: Date): void {
    this.finalStmt.run({ id, status: 'failed', error, now: now.toISOString() });
  }

  markDead(id: number, error: string, now: Date): void {
    this.finalStmt.run({ id, status: 'dead', error, now: now.toISOString() });
  }

  recoverSending(staleBefore: Date, now: Date): number {
    return this.recoverStmt.run({ staleBefore: staleBefore.toISOString(), now: now.toISOString() }).changes;
  }

  skipPendingFor(customerId: number, reason: string, now: Date): number {
    return this.skipPendingStmt.run({ customerId, reason, now: now.toISOString() }).changes;
  }

  sentSince(customerId: number, since: Date): number {
    return this.sentSinceStmt.get(customerId, since.toISOString())!.n;
  }

  recentOrPending(customerId: number, since: Date): number {
    return this.recentOrPendingStmt.get(customerId, since.toISOString())!.n;
  }

  get(id: number): OutboxMessage | undefined {
    const r = this.byIdStmt.get(id);
    return r ? toMessage(r) : undefined;
  }

  byDedupeKey(key: string): OutboxMessage | undefined {
    const r = this.byKeyStmt.get(key);
    return r ? toMessage(r) : undefined;
  }

  list(options: ListOptions = {}): OutboxMessage[] {
    return this.listStmt
      .all({
        status: options.status ?? null,
        campaignId: options.campaignId ?? null,
        limit: options.limit ?? 100,
      })
      .map(toMessage);
  }

  countsByStatus(): Record<OutboxStatus, number> {
    const out = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
    for (const r of this.countsStmt.all()) out[r.status] = r.n;
    return out;
  }

  nextDueAt(): string | null {
    return this.nextDueStmt.get()!.at;
  }
}
