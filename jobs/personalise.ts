/**
 * The message of a campaign, as one model every channel renders: a personal line, the
 * campaign's offer and when it ends, and the customer's best recommendations with their prices
 * and reasons. Chat shows `text` (made here); email renders the same fields through the shop's
 * templates (jobs/email/templates.ts).
 */
import type { Campaign } from '../data/repositories/campaigns';
import { recommendMany, type AlsBatchScorer, type RecsModel } from '../analytics/recs';
import { formatCell } from '../reports/report';
import { sentenceCase } from '../lib/text';

export interface RecommendedItem {
  sku: string;
  description: string | null;
  reason: string;
  /** Price of the latest sale; null or absent when unknown. */
  unitPrice?: number | null;
}

/**
 * Each customer's best recommendations (empty when there is no model or nothing to suggest), for a
 * batch of customers at once: a campaign asks for a few hundred at a time, which lets the model
 * score them together (recommendMany).
 */
export type Recommender = (customerExternalIds: readonly string[], k: number) => RecommendedItem[][];

export const noRecommendations: Recommender = (customers) => customers.map(() => []);

export function modelRecommender(model: RecsModel, als: AlsBatchScorer): Recommender {
  return (customers, k) =>
    recommendMany(model, customers, als, { k }).map((result) =>
      result.items.map((r) => ({
        sku: r.sku,
        description: r.description,
        reason: r.reason.text,
        unitPrice: r.unitPrice,
      })),
    );
}

export interface MessageOffer {
  percentOff?: number;
  /** The marketer's own words for the offer, when they gave some. */
  text?: string;
  /** The offer in a sentence, as the customer reads it. */
  line?: string;
  /** Last day the offer holds (YYYY-MM-DD): the campaign's attribution window from queueing. */
  expiresOn?: string;
}

export interface MessagePayload extends Record<string, unknown> {
  /** The whole message as chat shows it. */
  text: string;
  campaignId: number;
  campaignName: string;
  kind: string;
  /** What the message is about; templates choose their words by it. */
  occasion: 'winback' | 'welcome' | 'second_purchase' | 'manual';
  /** The personal opening line. */
  headline: string;
  offer: MessageOffer;
  /** Heading of the recommendations ('Picked for you:'); null without any. */
  picksTitle: string | null;
  recommendations: RecommendedItem[];
}

const DAY_MS = 86_400_000;
const LONG_DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** '2026-03-31' → '31 March 2026'. */
export function longDate(isoDay: string): string {
  return LONG_DATE.format(new Date(`${isoDay}T00:00:00Z`));
}

/** A product as customers see it: its name in sentence case. */
export const itemName = (i: RecommendedItem) => sentenceCase((i.description ?? i.sku).trim());

/** '£12.75', or null when the price is unknown. */
export const itemPrice = (i: RecommendedItem) =>
  typeof i.unitPrice === 'number' && Number.isFinite(i.unitPrice) ? formatCell(i.unitPrice, 'price') : null;

/** The nudge to one-time buyers is a welcome-kind campaign whose audience is "N days after". */
const isSecondPurchaseNudge = (campaign: Campaign) => campaign.audience.secondPurchaseAfterDays !== undefined;

function offerOf(campaign: Campaign, now: Date): MessageOffer {
  const o: MessageOffer = {};
  if (typeof campaign.offer.percentOff === 'number') o.percentOff = campaign.offer.percentOff;
  if (typeof campaign.offer.text === 'string') o.text = campaign.offer.text;
  if (o.text) o.line = o.text;
  else if (o.percentOff) {
    const which = isSecondPurchaseNudge(campaign) ? 'second' : 'next';
    const welcomeBack = campaign.kind === 'welcome' ? '' : ' as a welcome back';
    o.line = `Here is ${o.percentOff}% off your ${which} order${welcomeBack}.`;
  }
  // The offer holds as long as an order counts as the campaign's conversion.
  if (o.line)
    o.expiresOn = new Date(now.getTime() + campaign.attributionDays * DAY_MS).toISOString().slice(0, 10);
  return o;
}

export function composeMessage(
  campaign: Campaign,
  recommendations: RecommendedItem[],
  now: Date,
): MessagePayload {
  const offer = offerOf(campaign, now);
  const nudge = isSecondPurchaseNudge(campaign);
  const headline = nudge
    ? 'We hope you are enjoying your first order with us.'
    : campaign.kind === 'welcome'
      ? 'Thank you for your first order with us!'
      : 'It has been a while, and we would love to see you again.';
  const top = recommendations.slice(0, 3);
  const picksTitle = top.length
    ? campaign.kind === 'welcome'
      ? 'You might also like:'
      : 'Picked for you:'
    : null;

  const lines = [headline];
  if (offer.line) lines.push(`${offer.line} Valid until ${longDate(offer.expiresOn!)}.`);
  if (picksTitle) {
    lines.push(picksTitle);
    for (const item of top) {
      const price = itemPrice(item);
      lines.push(`- ${itemName(item)}${price ? `, ${price}` : ''} (${item.reason})`);
    }
  }
  lines.push('Reply "stop" to get no more offers.');
  return {
    text: lines.join('\n'),
    campaignId: campaign.id,
    campaignName: campaign.name,
    kind: campaign.kind,
    occasion: nudge ? 'second_purchase' : campaign.kind,
    headline,
    offer,
    picksTitle,
    recommendations: top,
  };
}
