/**
 * A shop with a finished, randomised campaign whose effect is known, built through the real
 * import and repositories: customers of three buying profiles (frequent recent buyers, lapsing
 * repeat buyers, one-off buyers of long ago), each drawn as one of the four uplift types with
 * profile-dependent odds, so the buying history reveals the type only partly. The campaign holds
 * half of its members out (the real deterministic split); orders in its attribution window follow
 * each member's type and arm (analytics/uplift/simulate.ts rates).
 *
 * Lapsing buyers are mostly persuadable; one-off buyers mostly lost causes with the highest churn
 * risk; frequent buyers mostly sure things (and some do-not-disturbs). So churn-risk targeting
 * spends offers on lost causes and uplift targeting should find the lapsing persuadables.
 */
import type { Store } from '../../data/store';
import { assignArm } from '../../analytics/campaigns/controlGroup';
import { OUTCOME_RATES, CUSTOMER_TYPES, type CustomerType } from '../../analytics/uplift/simulate';
import { seededRandom } from '../../lib/random';
import { defaultAsOfFor } from '../../analytics/training';
import { connect, customerId, importOrderSpecs, openShop, storeScores, type OrderSpec } from '../jobs/shop';

const DAY = 86_400_000;
export const CAMPAIGN_START = new Date('2026-03-02T09:00:00.000Z');

type Profile = 'frequent' | 'lapsing' | 'one-off';
const PROFILE_TYPES: Record<Profile, number[]> = {
  // persuadable, sure thing, lost cause, do-not-disturb
  frequent: [0.15, 0.55, 0.05, 0.25],
  lapsing: [0.6, 0.1, 0.2, 0.1],
  'one-off': [0.2, 0.05, 0.7, 0.05],
};
/** Churn risk as the analytics would score each profile (one-off buyers look the most at risk). */
const PROFILE_CHURN: Record<Profile, [number, number]> = {
  frequent: [0.1, 0.3],
  lapsing: [0.4, 0.7],
  'one-off': [0.7, 0.95],
};

export interface SimCustomer {
  id: string;
  profile: Profile;
  type: CustomerType;
  churn: number;
}

const at = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

/** Buying history before `before` for a profile. */
function historyOf(c: SimCustomer, before: number, random: () => number): OrderSpec[] {
  const orders: OrderSpec[] = [];
  const add = (t: number) =>
    orders.push({
      order: `${c.id}-${orders.length}`,
      customer: c.id,
      at: at(t),
      price: 5 + Math.round(random() * 20),
    });
  if (c.profile === 'frequent') {
    const n = 6 + Math.floor(random() * 5);
    for (let k = 0; k < n; k++) add(before - (3 + k * (8 + random() * 10)) * DAY);
  } else if (c.profile === 'lapsing') {
    const n = 2 + Math.floor(random() * 3);
    const last = 45 + random() * 50;
    for (let k = 0; k < n; k++) add(before - (last + k * (20 + random() * 20)) * DAY);
  } else {
    add(before - (120 + random() * 90) * DAY);
  }
  return orders;
}

export interface CampaignShop {
  store: Store;
  customers: SimCustomer[];
  campaignId: number;
}

/**
 * Opens the shop with `customers` customers and a completed campaign (percent off `percentOff`,
 * 30-day window from CAMPAIGN_START, half held out), outcomes included. Scores (churn risk) are
 * stored as of the day after the window.
 */
export async function openCampaignShop(
  dir: string,
  name: string,
  options: { customers: number; seed?: number; controlShare?: number; serviceUrl?: string },
): Promise<CampaignShop> {
  const random = seededRandom(options.seed ?? 11);
  const start = CAMPAIGN_START.getTime();
  const customers: SimCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const u = random();
    const profile: Profile = u < 0.35 ? 'frequent' : u < 0.7 ? 'lapsing' : 'one-off';
    const weights = PROFILE_TYPES[profile];
    let v = random();
    let type: CustomerType = CUSTOMER_TYPES[CUSTOMER_TYPES.length - 1];
    for (let k = 0; k < weights.length; k++) {
      v -= weights[k];
      if (v <= 0) {
        type = CUSTOMER_TYPES[k];
        break;
      }
    }
    const [lo, hi] = PROFILE_CHURN[profile];
    customers.push({ id: `s${i}`, profile, type, churn: lo + (hi - lo) * random() });
  }
  const store = await openShop(
    dir,
    name,
    customers.flatMap((c) => historyOf(c, start, random)),
  );
  const campaign = store.campaigns.create(
    {
      name: 'Spring win-back',
      kind: 'winback',
      status: 'completed',
      audience: {},
      offer: { percentOff: 10 },
      controlShare: options.controlShare ?? 0.5,
      scheduledAt: CAMPAIGN_START,
      createdBy: 'test',
    },
    CAMPAIGN_START,
  );
  const outcomes: OrderSpec[] = [];
  for (const c of customers) {
    const id = customerId(store, c.id);
    const arm = assignArm(campaign.id, id, campaign.controlShare);
    store.campaigns.assign(campaign.id, id, arm, CAMPAIGN_START);
    const rates = OUTCOME_RATES[c.type];
    if (random() < (arm === 'treatment' ? rates.treated : rates.control))
      outcomes.push({ order: `${c.id}-won`, customer: c.id, at: at(start + (1 + random() * 27) * DAY) });
  }
  // Someone buys after the window, so the data (and its as-of date) reach past the window's end.
  outcomes.push({ order: 'late-1', customer: customers[0].id, at: at(start + 32 * DAY) });
  await importOrderSpecs(store, dir, outcomes);
  // Scored as `retain train` would store them, as of the day after the newest order (a churn run
  // at that date tells the nightly job the analytics are up to date).
  const asOf = defaultAsOfFor(store);
  storeScores(
    store,
    asOf.toISOString(),
    customers.map((c) => ({ customer: c.id, churn: c.churn, stage: c.churn >= 0.5 ? 'at risk' : 'repeat' })),
  );
  store.runs.record({ model: 'churn', version: 'test', asOf, trainedAt: asOf });
  // Everyone has talked to the bot, so everyone can be messaged.
  for (const c of customers)
    connect(store, c.id, options.serviceUrl ?? 'http://127.0.0.1:9', { at: CAMPAIGN_START });
  return { store, customers, campaignId: campaign.id };
}
