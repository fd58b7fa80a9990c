/**
 * Deterministic control group: a customer's arm in a campaign depends only on (campaign id,
 * customer id) and the campaign's control share, so re-running a job, restarting the process or
 * recomputing a report always gives the same split, and no state is needed to reproduce it.
 *
 * The campaign id is hashed into the seed first, so arms in different campaigns are independent:
 * the same customers are not always the ones held out.
 */
import { hashInt } from '../../lib/random';
import type { Arm } from '../../data/repositories/campaigns';

const CAMPAIGN_SALT = 0x5eed_c0de;

/** A number in [0, 1) that is fixed for the pair and uniform over customers. */
export function controlDraw(campaignId: number, customerId: number): number {
  return hashInt(customerId, hashInt(campaignId, CAMPAIGN_SALT)) / 4294967296;
}

export function assignArm(campaignId: number, customerId: number, controlShare: number): Arm {
  return controlDraw(campaignId, customerId) < controlShare ? 'control' : 'treatment';
}
