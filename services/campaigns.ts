/**
 * What the marketer dialogs and the CLI call for campaigns: preview an audience, create a
 * campaign (audited), and report outcomes with uplift against the control group.
 */
import type { Store } from '../data/store';
import {
  type ArmOutcomeRow,
  type CampaignRepository,
  type Campaign,
  type CampaignKind,
  type CampaignStatus,
  type CandidateRow,
  type DeliveryCounts,
} from '../data/repositories/campaigns';
import {
  audienceProblems,
  matchesAudience,
  parseAudience,
  type AudienceFilter,
} from '../analytics/campaigns/audience';
import { eligibilityCheck } from '../analytics/campaigns/eligibility';
import type { Channel, ChannelPolicy } from '../analytics/campaigns/channels';
import { DEFAULT_SUPPRESSION_RULES, type SuppressionRules } from '../analytics/campaigns/suppression';
import { estimateUplift, type UpliftEstimate } from '../analytics/campaigns/uplift';
import { qiniAtShares, qiniAucScore } from '../analytics/uplift/metrics';
import {
  compareWithChurnTargeting,
  targetAudience,
  type TargetingComparison,
  type UpliftTargeting,
} from './upliftTargeting';
import { defaultJobsConfig } from '../lib/jobsConfig';

export type { AudienceFilter } from '../analytics/campaigns/audience';
export type { TargetingComparison, UpliftTargeting } from './upliftTargeting';

export interface AudiencePreview {
  /**
   * The audience as it will be applied: for "customers the offer is likely to change" either
   * uplift targeting with its share, or churn-risk targeting when no usable uplift model exists.
   */
  audience: AudienceFilter;
  /** How the customers were chosen when uplift targeting was asked for (null otherwise). */
  targeting: UpliftTargeting | null;
  /** Uplift targeting: expected extra purchases against targeting as many by churn risk. */
  comparison: TargetingComparison | null;
  /** Customers whose latest scores match the filter (and, for uplift targeting, were chosen by it). */
  matching: number;
  /** Of those, how many may be messaged now (consent, a way to reach them, no opt-out, ...). */
  eligible: number;
  /** How the eligible ones would be reached. */
  channels: Record<Channel, number>;
  /** Why the others may not, by reason. */
  skipped: Record<string, number>;
  samples: Array<{
    customer: string;
    segment: string;
    stage: string;
    churnProbability: number;
    clv: number | null;
    /** Uplift targeting: the extra chance of a purchase the offer is expected to bring, and why. */
    uplift?: number;
    why?: string;
  }>;
  /** The score date the preview used (null: nothing scored yet; run `retain train`). */
  asOf: string | null;
}

export interface PreviewOptions {
  samples?: number;
  now?: Date;
  rules?: SuppressionRules;
  /** The offer (its percent off is what the uplift model predicts the effect of). */
  offer?: { percentOff?: number };
  /** Share held out as control (expected extra purchases count the messaged customers only). */
  controlShare?: number;
  /** Which channels may carry the message (chat, email), as the jobs are configured. */
  channels?: ChannelPolicy;
}

export function previewAudience(
  store: Store,
  audience: AudienceFilter,
  options: PreviewOptions = {},
): AudiencePreview {
  const now = options.now ?? new Date();
  const repo = store.campaigns;
  const asOf = repo.latestScoreDate(now);
  const skipped: Record<string, number> = {};
  const channels: Record<Channel, number> = { chat: 0, email: 0 };
  const none = { audience, targeting: null, comparison: null };
  if (!asOf) return { ...none, matching: 0, eligible: 0, channels, skipped, samples: [], asOf: null };
  const check = eligibilityCheck(
    store,
    options.rules ?? DEFAULT_SUPPRESSION_RULES,
    now,
    options.channels ?? defaultJobsConfig().channels,
  );
  const candidates = repo.scoredCandidates(asOf);
  const targeted = targetAudience(store, audience, candidates, options.offer?.percentOff ?? 0, now);
  const eligible = [];
  for (const c of targeted.members) {
    const decision = check(c);
    if ('skip' in decision) skipped[decision.skip] = (skipped[decision.skip] ?? 0) + 1;
    else {
      channels[decision.channel]++;
      eligible.push(c);
    }
  }
  const eligibleIds = new Map(eligible.map((c) => [c.customerId, true]));
  const isEligible = (c: CandidateRow) => {
    let ok = eligibleIds.get(c.customerId);
    if (ok === undefined) eligibleIds.set(c.customerId, (ok = !('skip' in check(c))));
    return ok;
  };
  const comparison = compareWithChurnTargeting(
    targeted,
    isEligible,
    candidates.filter((c) => matchesAudience(c, targeted.audience)),
    options.controlShare ?? 0,
  );
  // Samples: the eligible customers the offer is most likely to change (uplift targeting, already
  // in that order), else the ones most likely to churn (the ones a win-back is for).
  if (targeted.targeting?.method !== 'uplift')
    eligible.sort(
      (a, b) => (b.churnProbability ?? 0) - (a.churnProbability ?? 0) || a.customerId - b.customerId,
    );
  const upliftOf = new Map((targeted.ranked ?? []).map((u) => [u.customerId, u.uplift]));
  const percentOff = options.offer?.percentOff ?? 0;
  const samples = eligible.slice(0, options.samples ?? 5).map((c) => ({
    customer: c.externalId,
    segment: c.segment ?? '',
    stage: c.stage ?? '',
    churnProbability: c.churnProbability ?? 0,
    clv: c.clv,
    ...(targeted.scorer
      ? {
          uplift: upliftOf.get(c.customerId),
          why: targeted.scorer.drivers(c.customerId, percentOff).find((d) => d.effect > 0)?.text,
        }
      : {}),
  }));
  return {
    audience: targeted.audience,
    targeting: targeted.targeting,
    comparison,
    matching: targeted.members.length,
    eligible: eligible.length,
    channels,
    skipped,
    samples,
    asOf,
  };
}

export interface CampaignDraft {
  name: string;
  kind: CampaignKind;
  audience: AudienceFilter;
  offer: { percentOff?: number; text?: string };
  controlShare: number;
  scheduledAt?: Date;
  createdBy: string;
  /** Days after the message (or assignment, for control) in which an order counts (default 30). */
  attributionDays?: number;
}

export class CampaignValidationError extends Error {}

function draftProblems(d: CampaignDraft): string[] {
  const problems = audienceProblems(d.audience);
  if (!d.name.trim()) problems.push('the campaign needs a name');
  if (!(d.controlShare >= 0 && d.controlShare < 1))
    problems.push('the control share must be at least 0 and below 1');
  const p = d.offer.percentOff;
  if (p !== undefined && !(Number.isFinite(p) && p > 0 && p <= 100))
    problems.push('percent off must be between 0 and 100');
  const days = d.attributionDays;
  if (days !== undefined && !(Number.isInteger(days) && days > 0))
    problems.push('attribution days must be a positive whole number');
  return problems;
}

/** Creates a scheduled campaign (the win-back job sends it once its time has come) and audits it. */
export function createCampaign(store: Store, draft: CampaignDraft, now = new Date()): Campaign {
  const problems = draftProblems(draft);
  if (problems.length) throw new CampaignValidationError(problems.join('; '));
  const offer: Record<string, unknown> = {};
  if (draft.offer.percentOff !== undefined) offer.percentOff = draft.offer.percentOff;
  if (draft.offer.text !== undefined) offer.text = draft.offer.text;
  return store.transaction(() => {
    const campaign = store.campaigns.create(
      {
        name: draft.name.trim(),
        kind: draft.kind,
        status: 'scheduled',
        audience: { ...draft.audience },
        offer,
        controlShare: draft.controlShare,
        attributionDays: draft.attributionDays,
        scheduledAt: draft.scheduledAt ?? now,
        createdBy: draft.createdBy,
      },
      now,
    );
    store.audit.write(
      draft.createdBy,
      'campaign.create',
      `campaign:${campaign.id}`,
      {
        name: campaign.name,
        kind: campaign.kind,
        audience: campaign.audience,
        offer: campaign.offer,
        controlShare: campaign.controlShare,
        scheduledAt: campaign.scheduledAt,
      },
      now,
    );
    return campaign;
  });
}

export interface ArmOutcome {
  members: number;
  sent: number;
  delivered: number;
  converted: number;
  conversionRate: number | null;
  orders: number;
  revenue: number;
  revenuePerMember: number | null;
}

/** Treated and control members of one channel (a control member's: the one they would have had). */
export interface ChannelOutcome {
  treated: ArmOutcome;
  control: ArmOutcome;
  uplift: UpliftEstimate;
}

export interface CampaignOutcome {
  id: number;
  name: string;
  kind: CampaignKind;
  status: CampaignStatus;
  createdAt: string;
  createdBy: string | null;
  scheduledAt: string | null;
  audience: AudienceFilter;
  offer: Record<string, unknown>;
  controlShare: number;
  attributionDays: number;
  treated: ArmOutcome;
  control: ArmOutcome;
  delivery: DeliveryCounts;
  /** Conversion rate treated minus control, with a 95% Newcombe interval. */
  uplift: UpliftEstimate;
  /** (revenue per treated member - revenue per control member) x treated members. */
  incrementalRevenue: number | null;
  /**
   * Campaigns targeted by uplift: how well the uplift predicted at launch ranked the members the
   * offer changed (Qini coefficient and curve); provisional while attribution windows are open.
   */
  qini: CampaignQini | null;
  /** The same measures per channel, for the channels the campaign reached anyone by. */
  byChannel: Partial<Record<Channel, ChannelOutcome>>;
}

export interface CampaignQini {
  coefficient: number | null;
  members: number;
  provisional: boolean;
  /** The Qini curve at 0%, 5%, ..., 100% of the members by predicted uplift, and random targeting. */
  curve: Array<{ share: number; model: number; random: number }>;
}

const QINI_SHARES = Array.from({ length: 21 }, (_, i) => i / 20);

function campaignQini(repo: CampaignRepository, c: Campaign, now: Date): CampaignQini | null {
  if (parseAudience(c.audience).targeting !== 'uplift') return null;
  const rows = repo.memberships(c.id).filter((m) => m.predictedUplift !== null);
  if (!rows.length) return null;
  const e = { t: rows.map((m) => (m.arm === 'treatment' ? 1 : 0)), y: rows.map((m) => m.converted) };
  const score = rows.map((m) => m.predictedUplift as number);
  const coefficient = qiniAucScore(e, score);
  return {
    coefficient: Number.isFinite(coefficient) ? coefficient : null,
    members: rows.length,
    provisional: rows.some((m) => m.until > now.toISOString()),
    curve: qiniAtShares(e, score, QINI_SHARES),
  };
}

const CHANNELS: Channel[] = ['chat', 'email'];

function armOutcome(
  rows: ArmOutcomeRow[],
  name: 'treatment' | 'control',
  delivery: DeliveryCounts,
): ArmOutcome {
  const mine = rows.filter((x) => x.arm === name);
  const sum = (f: (r: ArmOutcomeRow) => number) => mine.reduce((a, r) => a + f(r), 0);
  const members = sum((r) => r.members);
  const converted = sum((r) => r.converted);
  const revenue = sum((r) => r.revenue);
  return {
    members,
    sent: name === 'treatment' ? delivery.sent : 0,
    delivered: name === 'treatment' ? delivery.delivered : 0,
    converted,
    conversionRate: members ? converted / members : null,
    orders: sum((r) => r.orders),
    revenue,
    revenuePerMember: members ? revenue / members : null,
  };
}

const upliftOf = (treated: ArmOutcome, control: ArmOutcome) =>
  estimateUplift(
    { successes: treated.converted, trials: treated.members },
    { successes: control.converted, trials: control.members },
  );

function outcomeOf(repo: CampaignRepository, c: Campaign, now: Date): CampaignOutcome {
  const rows = repo.outcomes(c.id, c.attributionDays);
  const delivery = repo.deliveryCounts(c.id);
  const treated = armOutcome(rows, 'treatment', delivery);
  const control = armOutcome(rows, 'control', delivery);
  const uplift = upliftOf(treated, control);
  const byChannel: CampaignOutcome['byChannel'] = {};
  for (const channel of CHANNELS) {
    const mine = rows.filter((r) => r.channel === channel);
    if (!mine.length) continue;
    const channelDelivery = repo.deliveryCountsFor(c.id, channel);
    const t = armOutcome(mine, 'treatment', channelDelivery);
    const k = armOutcome(mine, 'control', channelDelivery);
    byChannel[channel] = { treated: t, control: k, uplift: upliftOf(t, k) };
  }
  const incrementalRevenue =
    treated.revenuePerMember !== null && control.revenuePerMember !== null
      ? (treated.revenuePerMember - control.revenuePerMember) * treated.members
      : null;
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    status: c.status,
    createdAt: c.createdAt,
    createdBy: c.createdBy,
    scheduledAt: c.scheduledAt,
    audience: parseAudience(c.audience),
    offer: c.offer,
    controlShare: c.controlShare,
    attributionDays: c.attributionDays,
    treated,
    control,
    delivery,
    uplift,
    incrementalRevenue,
    qini: campaignQini(repo, c, now),
    byChannel,
  };
}

export function campaignReport(store: Store, id: number, now = new Date()): CampaignOutcome | undefined {
  const repo = store.campaigns;
  const c = repo.get(id);
  return c ? outcomeOf(repo, c, now) : undefined;
}

/** Every campaign, newest first. */
export function listCampaigns(store: Store, now = new Date()): CampaignOutcome[] {
  const repo = store.campaigns;
  return repo.list().map((c) => outcomeOf(repo, c, now));
}

/** The campaign engine bound to one database and clock: what the dialogs and the CLI call. */
export class CampaignService {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
    private readonly rules: SuppressionRules = DEFAULT_SUPPRESSION_RULES,
    private readonly channels: ChannelPolicy = defaultJobsConfig().channels,
  ) {}

  /** Who an audience reaches now; `terms` (the offer, the control share) matter to uplift targeting. */
  preview(
    audience: AudienceFilter,
    terms: { offer?: { percentOff?: number }; controlShare?: number } = {},
  ): AudiencePreview {
    return previewAudience(this.store, audience, {
      ...terms,
      now: this.now(),
      rules: this.rules,
      channels: this.channels,
    });
  }

  create(draft: CampaignDraft): Campaign {
    return createCampaign(this.store, draft, this.now());
  }

  report(id: number): CampaignOutcome | undefined {
    return campaignReport(this.store, id, this.now());
  }

  list(): CampaignOutcome[] {
    return listCampaigns(this.store, this.now());
  }
}
