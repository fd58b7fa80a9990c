/**
 * Who a campaign is for, from the stored scores: segment, lifecycle stage, a churn probability
 * threshold and country, and optionally uplift targeting among those. Pure: callers pass the rows
 * the repositories read.
 */

export type AudienceFilter = {
  segment?: string;
  stage?: string;
  minChurnProbability?: number;
  country?: string;
  /**
   * The automatic welcome and second-purchase campaigns: who they reach is chosen from order dates
   * by the welcome job, not by matchesAudience; kept so listings can say so.
   */
  firstPurchaseDelayDays?: number;
  secondPurchaseAfterDays?: number;
  /**
   * 'uplift': among the customers the filters above match, those the offer is most likely to
   * change (by the shop's uplift model), the top `upliftShare` (default 0.3) with a positive
   * expected effect. Not a filter: matchesAudience ignores it.
   */
  targeting?: 'uplift';
  upliftShare?: number;
};

export interface AudienceMember {
  segment: string | null;
  stage: string | null;
  churnProbability: number | null;
  country: string | null;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** True when the customer matches every filter given (an empty filter matches everyone scored). */
export function matchesAudience(c: AudienceMember, f: AudienceFilter): boolean {
  if (f.segment !== undefined && (c.segment === null || !same(c.segment, f.segment))) return false;
  if (f.stage !== undefined && (c.stage === null || !same(c.stage, f.stage))) return false;
  if (
    f.minChurnProbability !== undefined &&
    (c.churnProbability === null || c.churnProbability < f.minChurnProbability)
  )
    return false;
  if (f.country !== undefined && (c.country === null || !same(c.country, f.country))) return false;
  return true;
}

/** Reads a filter back from stored JSON, dropping anything that is not a filter. */
export function parseAudience(raw: Record<string, unknown>): AudienceFilter {
  const out: AudienceFilter = {};
  if (typeof raw.segment === 'string') out.segment = raw.segment;
  if (typeof raw.stage === 'string') out.stage = raw.stage;
  if (typeof raw.minChurnProbability === 'number') out.minChurnProbability = raw.minChurnProbability;
  if (typeof raw.country === 'string') out.country = raw.country;
  if (typeof raw.firstPurchaseDelayDays === 'number') out.firstPurchaseDelayDays = raw.firstPurchaseDelayDays;
  if (typeof raw.secondPurchaseAfterDays === 'number')
    out.secondPurchaseAfterDays = raw.secondPurchaseAfterDays;
  if (raw.targeting === 'uplift') out.targeting = 'uplift';
  if (typeof raw.upliftShare === 'number') out.upliftShare = raw.upliftShare;
  return out;
}

/** Checks a filter a marketer typed; returns the problems (empty: fine). */
export function audienceProblems(f: AudienceFilter): string[] {
  const problems: string[] = [];
  const p = f.minChurnProbability;
  if (p !== undefined && !(Number.isFinite(p) && p >= 0 && p <= 1))
    problems.push('minChurnProbability must be between 0 and 1');
  const share = f.upliftShare;
  if (share !== undefined && !(Number.isFinite(share) && share > 0 && share <= 1))
    problems.push('upliftShare must be above 0 and at most 1');
  for (const key of ['segment', 'stage', 'country'] as const) {
    const v = f[key];
    if (v !== undefined && v.trim() === '') problems.push(`${key} must not be empty`);
  }
  return problems;
}
