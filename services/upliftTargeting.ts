/**
 * Targeting "the customers the offer is likely to change": among the customers a campaign's
 * filters match, the top share by the shop's uplift model (analytics/uplift/shopUplift.ts) whose
 * expected effect is positive. When the shop has no usable uplift model (no finished campaign
 * yet, groups too small, or no better than random on held-out customers), the campaign targets by
 * churn risk instead and says why. The preview and the win-back job choose members the same way.
 */
import type { Store } from '../data/store';
import type { Campaign, CandidateRow } from '../data/repositories/campaigns';
import { matchesAudience, parseAudience, type AudienceFilter } from '../analytics/campaigns/audience';
import { effectDifference, expectedEffect, type EffectEstimate } from '../analytics/uplift/calibration';
import { shopScorer, type CustomerUplift, type ShopScorer } from '../analytics/uplift/shopUplift';

/** Share of the matching customers an uplift-targeted campaign reaches unless told otherwise. */
export const DEFAULT_UPLIFT_SHARE = 0.3;
/** Churn-risk targeting used instead of uplift targeting (unless the marketer gave a threshold). */
export const FALLBACK_MIN_CHURN = 0.5;

export interface UpliftTargeting {
  method: 'uplift' | 'churn risk';
  /** Why: the model's held-out performance, or why uplift targeting could not be used. */
  reason: string;
  model?: { version: string; learner: string; validationQini: number };
}

export interface TargetedCandidate extends CandidateRow {
  /** The uplift model's score when the customer was chosen by it. */
  predictedUplift?: number;
}

export interface Targeted {
  /** The audience as it was applied (uplift targeting replaced by churn risk when it could not be used). */
  audience: AudienceFilter;
  members: TargetedCandidate[];
  /** Null for campaigns that did not ask for uplift targeting. */
  targeting: UpliftTargeting | null;
  /** Uplift targeting: every matching customer's prediction, best first, and the scorer. */
  ranked?: CustomerUplift[];
  scorer?: ShopScorer;
}

function withoutTargeting(a: AudienceFilter): AudienceFilter {
  const rest = { ...a };
  delete rest.targeting;
  delete rest.upliftShare;
  return rest;
}

/** Chooses a campaign's members among the scored candidates, by its audience. */
export function targetAudience(
  store: Store,
  audience: AudienceFilter,
  candidates: CandidateRow[],
  percentOff: number,
  now: Date,
): Targeted {
  if (audience.targeting !== 'uplift')
    return { audience, members: candidates.filter((c) => matchesAudience(c, audience)), targeting: null };
  const found = shopScorer(store, now);
  if ('reason' in found) {
    const fallback = withoutTargeting(audience);
    fallback.minChurnProbability ??= FALLBACK_MIN_CHURN;
    return {
      audience: fallback,
      members: candidates.filter((c) => matchesAudience(c, fallback)),
      targeting: { method: 'churn risk', reason: found.reason },
    };
  }
  const { scorer, model } = found;
  const matching = candidates.filter((c) => matchesAudience(c, audience));
  const ranked = scorer
    .score(
      matching.map((c) => c.customerId),
      percentOff,
    )
    .sort((a, b) => b.score - a.score || a.customerId - b.customerId);
  const share = audience.upliftShare ?? DEFAULT_UPLIFT_SHARE;
  const chosen = ranked.slice(0, Math.ceil(share * matching.length)).filter((u) => u.uplift > 0);
  const byId = new Map(matching.map((c) => [c.customerId, c]));
  return {
    audience: { ...audience, upliftShare: share },
    members: chosen.map((u) => ({ ...byId.get(u.customerId)!, predictedUplift: u.score })),
    targeting: {
      method: 'uplift',
      reason: model.reason,
      model: {
        version: model.version,
        learner: `${model.model!.learner}, ${model.model!.architecture}`,
        validationQini: model.model!.validation.qini,
      },
    },
    ranked,
    scorer,
  };
}

export interface TargetingComparison {
  /** Customers messaged (eligible members minus the control group, expected). */
  messaged: number;
  /** Expected extra purchases (customers who buy in the attribution window because of the offer). */
  uplift: EffectEstimate;
  /** The same number of eligible customers with the highest churn risk, for comparison. */
  churnRisk: EffectEstimate;
  difference: EffectEstimate;
}

/**
 * Expected extra purchases of the uplift-targeted eligible members against targeting as many
 * eligible customers by churn risk, both with the control share held out.
 */
export function compareWithChurnTargeting(
  targeted: Targeted,
  eligible: (c: CandidateRow) => boolean,
  matching: CandidateRow[],
  controlShare: number,
): TargetingComparison | null {
  const { ranked, scorer } = targeted;
  if (!ranked || !scorer) return null;
  const byId = new Map(ranked.map((u) => [u.customerId, u]));
  const chosen = targeted.members.filter(eligible);
  const byChurn = matching
    .filter((c) => eligible(c) && byId.has(c.customerId))
    .sort((a, b) => (b.churnProbability ?? 0) - (a.churnProbability ?? 0) || a.customerId - b.customerId)
    .slice(0, chosen.length);
  const percentiles = (rows: CandidateRow[]) => rows.map((c) => byId.get(c.customerId)!.percentile);
  const treated = 1 - controlShare;
  const scale = (e: EffectEstimate): EffectEstimate => ({
    estimate: e.estimate * treated,
    low: e.low * treated,
    high: e.high * treated,
  });
  const u = percentiles(chosen);
  const c = percentiles(byChurn);
  return {
    messaged: Math.round(chosen.length * treated),
    uplift: scale(expectedEffect(scorer.calibration, u)),
    churnRisk: scale(expectedEffect(scorer.calibration, c)),
    difference: scale(effectDifference(scorer.calibration, u, c)),
  };
}

/** A due campaign's members, and a note when uplift targeting had to give way to churn risk. */
export function campaignMembers(
  store: Store,
  campaign: Campaign,
  scored: CandidateRow[],
  now: Date,
): { members: TargetedCandidate[]; note: string | null } {
  const percentOff = typeof campaign.offer.percentOff === 'number' ? campaign.offer.percentOff : 0;
  const t = targetAudience(store, parseAudience(campaign.audience), scored, percentOff, now);
  const note =
    t.targeting?.method === 'churn risk'
      ? `campaign #${campaign.id} asked for the customers the offer is likely to change; it targeted churn risk instead: ${t.targeting.reason}`
      : null;
  return { members: t.members, note };
}
