/**
 * Campaigns, their members (treatment or control arm) and what happened after: the read side
 * the outcome report needs, and the candidate rows scheduled jobs choose audiences from.
 * Times are ISO-8601 UTC text.
 */
import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
import type { PublicApi } from '../publicApi';
import type { OutboxChannel } from './outbox';

export type CampaignKind = 'winback' | 'welcome' | 'manual';
export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'completed' | 'cancelled';
export type Arm = 'treatment' | 'control';

export interface NewCampaign {
  name: string;
  kind: CampaignKind;
  status?: CampaignStatus;
  audience: Record<string, unknown>;
  offer: Record<string, unknown>;
  controlShare: number;
  attributionDays?: number;
  scheduledAt?: Date | null;
  createdBy: string | null;
}

export interface Campaign {
  id: number;
  name: string;
  kind: CampaignKind;
  status: CampaignStatus;
  audience: Record<string, unknown>;
  offer: Record<string, unknown>;
  controlShare: number;
  attributionDays: number;
  scheduledAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CampaignRow {
  id: number;
  name: string;
  kind: CampaignKind;
  status: CampaignStatus;
  audience_json: string;
  offer_json: string;
  control_share: number;
  attribution_days: number;
  scheduled_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    audience: JSON.parse(r.audience_json) as Record<string, unknown>,
    offer: JSON.parse(r.offer_json) as Record<string, unknown>,
    controlShare: r.control_share,
    attributionDays: r.attribution_days,
    scheduledAt: r.scheduled_at,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Per arm and channel: members, and those who bought within the attribution window after their
 * anchor. A control member's channel is the one their message would have gone by.
 */
export interface ArmOutcomeRow {
  arm: Arm;
  channel: OutboxChannel;
  members: number;
  converted: number;
  orders: number;
  revenue: number;
}

export interface DeliveryCounts {
  queued: number;
  sending: number;
  sent: number;
  /** Sent and acknowledged by the channel with an activity id. */
  delivered: number;
  skipped: number;
  failed: number;
  dead: number;
  skipReasons: Record<string, number>;
}

/** One membership with its outcome, for learning and measuring uplift. */
export interface MembershipRow {
  campaignId: number;
  customerId: number;
  arm: Arm;
  assignedAt: string;
  /** Start of the attribution window (see `outcomes`) and its end. */
  anchor: string;
  until: string;
  /** 1: a purchase order in [anchor, until) (so far, while the window is open). */
  converted: 0 | 1;
  /** The campaign's offer (JSON text as stored). */
  offerJson: string;
  /** What the uplift model predicted when the member was chosen (null: not targeted by uplift). */
  predictedUplift: number | null;
}

/**
 * What a job needs to know about a customer to decide whether a message may go out. Score
 * fields are null when the customer has no stored score at the date asked for.
 */
export interface CandidateRow {
  customerId: number;
  externalId: string;
  country: string | null;
  timeZone: string | null;
  consentState: string;
  forgottenAt: string | null;
  segment: string | null;
  stage: string | null;
  churnProbability: number | null;
  clv: number | null;
  /** Scores of the run before (to see a threshold or stage being crossed). */
  previousStage: string | null;
  previousChurnProbability: number | null;
  /** The newest saved conversation reference of any chat account linked to the customer. */
  referenceId: number | null;
  referenceChannelId: string | null;
  /** When that conversation was last used. */
  referenceUpdatedAt: string | null;
  email: string | null;
  preferredChannel: 'chat' | 'email' | null;
  /** Welcome job: when the customer first bought. */
  firstPurchaseAt: string | null;
}

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

/**
 * Candidates from a table f of buyers (customer_id, first_at): their scores at @asOf and at
 * @previousAsOf, if any.
 */
const BUYER_CANDIDATES = `
  SELECT ${CANDIDATE_COLUMNS}, f.first_at AS "firstPurchaseAt"
    FROM f
    JOIN customers c ON c.id = f.customer_id
    LEFT JOIN customer_scores s ON s.customer_id = c.id AND s.as_of = CAST(@asOf AS TEXT)
    LEFT JOIN customer_scores p ON p.customer_id = c.id AND p.as_of = CAST(@previousAsOf AS TEXT)
    ${CANDIDATE_JOINS}`;

// Anchor of a member's attribution window (campaign_members mm): the first message sent to a
// treated member (or, if none went out, the assignment: intention to treat), the assignment for a
// control member.
const ANCHOR = `
  CASE WHEN mm.arm = 'treatment'
       THEN COALESCE((SELECT MIN(o.sent_at) FROM outbox o
                       WHERE o.campaign_id = mm.campaign_id AND o.customer_id = mm.customer_id
                         AND o.status = 'sent'), mm.assigned_at)
       ELSE mm.assigned_at END`;

/** What SQLite and PostgreSQL spell differently in the campaign statements. */
export interface CampaignDialect {
  /** The ISO-8601 UTC text `at` plus `days` whole days, as the same text. */
  addDays(at: string, days: string): string;
  /** A unit price as the outcome report sums it. */
  price(column: string): string;
}

const SQLITE: CampaignDialect = {
  addDays: (at, days) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${at}, '+' || ${days} || ' days')`,
  price: (column) => column,
};

/** What the rest of retain sees of the repository (any engine's implementation). */
export type CampaignRepository = PublicApi<SqlCampaignRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, parameters cast where PostgreSQL
 * cannot infer their type); the date arithmetic and the money sums come from a `CampaignDialect`
 * (data/postgres/repositories/campaigns.ts has PostgreSQL's).
 */
export class SqlCampaignRepository {
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

  constructor(db: PortableDb, d: CampaignDialect) {
    this.insertStmt = db.prepare(`
      INSERT INTO campaigns (name, kind, status, audience_json, offer_json, control_share, attribution_days,
        scheduled_at, created_by, created_at, updated_at)
      VALUES (@name, @kind, @status, @audience, @offer, @controlShare, @attributionDays, @scheduledAt,
        @createdBy, @now, @now)
      RETURNING *`);
    this.byIdStmt = db.prepare(`SELECT * FROM campaigns WHERE id = ?`);
    this.listStmt = db.prepare(`SELECT * FROM campaigns ORDER BY id DESC`);
    this.byKindNameStmt = db.prepare(
      `SELECT * FROM campaigns WHERE kind = ? AND name = ? ORDER BY id LIMIT 1`,
    );
    this.dueStmt = db.prepare(`
      SELECT * FROM campaigns
       WHERE kind = @kind AND status IN ('scheduled', 'running')
         AND (scheduled_at IS NULL OR scheduled_at <= @now)
       ORDER BY id`);
    this.statusStmt = db.prepare(`UPDATE campaigns SET status = @status, updated_at = @now WHERE id = @id`);
    this.assignStmt = db.prepare(`
      INSERT INTO campaign_members (campaign_id, customer_id, arm, assigned_at, predicted_uplift, channel)
      VALUES (?, ?, ?, ?, CAST(? AS DOUBLE PRECISION), CAST(? AS TEXT))
      ON CONFLICT DO NOTHING`);
    this.armStmt = db.prepare(`SELECT arm FROM campaign_members WHERE campaign_id = ? AND customer_id = ?`);
    this.memberCountStmt = db.prepare(
      `SELECT arm, COUNT(*) AS n FROM campaign_members WHERE campaign_id = ? GROUP BY arm`,
    );
    // Conversions are purchase orders in [anchor, anchor + days); revenue is their merchandise
    // value (postage, fees and manual adjustments left out, as in the analytics).
    this.outcomeStmt = db.prepare(`
      WITH m AS (
        SELECT mm.customer_id, mm.arm, COALESCE(mm.channel, 'chat') AS channel, ${ANCHOR} AS anchor
          FROM campaign_members mm WHERE mm.campaign_id = @campaignId
      ),
      w AS (
        SELECT customer_id, arm, channel, anchor, ${d.addDays('anchor', '@days')} AS until_at FROM m
      ),
      conv AS (
        SELECT w.customer_id, COUNT(DISTINCT o.id) AS orders,
               COALESCE(SUM(CASE WHEN p.kind IN ('postage', 'fee', 'manual') THEN 0
                                 ELSE l.quantity * ${d.price('l.unit_price')} END), 0) AS revenue
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
    // The same anchor and window as the outcome report, per member; every campaign, or one.
    this.membershipsStmt = db.prepare(`
      WITH m AS (
        SELECT mm.campaign_id, mm.customer_id, mm.arm, mm.assigned_at, mm.predicted_uplift,
               c.offer_json, c.attribution_days, ${ANCHOR} AS anchor
          FROM campaign_members mm JOIN campaigns c ON c.id = mm.campaign_id
         WHERE CAST(@campaignId AS BIGINT) IS NULL OR mm.campaign_id = CAST(@campaignId AS BIGINT)
      ),
      w AS (
        SELECT m.*, ${d.addDays('anchor', 'attribution_days')} AS until_at FROM m
      )
      SELECT w.campaign_id AS "campaignId", w.customer_id AS "customerId", w.arm AS arm,
             w.assigned_at AS "assignedAt", w.anchor AS anchor, w.until_at AS "until",
             EXISTS (SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id
                      WHERE o.customer_id = w.customer_id AND o.kind = 'purchase'
                        AND o.ordered_at >= w.anchor AND o.ordered_at < w.until_at) AS converted,
             w.offer_json AS "offerJson", w.predicted_uplift AS "predictedUplift"
        FROM w
       ORDER BY w.campaign_id, w.customer_id`);
    this.deliveryStmt = db.prepare(`
      SELECT channel, status, skip_reason AS "skipReason", (activity_id IS NOT NULL) AS acknowledged, COUNT(*) AS n
        FROM outbox WHERE campaign_id = ? GROUP BY channel, status, skip_reason, (activity_id IS NOT NULL)`);
    this.scoredCandidatesStmt = db.prepare(`
      SELECT ${CANDIDATE_COLUMNS}, CAST(NULL AS TEXT) AS "firstPurchaseAt"
        FROM customer_scores s
        JOIN customers c ON c.id = s.customer_id
        LEFT JOIN customer_scores p ON p.customer_id = s.customer_id AND p.as_of = CAST(@previousAsOf AS TEXT)
        ${CANDIDATE_JOINS}
       WHERE s.as_of = @asOf
       ORDER BY c.id`);
    this.latestAsOfStmt = db.prepare(`SELECT MAX(as_of) AS "asOf" FROM customer_scores WHERE as_of <= ?`);
    this.previousAsOfStmt = db.prepare(`SELECT MAX(as_of) AS "asOf" FROM customer_scores WHERE as_of < ?`);
    this.firstPurchaseStmt = db.prepare(`
      WITH f AS (
        SELECT customer_id, MIN(ordered_at) AS first_at FROM orders
         WHERE kind = 'purchase' AND customer_id IS NOT NULL GROUP BY customer_id
      )
      ${BUYER_CANDIDATES}
       WHERE f.first_at >= @from AND f.first_at < @before
       ORDER BY c.id`);
    this.oneTimeBuyersStmt = db.prepare(`
      WITH f AS (
        SELECT customer_id, MIN(ordered_at) AS first_at, COUNT(*) AS purchases FROM orders
         WHERE kind = 'purchase' AND customer_id IS NOT NULL AND ordered_at < @now
         GROUP BY customer_id
      )
      ${BUYER_CANDIDATES}
       WHERE f.purchases = 1 AND f.first_at >= @from AND f.first_at < @before
       ORDER BY c.id`);
    this.latestReferenceStmt = db.prepare(`
      SELECT r.id AS id, r.channel_id AS "channelId" FROM conversation_references r
        JOIN chat_identities i ON i.id = r.chat_identity_id
       WHERE i.customer_id = ? ORDER BY r.updated_at DESC, r.id DESC LIMIT 1`);
  }

  /** The newest saved conversation reference of the customer's linked chat accounts. */
  latestReference(customerId: number): { id: number; channelId: string } | undefined {
    return this.latestReferenceStmt.get(customerId) as { id: number; channelId: string } | undefined;
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
    }) as CampaignRow;
    return toCampaign(row);
  }

  get(id: number): Campaign | undefined {
    const r = this.byIdStmt.get(id) as CampaignRow | undefined;
    return r ? toCampaign(r) : undefined;
  }

  /** Newest first. */
  list(): Campaign[] {
    return (this.listStmt.all() as CampaignRow[]).map(toCampaign);
  }

  byKindAndName(kind: CampaignKind, name: string): Campaign | undefined {
    const r = this.byKindNameStmt.get(kind, name) as CampaignRow | undefined;
    return r ? toCampaign(r) : undefined;
  }

  /** Scheduled or running campaigns of a kind whose start has come. */
  due(kind: CampaignKind, now: Date): Campaign[] {
    return (this.dueStmt.all({ kind, now: now.toISOString() }) as CampaignRow[]).map(toCampaign);
  }

  setStatus(id: number, status: CampaignStatus, now: Date): boolean {
    return this.statusStmt.run({ id, status, now: now.toISOString() }).changes === 1;
  }

  /**
   * Records the customer's arm, the channel their message goes (or, in the control arm, would
   * have gone) by, and for campaigns targeted by uplift the uplift predicted for them; false when
   * they were already a member (their arm is kept).
   */
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

  /** Every membership (of one campaign, or of all) with its attribution window and outcome. */
  memberships(campaignId: number | null = null): MembershipRow[] {
    return this.membershipsStmt.all({ campaignId }) as MembershipRow[];
  }

  armOf(campaignId: number, customerId: number): Arm | undefined {
    return (this.armStmt.get(campaignId, customerId) as { arm: Arm } | undefined)?.arm;
  }

  memberCounts(campaignId: number): Record<Arm, number> {
    const out: Record<Arm, number> = { treatment: 0, control: 0 };
    for (const r of this.memberCountStmt.all(campaignId) as { arm: Arm; n: number }[]) out[r.arm] = r.n;
    return out;
  }

  /** Conversions and revenue per arm within `attributionDays` after each member's anchor. */
  outcomes(campaignId: number, attributionDays: number): ArmOutcomeRow[] {
    return this.outcomeStmt.all({ campaignId, days: attributionDays }) as ArmOutcomeRow[];
  }

  /** What became of the campaign's messages, over every channel. */
  deliveryCounts(campaignId: number): DeliveryCounts {
    return this.countDeliveries(campaignId, () => true);
  }

  /** The same, for the messages of one channel. */
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
    const rows = this.deliveryStmt.all(campaignId) as {
      channel: OutboxChannel;
      status: keyof Omit<DeliveryCounts, 'skipReasons' | 'delivered'>;
      skipReason: string | null;
      acknowledged: number;
      n: number;
    }[];
    for (const r of rows) {
      if (!include(r.channel)) continue;
      out[r.status] += r.n;
      if (r.status === 'sent' && r.acknowledged) out.delivered += r.n;
      if (r.status === 'skipped' && r.skipReason)
        out.skipReasons[r.skipReason] = (out.skipReasons[r.skipReason] ?? 0) + r.n;
    }
    return out;
  }

  /** The newest score date at or before `atOrBefore` (null: no scores yet). */
  latestScoreDate(atOrBefore: Date): string | null {
    return (this.latestAsOfStmt.get(atOrBefore.toISOString()) as { asOf: string | null }).asOf;
  }

  /** Every customer scored at `asOf`, with the previous run's scores and consent state. */
  scoredCandidates(asOf: string): CandidateRow[] {
    const previousAsOf = (this.previousAsOfStmt.get(asOf) as { asOf: string | null }).asOf;
    return this.scoredCandidatesStmt.all({ asOf, previousAsOf }) as CandidateRow[];
  }

  /** Customers whose first purchase falls in [from, before), with their scores at `asOf` if any. */
  firstPurchasers(from: Date, before: Date, asOf: string | null): CandidateRow[] {
    return this.firstPurchaseStmt.all(this.windowParams(from, before, asOf)) as CandidateRow[];
  }

  /**
   * Customers whose only purchase before `now` falls in [from, before): they have not come back
   * (yet). Orders after `now` are ignored, so a replayed day sees what that day saw.
   */
  oneTimeBuyers(from: Date, before: Date, now: Date, asOf: string | null): CandidateRow[] {
    return this.oneTimeBuyersStmt.all({
      ...this.windowParams(from, before, asOf),
      now: now.toISOString(),
    }) as CandidateRow[];
  }

  private windowParams(from: Date, before: Date, asOf: string | null) {
    const previousAsOf = asOf ? (this.previousAsOfStmt.get(asOf) as { asOf: string | null }).asOf : null;
    return { from: from.toISOString(), before: before.toISOString(), asOf, previousAsOf };
  }
}

export class SqliteCampaignRepository extends SqlCampaignRepository {
  constructor(db: Db) {
    super(db, SQLITE);
  }
}
