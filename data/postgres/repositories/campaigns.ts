import type { PgDb } from '../statement';
import {
  toCampaign,
  type Arm,
  type ArmOutcomeRow,
  type Campaign,
  type CampaignKind,
  type CampaignRepository,
  type CampaignRow,
  type CampaignStatus,
  type CandidateRow,
  type DeliveryCounts,
  type MembershipRow,
  type NewCampaign,
} from '../../repositories/campaigns';
import type { OutboxChannel } from '../../repositories/outbox';

const CANDIDATE_COLUMNS = `
  c.id AS "customerId", c.external_id AS "externalId", c.country AS country, c.time_zone AS "timeZone",
  c.consent_state AS "consentState", c.forgotten_at AS "forgottenAt",
  s.segment AS segment, s.stage AS stage, s.churn_probability AS "churnProbability", s.clv AS clv,
  p.stage AS "previousStage", p.churn_probability AS "previousChurnProbability",
  lr.id AS "referenceId", lr.channel_id AS "referenceChannelId", lr.updated_at AS "referenceUpdatedAt",
  c.email AS email, k.preferred_channel AS "preferredChannel"`;

/** Joined to customers c: the newest conversation reference (lr) and the contact details (k). */
const CANDIDATE_JOINS = `
  LEFT JOIN conversation_references lr ON lr.id = (
    SELECT r.id FROM conversation_references r JOIN chat_identities i ON i.id = r.chat_identity_id
     WHERE i.customer_id = c.id ORDER BY r.updated_at DESC, r.id DESC LIMIT 1)
  LEFT JOIN customer_contacts k ON k.customer_id = c.id`;

// Anchor of a member's attribution window, as in the SQLite repository: the first message sent to
// a treated member (else the assignment: intention to treat), the assignment for a control member.
const ANCHOR = `
  CASE WHEN mm.arm = 'treatment'
       THEN COALESCE((SELECT MIN(o.sent_at) FROM outbox o
                       WHERE o.campaign_id = mm.campaign_id AND o.customer_id = mm.customer_id
                         AND o.status = 'sent'), mm.assigned_at)
       ELSE mm.assigned_at END`;

export class PostgresCampaignRepository implements CampaignRepository {
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly listStmt;
  private readonly byKindNameStmt;
  private readonly dueStmt;
  private readonly statusStmt;
  private readonly assignStmt;
  private readonly armStmt;
  private readonly memberCountStmt;
  private readonly outcomeStmt;
  private readonly deliveryStmt;
  private readonly scoredCandidatesStmt;
  private readonly previousAsOfStmt;
  private readonly latestAsOfStmt;
  private readonly firstPurchaseStmt;
  private readonly oneTimeBuyersStmt;
  private readonly latestReferenceStmt;
  private readonly membershipsStmt;

  constructor(db: PgDb) {
    this.insertStmt = db.prepare<CampaignRow>(`
      INSERT INTO campaigns (name, kind, status, audience_json, offer_json, control_share, attribution_days,
        scheduled_at, created_by, created_at, updated_at)
      VALUES (@name, @kind, @status, @audience, @offer, @controlShare, @attributionDays, @scheduledAt,
        @createdBy, @now, @now)
      RETURNING *`);
    this.byIdStmt = db.prepare<CampaignRow>(`SELECT * FROM campaigns WHERE id = ?`);
    this.listStmt = db.prepare<CampaignRow>(`SELECT * FROM campaigns ORDER BY id DESC`);
    this.byKindNameStmt = db.prepare<CampaignRow>(
      `SELECT * FROM campaigns WHERE kind = ? AND name = ? ORDER BY id LIMIT 1`,
    );
    this.dueStmt = db.prepare<CampaignRow>(`
      SELECT * FROM campaigns
       WHERE kind = @kind AND status IN ('scheduled', 'running')
         AND (scheduled_at IS NULL OR scheduled_at <= @now)
       ORDER BY id`);
    this.statusStmt = db.prepare(`UPDATE campaigns SET status = @status, updated_at = @now WHERE id = @id`);
    this.assignStmt = db.prepare(`
      INSERT INTO campaign_members (campaign_id, customer_id, arm, assigned_at, predicted_uplift, channel)
      VALUES (?, ?, ?, ?, ?::double precision, ?::text)
      ON CONFLICT DO NOTHING`);
    this.armStmt = db.prepare<{ arm: Arm }>(
      `SELECT arm FROM campaign_members WHERE campaign_id = ? AND customer_id = ?`,
    );
    this.memberCountStmt = db.prepare<{ arm: Arm; n: number }>(
      `SELECT arm, COUNT(*) AS n FROM campaign_members WHERE campaign_id = ? GROUP BY arm`,
    );
    this.outcomeStmt = db.prepare<ArmOutcomeRow>(`
      WITH m AS (
        SELECT mm.customer_id, mm.arm, COALESCE(mm.channel, 'chat') AS channel, ${ANCHOR} AS anchor
          FROM campaign_members mm WHERE mm.campaign_id = @campaignId
      ),
      w AS (
        SELECT customer_id, arm, channel, anchor, retain_add_days(anchor, @days::integer) AS until_at FROM m
      ),
      conv AS (
        SELECT w.customer_id, COUNT(DISTINCT o.id) AS orders,
               COALESCE(SUM(CASE WHEN p.kind IN ('postage', 'fee', 'manual') THEN 0
                                 ELSE l.quantity * l.unit_price::numeric END), 0) AS revenue
          FROM w
          JOIN orders o ON o.customer_id = w.customer_id AND o.kind = 'purchase'
                       AND o.ordered_at >= w.anchor AND o.ordered_at < w.until_at
          JOIN order_lines l ON l.order_id = o.id
          JOIN products p ON p.id = l.product_id
         GROUP BY w.customer_id
      )
      SELECT w.arm AS arm, w.channel AS channel, COUNT(*) AS members, COUNT(conv.customer_id) AS converted,
             COALESCE(SUM(conv.orders), 0) AS orders, COALESCE(SUM(conv.revenue), 0) AS revenue
        FROM w LEFT JOIN conv ON conv.customer_id = w.customer_id
       GROUP BY w.arm, w.channel ORDER BY w.arm, w.channel`);
    this.membershipsStmt = db.prepare<MembershipRow>(`
      WITH m AS (
        SELECT mm.campaign_id, mm.customer_id, mm.arm, mm.assigned_at, mm.predicted_uplift,
               c.offer_json, c.attribution_days, ${ANCHOR} AS anchor
          FROM campaign_members mm JOIN campaigns c ON c.id = mm.campaign_id
         WHERE @campaignId::bigint IS NULL OR mm.campaign_id = @campaignId::bigint
      ),
      w AS (
        SELECT m.*, retain_add_days(anchor, attribution_days) AS until_at FROM m
      )
      SELECT w.campaign_id AS "campaignId", w.customer_id AS "customerId", w.arm AS arm,
             w.assigned_at AS "assignedAt", w.anchor AS anchor, w.until_at AS "until",
             EXISTS (SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id
                      WHERE o.customer_id = w.customer_id AND o.kind = 'purchase'
                        AND o.ordered_at >= w.anchor AND o.ordered_at < w.until_at) AS converted,
             w.offer_json AS "offerJson", w.predicted_uplift AS "predictedUplift"
        FROM w
       ORDER BY w.campaign_id, w.customer_id`);
    this.deliveryStmt = db.prepare<{
      channel: OutboxChannel;
      status: keyof Omit<DeliveryCounts, 'skipReasons' | 'delivered'>;
      skipReason: string | null;
      acknowledged: number;
      n: number;
    }>(`
      SELECT channel, status, skip_reason AS "skipReason", (activity_id IS NOT NULL) AS acknowledged, COUNT(*) AS n
        FROM outbox WHERE campaign_id = ? GROUP BY channel, status, skip_reason, (activity_id IS NOT NULL)`);
    this.scoredCandidatesStmt = db.prepare<CandidateRow>(`
      SELECT ${CANDIDATE_COLUMNS}, NULL::text AS "firstPurchaseAt"
        FROM customer_scores s
        JOIN customers c ON c.id = s.customer_id
        LEFT JOIN customer_scores p ON p.customer_id = s.customer_id AND p.as_of = @previousAsOf::text
        ${CANDIDATE_JOINS}
       WHERE s.as_of = @asOf
       ORDER BY c.id`);
    this.latestAsOfStmt = db.prepare<{ asOf: string | null }>(
      `SELECT MAX(as_of) AS "asOf" FROM customer_scores WHERE as_of <= ?`,
    );
    this.previousAsOfStmt = db.prepare<{ asOf: string | null }>(
      `SELECT MAX(as_of) AS "asOf" FROM customer_scores WHERE as_of < ?`,
    );
    this.firstPurchaseStmt = db.prepare<CandidateRow>(`
      WITH f AS (
        SELECT customer_id, MIN(ordered_at) AS first_at FROM orders
         WHERE kind = 'purchase' AND customer_id IS NOT NULL GROUP BY customer_id
      )
      SELECT ${CANDIDATE_COLUMNS}, f.first_at AS "firstPurchaseAt"
        FROM f
        JOIN customers c ON c.id = f.customer_id
        LEFT JOIN customer_scores s ON s.customer_id = c.id AND s.as_of = @asOf::text
        LEFT JOIN customer_scores p ON p.customer_id = c.id AND p.as_of = @previousAsOf::text
        ${CANDIDATE_JOINS}
       WHERE f.first_at >= @from AND f.first_at < @before
       ORDER BY c.id`);
    this.oneTimeBuyersStmt = db.prepare<CandidateRow>(`
      WITH f AS (
        SELECT customer_id, MIN(ordered_at) AS first_at, COUNT(*) AS purchases FROM orders
         WHERE kind = 'purchase' AND customer_id IS NOT NULL AND ordered_at < @now
         GROUP BY customer_id
      )
      SELECT ${CANDIDATE_COLUMNS}, f.first_at AS "firstPurchaseAt"
        FROM f
        JOIN customers c ON c.id = f.customer_id
        LEFT JOIN customer_scores s ON s.customer_id = c.id AND s.as_of = @asOf::text
        LEFT JOIN customer_scores p ON p.customer_id = c.id AND p.as_of = @previousAsOf::text
        ${CANDIDATE_JOINS}
       WHERE f.purchases = 1 AND f.first_at >= @from AND f.first_at < @before
       ORDER BY c.id`);
    this.latestReferenceStmt = db.prepare<{ id: number; channelId: string }>(`
      SELECT r.id AS id, r.channel_id AS "channelId" FROM conversation_references r
        JOIN chat_identities i ON i.id = r.chat_identity_id
       WHERE i.customer_id = ? ORDER BY r.updated_at DESC, r.id DESC LIMIT 1`);
  }

  latestReference(customerId: number): { id: number; channelId: string } | undefined {
    return this.latestReferenceStmt.get(customerId);
  }

  create(c: NewCampaign, now: Date): Campaign {
    const row = this.insertStmt.get({
      name: c.name,
      kind: c.kind,
      status: c.status ?? 'draft',
      audience: JSON.stringify(c.audience),
      offer: JSON.stringify(c.offer),
      controlShare: c.controlShare,
      attributionDays: c.attributionDays ?? 30,
      scheduledAt: c.scheduledAt ? c.scheduledAt.toISOString() : null,
      createdBy: c.createdBy,
      now: now.toISOString(),
    })!;
    return toCampaign(row);
  }

  get(id: number): Campaign | undefined {
    const r = this.byIdStmt.get(id);
    return r ? toCampaign(r) : undefined;
  }

  list(): Campaign[] {
    return this.listStmt.all().map(toCampaign);
  }

  byKindAndName(kind: CampaignKind, name: string): Campaign | undefined {
    const r = this.byKindNameStmt.get(kind, name);
    return r ? toCampaign(r) : undefined;
  }

  due(kind: CampaignKind, now: Date): Campaign[] {
    return this.dueStmt.all({ kind, now: now.toISOString() }).map(toCampaign);
  }

  setStatus(id: number, status: CampaignStatus, now: Date): boolean {
    return this.statusStmt.run({ id, status, now: now.toISOString() }).changes === 1;
  }

  assign(
    campaignId: number,
    customerId: number,
    arm: Arm,
    at: Date,
    predictedUplift: number | null = null,
    channel: OutboxChannel | null = null,
  ): boolean {
    return (
      this.assignStmt.run(campaignId, customerId, arm, at.toISOString(), predictedUplift, channel).changes ===
      1
    );
  }

  memberships(campaignId: number | null = null): MembershipRow[] {
    return this.membershipsStmt.all({ campaignId });
  }

  armOf(campaignId: number, customerId: number): Arm | undefined {
    return this.armStmt.get(campaignId, customerId)?.arm;
  }

  memberCounts(campaignId: number): Record<Arm, number> {
    const out: Record<Arm, number> = { treatment: 0, control: 0 };
    for (const r of this.memberCountStmt.all(campaignId)) out[r.arm] = r.n;
    return out;
  }

  outcomes(campaignId: number, attributionDays: number): ArmOutcomeRow[] {
    return this.outcomeStmt.all({ campaignId, days: attributionDays });
  }

  deliveryCounts(campaignId: number): DeliveryCounts {
    return this.countDeliveries(campaignId, () => true);
  }

  deliveryCountsFor(campaignId: number, channel: OutboxChannel): DeliveryCounts {
    return this.countDeliveries(campaignId, (c) => c === channel);
  }

  private countDeliveries(campaignId: number, include: (channel: OutboxChannel) => boolean): DeliveryCounts {
    const out: DeliveryCounts = {
      queued: 0,
      sending: 0,
      sent: 0,
      delivered: 0,
      skipped: 0,
      failed: 0,
      dead: 0,
      skipReasons: {},
    };
    for (const r of this.deliveryStmt.all(campaignId)) {
      if (!include(r.channel)) continue;
      out[r.status] += r.n;
      if (r.status === 'sent' && r.acknowledged) out.delivered += r.n;
      if (r.status === 'skipped' && r.skipReason)
        out.skipReasons[r.skipReason] = (out.skipReasons[r.skipReason] ?? 0) + r.n;
    }
    return out;
  }

  latestScoreDate(atOrBefore: Date): string | null {
    return this.latestAsOfStmt.get(atOrBefore.toISOString())!.asOf;
  }

  scoredCandidates(asOf: string): CandidateRow[] {
    const previousAsOf = this.previousAsOfStmt.get(asOf)!.asOf;
    return this.scoredCandidatesStmt.all({ asOf, previousAsOf });
  }

  firstPurchasers(from: Date, before: Date, asOf: string | null): CandidateRow[] {
    return this.firstPurchaseStmt.all(this.windowParams(from, before, asOf));
  }

  oneTimeBuyers(from: Date, before: Date, now: Date, asOf: string | null): CandidateRow[] {
    return this.oneTimeBuyersStmt.all({ ...this.windowParams(from, before, asOf), now: now.toISOString() });
  }

  private windowParams(from: Date, before: Date, asOf: string | null) {
    const previousAsOf = asOf ? this.previousAsOfStmt.get(asOf)!.asOf : null;
    return { from: from.toISOString(), before: before.toISOString(), asOf, previousAsOf };
  }
}
