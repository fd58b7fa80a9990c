/**
 * What the shop's uplift model knows about a customer when an offer goes out: how they buy (as
 * of that moment, from orders strictly before it), how they reacted to earlier offers whose
 * attribution windows had closed by then, and how big the offer is. The same function builds the
 * training rows (as of each campaign member's assignment) and the rows a new campaign is scored
 * on (as of now), so the model sees the same features at both times.
 *
 * Features (SHOP_UPLIFT_FEATURES): log recency, frequency (purchase days), net spend, tenure and
 * average order; whether they repeated, recency relative to their usual gap, purchase days in
 * the last 30 and 90 days, the share returned, product breadth, home market; the offer's percent
 * off; earlier offers (messages of campaigns they were treated in), the purchases after them, a
 * smoothed purchase rate after offers, and whether they bought after the last one and the last
 * two (1 yes, -1 no, 0 no such offer).
 */
import type { CustomerFacts } from '../features/customerFacts';
import { PROFILE_FEATURES, profileFeatures } from '../features/profileFeatures';
import { describeFactor, type ChurnDriver } from '../churn/drivers';

export const SHOP_UPLIFT_FEATURES = [
  ...PROFILE_FEATURES,
  'recencyVsInterval',
  'logLast30',
  'logLast90',
  'returnShare',
  'logProductBreadth',
  'domestic',
  'offerPercent',
  'logPastOffers',
  'logPastOfferPurchases',
  'offerPurchaseRate',
  'boughtLastOffer',
  'boughtLastTwoOffers',
] as const;
export type ShopUpliftFeature = (typeof SHOP_UPLIFT_FEATURES)[number];

/** One earlier offer a customer got (a treated membership whose window had closed). */
export interface PastOffer {
  /** Start of its attribution window (ms). */
  at: number;
  bought: boolean;
  percentOff: number;
}

export function shopUpliftVector(
  f: CustomerFacts,
  pastOffers: PastOffer[],
  percentOff: number,
  homeCountry: string | null,
): number[] {
  const repeat = f.meanIntervalDays !== null;
  const interval = f.meanIntervalDays ?? f.tenureDays;
  const offers = [...pastOffers].sort((a, b) => a.at - b.at);
  const bought = offers.filter((o) => o.bought).length;
  const last = offers[offers.length - 1];
  const lastTwo = offers.slice(-2);
  const outcome = (o: PastOffer[]) =>
    o.length === 0 ? 0 : o.every((x) => x.bought) ? 1 : o.every((x) => !x.bought) ? -1 : 0;
  return [
    ...profileFeatures(f),
    repeat ? Math.log((f.recencyDays + 1) / (interval + 1)) : 0,
    Math.log1p(f.purchasesLast30),
    Math.log1p(f.purchasesLast90),
    f.returnShare,
    Math.log1p(f.productBreadth),
    homeCountry !== null && f.country === homeCountry ? 1 : 0,
    percentOff / 100,
    Math.log1p(offers.length),
    Math.log1p(bought),
    (bought + 0.5) / (offers.length + 1),
    last ? (last.bought ? 1 : -1) : 0,
    lastTwo.length === 2 ? outcome(lastTwo) : 0,
  ];
}

export type UpliftFactor =
  | Extract<
      ChurnDriver['factor'],
      'recency' | 'frequency' | 'recent activity' | 'spend' | 'tenure' | 'returns' | 'basket' | 'market'
    >
  | 'offer response'
  | 'offer size';

/** Related features that are occluded together, and the factor they explain. */
export const SHOP_UPLIFT_GROUPS: Array<{ factor: UpliftFactor; features: ShopUpliftFeature[] }> = [
  {
    factor: 'offer response',
    features: [
      'logPastOffers',
      'logPastOfferPurchases',
      'offerPurchaseRate',
      'boughtLastOffer',
      'boughtLastTwoOffers',
    ],
  },
  { factor: 'offer size', features: ['offerPercent'] },
  { factor: 'recency', features: ['logRecency', 'recencyVsInterval'] },
  { factor: 'frequency', features: ['logFrequency', 'hasRepeat'] },
  { factor: 'recent activity', features: ['logLast30', 'logLast90'] },
  { factor: 'spend', features: ['logMonetary', 'logAverageOrder'] },
  { factor: 'tenure', features: ['logTenure'] },
  { factor: 'returns', features: ['returnShare'] },
  { factor: 'basket', features: ['logProductBreadth'] },
  { factor: 'market', features: ['domestic'] },
];

/** How the customer reacted to earlier offers, in a marketer's words. */
export function describeOfferResponse(pastOffers: PastOffer[]): string {
  const offers = [...pastOffers].sort((a, b) => a.at - b.at);
  if (offers.length === 0) return 'has not had an offer from the shop yet';
  const what = (o: PastOffer[]) =>
    o.every((x) => x.percentOff > 0) ? 'a discount ran' : 'an offer went out';
  const lastTwo = offers.slice(-2);
  if (lastTwo.length === 2 && lastTwo.every((o) => o.bought))
    return `responds to offers: bought the last two times ${what(lastTwo)}`;
  const bought = offers.filter((o) => o.bought).length;
  if (offers[offers.length - 1].bought) return `bought the last time ${what(offers.slice(-1))}`;
  if (bought === 0)
    return offers.length === 1
      ? 'did not buy after the one offer they got'
      : `did not buy after any of the ${offers.length} offers they got`;
  return `bought after ${bought} of the ${offers.length} offers they got`;
}

/** The sentence for one factor of a customer's predicted uplift. */
export function describeUpliftFactor(
  factor: UpliftFactor,
  facts: CustomerFacts,
  pastOffers: PastOffer[],
  percentOff: number,
): string {
  if (factor === 'offer response') return describeOfferResponse(pastOffers);
  if (factor === 'offer size') return percentOff > 0 ? `${percentOff}% off` : 'no discount';
  return describeFactor(factor, facts, 30);
}
