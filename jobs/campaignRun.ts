/**
 * The one path every campaign goes through (automatic win-back, welcome, marketers' campaigns):
 * for each candidate, skip with a reason, or assign an arm by hash; record control members and
 * queue a personalised message for treated ones under the key (campaign, customer, period).
 * Re-running for the same period queues nothing new: the outbox key and the membership are unique.
 */
import type { Store } from '../data/store';
import { type Campaign, type CandidateRow, type Arm } from '../data/repositories/campaigns';
import { assignArm } from '../analytics/campaigns/controlGroup';
import type { EligibilityCheck } from '../analytics/campaigns/eligibility';
import type { Channel } from '../analytics/campaigns/channels';
import { composeMessage, type Recommender, type MessagePayload, type RecommendedItem } from './personalise';

export interface CampaignRunItem {
  customer: string;
  /** What happened (or, in a dry run, would happen). */
  outcome: 'queued' | 'control' | 'already_done' | 'skipped';
  arm?: Arm;
  /** How the message goes (control: would have gone). */
  channel?: Channel;
  reason?: string;
  text?: string;
}

export interface CampaignRunSummary {
  campaignId: number;
  campaignName: string;
  kind: string;
  period: string;
  candidates: number;
  eligible: number;
  queued: number;
  /** Queued messages by channel. */
  channels: Record<Channel, number>;
  control: number;
  /** Already queued or assigned for this period by an earlier run. */
  alreadyDone: number;
  skipped: Record<string, number>;
  /** Per customer, up to the detail limit (all of them in a dry run up to that limit). */
  items: CampaignRunItem[];
  itemsTruncated: boolean;
}

export interface CampaignRunContext {
  store: Store;
  now: Date;
  dryRun: boolean;
  check: EligibilityCheck;
  recommender: Recommender;
  /** How many per-customer lines to return (default 200). */
  detailLimit?: number;
}

export function dedupeKey(campaignId: number, customerId: number, period: string): string {
  return `campaign:${campaignId}:customer:${customerId}:period:${period}`;
}

const CHUNK = 500;

/** A candidate; campaigns targeted by uplift also pass the score the customer was chosen by. */
export type CampaignCandidate = CandidateRow & { predictedUplift?: number };

/** A candidate who gets the message: their outbox key, arm and channel. */
interface Treated {
  c: CampaignCandidate;
  key: string;
  arm: Arm;
  channel: Channel;
}

export function runCampaign(
  ctx: CampaignRunContext,
  campaign: Campaign,
  candidates: CampaignCandidate[],
  period: string,
): CampaignRunSummary {
  const campaigns = ctx.store.campaigns;
  const outbox = ctx.store.outbox;
  const limit = ctx.detailLimit ?? 200;
  const s: CampaignRunSummary = {
    campaignId: campaign.id,
    campaignName: campaign.name,
    kind: campaign.kind,
    period,
    candidates: candidates.length,
    eligible: 0,
    queued: 0,
    channels: { chat: 0, email: 0 },
    control: 0,
    alreadyDone: 0,
    skipped: {},
    items: [],
    itemsTruncated: false,
  };
  const note = (item: CampaignRunItem) => {
    if (s.items.length < limit) s.items.push(item);
    else s.itemsTruncated = true;
  };

  /** Decides a candidate's fate; a treated one is returned, to be personalised with its chunk. */
  const decide = (c: CampaignCandidate): Treated | null => {
    const key = dedupeKey(campaign.id, c.customerId, period);
    const arm = assignArm(campaign.id, c.customerId, campaign.controlShare);
    // Done before (same period): nothing new, whichever arm. Checked first, so a re-run does not
    // report its own earlier message as a frequency-cap skip.
    if (outbox.byDedupeKey(key) || (arm === 'control' && campaigns.armOf(campaign.id, c.customerId))) {
      s.alreadyDone++;
      note({ customer: c.externalId, outcome: 'already_done', arm });
      return null;
    }
    const decision = ctx.check(c);
    if ('skip' in decision) {
      const reason = decision.skip;
      s.skipped[reason] = (s.skipped[reason] ?? 0) + 1;
      note({ customer: c.externalId, outcome: 'skipped', reason });
      return null;
    }
    const channel = decision.channel;
    s.eligible++;
    // Control members are drawn from eligible customers only, so both arms are comparable (per
    // channel too: the channel they would have been reached by is recorded).
    if (arm === 'control') {
      if (!ctx.dryRun)
        campaigns.assign(campaign.id, c.customerId, 'control', ctx.now, c.predictedUplift ?? null, channel);
      s.control++;
      note({ customer: c.externalId, outcome: 'control', arm, channel });
      return null;
    }
    return { c, key, arm, channel };
  };

  const queue = ({ c, key, channel }: Treated, picks: RecommendedItem[]) => {
    const payload: MessagePayload = composeMessage(campaign, picks, ctx.now);
    if (!ctx.dryRun) {
      campaigns.assign(campaign.id, c.customerId, 'treatment', ctx.now, c.predictedUplift ?? null, channel);
      outbox.enqueue(
        {
          dedupeKey: key,
          campaignId: campaign.id,
          customerId: c.customerId,
          conversationReferenceId: channel === 'chat' ? c.referenceId : null,
          channel,
          kind: campaign.kind,
          payload: { ...payload, customer: c.externalId },
        },
        ctx.now,
      );
    }
    s.queued++;
    s.channels[channel]++;
    return payload.text;
  };

  // Chunks of short transactions: fast, and the bot's own writes are never blocked for long.
  // Each chunk's treated customers are personalised together (one batch for the recommender).
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const chunk = candidates.slice(i, i + CHUNK);
    ctx.store.transaction(() => {
      const treated: (Treated & { item: CampaignRunItem })[] = [];
      for (const c of chunk) {
        const t = decide(c);
        if (!t) continue;
        // Noted now, so the per-customer lines keep the candidates' order; the text follows.
        const item: CampaignRunItem = {
          customer: c.externalId,
          outcome: 'queued',
          arm: t.arm,
          channel: t.channel,
        };
        note(item);
        treated.push({ ...t, item });
      }
      if (!treated.length) return;
      const picks = ctx.recommender(
        treated.map((t) => t.c.externalId),
        3,
      );
      treated.forEach((t, r) => (t.item.text = queue(t, picks[r] ?? [])));
    });
  }
  return s;
}
