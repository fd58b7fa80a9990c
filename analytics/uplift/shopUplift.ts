/**
 * The shop's own uplift model, learned from its finished campaigns: every campaign member whose
 * attribution window has closed is one row (treated or control, bought in the window or not,
 * features as of their assignment), so every campaign retain runs teaches the next one. Trains,
 * versions (model_runs, model 'uplift') and reloads the model, and scores customers for a new
 * offer with calibrated uplift and the reasons in a marketer's words.
 */
import crypto from 'node:crypto';
import type { Store } from '../../data/store';
import type { MembershipRow } from '../../data/repositories/campaigns';
import type { ModelRun } from '../../data/repositories/modelRuns';
import { customerFacts, type CustomerFacts } from '../features/customerFacts';
import { homeCountryOf } from '../features/churnFeatures';
import { loadHistories } from '../training';
import type { CustomerHistory } from '../history';
import { occlusionEffects } from './drivers';
import { matrixOf, predictUplift, type UpliftModel, type UpliftPrediction } from './model';
import { armCounts, tooLittleToFit, trainUpliftModel, type UpliftTrainingOptions } from './train';
import {
  SHOP_UPLIFT_FEATURES,
  SHOP_UPLIFT_GROUPS,
  describeUpliftFactor,
  shopUpliftVector,
  type PastOffer,
  type UpliftFactor,
} from './shopFeatures';

export const UPLIFT_MODEL_NAME = 'uplift';
const VERSION = 'uplift-1';

/** What is stored for the shop: the model (null when there was too little to fit one) and why it may or may not target. */
export interface ShopUpliftModel {
  model: UpliftModel | null;
  homeCountry: string | null;
  usable: boolean;
  reason: string;
  /** Closed memberships learned from, per campaign id. */
  trainedOn: Record<string, number>;
}

export interface LoadedUpliftModel extends ShopUpliftModel {
  version: string;
  trainedAt: string;
}

const percentOf = (offerJson: string): number => {
  try {
    const p = (JSON.parse(offerJson) as { percentOff?: unknown }).percentOff;
    return typeof p === 'number' && Number.isFinite(p) ? p : 0;
  } catch {
    return 0;
  }
};

/** Memberships whose attribution window ended by `asOf` (their outcome is final). */
export function closedMemberships(store: Store, asOf: Date): MembershipRow[] {
  const cutoff = asOf.toISOString();
  return store.campaigns.memberships().filter((m) => m.until <= cutoff);
}

/** Closed memberships per campaign: what a model was (or would be) trained on. */
export function membershipCounts(closed: MembershipRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of closed) counts[m.campaignId] = (counts[m.campaignId] ?? 0) + 1;
  return counts;
}

export function fingerprintOf(counts: Record<string, number>): string {
  const canonical = JSON.stringify(Object.entries(counts).sort(([a], [b]) => Number(a) - Number(b)));
  return crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Each customer's earlier offers, for features as of any moment (closed windows only count). */
class OfferHistory {
  private readonly byCustomer = new Map<number, Array<PastOffer & { until: number }>>();

  constructor(memberships: MembershipRow[]) {
    for (const m of memberships) {
      if (m.arm !== 'treatment') continue;
      const list = this.byCustomer.get(m.customerId) ?? [];
      list.push({
        at: Date.parse(m.anchor),
        until: Date.parse(m.until),
        bought: m.converted === 1,
        percentOff: percentOf(m.offerJson),
      });
      this.byCustomer.set(m.customerId, list);
    }
  }

  /** Offers whose window had closed by `at` (their outcome was known then). */
  before(customerId: number, at: number): PastOffer[] {
    return (this.byCustomer.get(customerId) ?? []).filter((o) => o.until <= at);
  }
}

export interface ShopTrainingResult {
  run: ModelRun;
  stored: ShopUpliftModel;
}

/**
 * Trains on every membership closed by `asOf` and records the run (also when there is too little
 * to fit: the run then says why, and campaigns target by churn risk).
 */
export async function trainShopUplift(
  store: Store,
  options: { asOf: Date; now?: Date } & UpliftTrainingOptions,
): Promise<ShopTrainingResult> {
  const asOf = options.asOf;
  const all = store.campaigns.memberships();
  const closed = all.filter((m) => m.until <= asOf.toISOString());
  const histories = loadHistories(store, asOf);
  const byId = new Map(histories.customers.map((c) => [c.customerId, c]));
  const homeCountry = homeCountryOf(histories.customers);
  const offers = new OfferHistory(all);
  const rows: number[][] = [];
  const t: number[] = [];
  const y: number[] = [];
  for (const m of closed) {
    const at = Date.parse(m.assignedAt);
    const history = byId.get(m.customerId);
    const facts = history ? customerFacts(history, at) : null;
    // A member with no purchase before the campaign has no buying history to learn from.
    if (!facts) continue;
    rows.push(shopUpliftVector(facts, offers.before(m.customerId, at), percentOf(m.offerJson), homeCountry));
    t.push(m.arm === 'treatment' ? 1 : 0);
    y.push(m.converted);
  }
  const trainedOn = membershipCounts(closed);
  const arms = { t, y };
  const hopeless = rows.length ? tooLittleToFit(armCounts(arms)) : 'no campaign has finished yet';
  let stored: ShopUpliftModel;
  if (hopeless) {
    stored = { model: null, homeCountry, usable: false, reason: hopeless, trainedOn };
  } else {
    const model = await trainUpliftModel(
      matrixOf(rows, SHOP_UPLIFT_FEATURES.length),
      [...SHOP_UPLIFT_FEATURES],
      arms,
      options,
    );
    stored = { model, homeCountry, usable: model.usable, reason: model.reason, trainedOn };
  }
  const trainedAt = options.now ?? new Date();
  const run = store.runs.record({
    model: UPLIFT_MODEL_NAME,
    version: `${VERSION}@${asOf.toISOString().slice(0, 10)}#${trainedAt.toISOString()}`,
    asOf,
    trainedAt,
    params: { stored },
    metrics: {
      usable: stored.usable,
      reason: stored.reason,
      members: rows.length,
      campaigns: Object.keys(trainedOn).length,
      validation: stored.model?.validation ?? null,
      learner: stored.model ? `${stored.model.learner}/${stored.model.architecture}` : null,
    },
    dataFingerprint: fingerprintOf(trainedOn),
  });
  return { run, stored };
}

/** The latest trained uplift model of the shop, or null when none was ever trained. */
export function loadShopUplift(store: Store): LoadedUpliftModel | null {
  const run = store.runs.latest(UPLIFT_MODEL_NAME);
  const stored = run?.params.stored as ShopUpliftModel | undefined;
  if (!run || !stored) return null;
  return { ...stored, version: run.version, trainedAt: run.trainedAt };
}

export interface UpliftDriver {
  factor: UpliftFactor;
  /** Change of the predicted uplift (probability points as a fraction) this factor makes. */
  effect: number;
  text: string;
}

export interface CustomerUplift extends UpliftPrediction {
  customerId: number;
}

/** Customers as the scorer sees them now: their facts and earlier offers. */
export class ShopScorer {
  private readonly byId: Map<number, CustomerHistory>;
  private readonly offers: OfferHistory;
  private readonly at: number;

  constructor(
    store: Store,
    private readonly shop: ShopUpliftModel & { model: UpliftModel },
    now: Date,
  ) {
    this.at = now.getTime();
    this.byId = new Map(loadHistories(store, now).customers.map((c) => [c.customerId, c]));
    this.offers = new OfferHistory(store.campaigns.memberships());
  }

  /** What a rank by predicted uplift has meant on held-out customers (for expected effects). */
  get calibration() {
    return this.shop.model.calibration;
  }

  private inputs(
    customerId: number,
    percentOff: number,
  ): { facts: CustomerFacts; offers: PastOffer[]; x: number[] } | null {
    const history = this.byId.get(customerId);
    const facts = history ? customerFacts(history, this.at) : null;
    if (!facts) return null;
    const offers = this.offers.before(customerId, this.at);
    return { facts, offers, x: shopUpliftVector(facts, offers, percentOff, this.shop.homeCountry) };
  }

  /** Calibrated uplift of an offer of `percentOff` for each customer (customers who never bought are left out). */
  score(customerIds: number[], percentOff: number): CustomerUplift[] {
    const known: number[] = [];
    const rows: number[][] = [];
    for (const id of customerIds) {
      const input = this.inputs(id, percentOff);
      if (!input) continue;
      known.push(id);
      rows.push(input.x);
    }
    const predictions = predictUplift(this.shop.model, matrixOf(rows, SHOP_UPLIFT_FEATURES.length));
    return predictions.map((p, i) => ({ ...p, customerId: known[i] }));
  }

  /** Why the model expects the offer to change (or not change) what this customer does, largest effect first. */
  drivers(customerId: number, percentOff: number, top = 3): UpliftDriver[] {
    const input = this.inputs(customerId, percentOff);
    if (!input) return [];
    const names = this.shop.model.features;
    const groups = SHOP_UPLIFT_GROUPS.map((g) =>
      g.features.map((f) => names.indexOf(f)).filter((i) => i >= 0),
    );
    const effects = occlusionEffects(this.shop.model, matrixOf([input.x], names.length), 0, groups);
    return SHOP_UPLIFT_GROUPS.map((g, k) => ({
      factor: g.factor,
      effect: effects[k],
      text: describeUpliftFactor(g.factor, input.facts, input.offers, percentOff),
    }))
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
      .slice(0, top);
  }
}

/** A scorer when the shop has a usable model; otherwise why campaigns target by churn risk instead. */
export function shopScorer(
  store: Store,
  now: Date,
): { scorer: ShopScorer; model: LoadedUpliftModel } | { reason: string } {
  const loaded = loadShopUplift(store);
  if (!loaded)
    return {
      reason: 'no campaign has finished yet, so there is nothing to learn who responds to offers from',
    };
  if (!loaded.usable || !loaded.model)
    return { reason: `the uplift model is not usable yet: ${loaded.reason}` };
  return { scorer: new ShopScorer(store, { ...loaded, model: loaded.model }, now), model: loaded };
}
