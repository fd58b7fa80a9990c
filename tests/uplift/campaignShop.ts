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
import { AUTO_WINBACK_NAME } from '../../jobs/campaignJobs';
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
  /** Campaign members live in the United Kingdom; the fresh customers, never in a campaign, in France. */
  country: string;
}

const at = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

/** Buying history before `before` for a profile. */
function historyOf(c: SimCustomer, before: number, random: () => number): OrderSpec[] {
  const orders: OrderSpec[] = [];
  const add = (t: number) =>
    orders.push({
      country: c.country,
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
 * Opens the shop with `customers` customers in a completed campaign (10% off, 30-day window from
 * CAMPAIGN_START, half held out), outcomes included, and `fresh` customers who were not in it.
 * Churn scores are stored as of the data's as-of date.
 */
export async function openCampaignShop(
  dir: string,
  name: string,
  options: {
    customers: number;
    /** Customers who were not in the campaign (in France), to target afterwards. */
    fresh?: number;
    seed?: number;
    controlShare?: number;
    windowClosed?: boolean;
  },
): Promise<CampaignShop> {
  const random = seededRandom(options.seed ?? 11);
  const start = CAMPAIGN_START.getTime();
  const customers: SimCustomer[] = [];
  const fresh = options.fresh ?? 0;
  for (let i = 0; i < options.customers + fresh; i++) {
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
    const member = i < options.customers;
    customers.push({
      id: member ? `s${i}` : `f${i}`,
      profile,
      type,
      churn: lo + (hi - lo) * random(),
      country: member ? 'United Kingdom' : 'France',
    });
  }
  const store = await openShop(
    dir,
    name,
    // Members' histories end at the campaign's start; the fresh customers keep buying during its
    // window (they were not in it), so they look as they would when a next campaign is planned.
    customers.flatMap((c) => historyOf(c, c.country === 'France' ? start + 26 * DAY : start, random)),
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
  for (const c of customers.filter((x) => x.country === 'United Kingdom')) {
    const id = customerId(store, c.id);
    const arm = assignArm(campaign.id, id, campaign.controlShare);
    store.campaigns.assign(campaign.id, id, arm, CAMPAIGN_START);
    const rates = OUTCOME_RATES[c.type];
    if (random() < (arm === 'treatment' ? rates.treated : rates.control))
      outcomes.push({ order: `${c.id}-won`, customer: c.id, at: at(start + (1 + random() * 27) * DAY) });
  }
  await importOrderSpecs(store, dir, outcomes);
  if (options.windowClosed ?? true) await closeWindow(store, dir, customers[0].id);
  // Scored as `retain train` would store them.
  storeScores(
    store,
    defaultAsOfFor(store).toISOString(),
    customers.map((c) => ({ customer: c.id, churn: c.churn, stage: c.churn >= 0.5 ? 'at risk' : 'repeat' })),
  );
  markAnalyticsCurrent(store);
  // Everyone has talked to the bot, so everyone can be messaged.
  for (const c of customers) connect(store, c.id, 'http://127.0.0.1:9', { at: CAMPAIGN_START });
  // The automatic win-back is paused, so only the campaigns a test launches send anything.
  store.campaigns.create(
    {
      name: AUTO_WINBACK_NAME,
      kind: 'winback',
      status: 'draft',
      audience: {},
      offer: {},
      controlShare: 0.1,
      createdBy: 'test',
    },
    CAMPAIGN_START,
  );
  return { store, customers, campaignId: campaign.id };
}

/** A churn run as of the data's as-of date: the nightly job then sees the analytics as up to date. */
export function markAnalyticsCurrent(store: Store): void {
  const asOf = defaultAsOfFor(store);
  store.runs.record({ model: 'churn', version: `test@${asOf.toISOString()}`, asOf, trainedAt: asOf });
}

/** Someone buys after the campaign's window, so the data (and its as-of date) reach past its end. */
export async function closeWindow(store: Store, dir: string, customer: string): Promise<void> {
  await importOrderSpecs(store, dir, [
    { order: 'after-window', customer, at: at(CAMPAIGN_START.getTime() + 32 * DAY) },
  ]);
}

/** Orders in a campaign's window for its members, by each one's type and arm. */
export async function simulateOutcomes(
  shop: CampaignShop,
  dir: string,
  campaignId: number,
  from: Date,
  seed = 5,
): Promise<void> {
  const random = seededRandom(seed);
  const byId = new Map(shop.customers.map((c) => [customerId(shop.store, c.id), c]));
  const orders: OrderSpec[] = [];
  for (const m of shop.store.campaigns.memberships(campaignId)) {
    const c = byId.get(m.customerId)!;
    const rates = OUTCOME_RATES[c.type];
    if (random() < (m.arm === 'treatment' ? rates.treated : rates.control))
      orders.push({
        order: `${c.id}-c${campaignId}`,
        customer: c.id,
        at: at(from.getTime() + (1 + random() * 27) * DAY),
      });
  }
  await importOrderSpecs(shop.store, dir, orders);
}
