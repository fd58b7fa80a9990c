/**
 * The words of a proactive message: a personal line, the campaign's offer and the customer's
 * best recommendations with their reasons. Plain data (text + structured fields), so the bot can
 * render it as text or as a card.
 */
import type { Campaign } from '../data/repositories/campaigns';
import { recommendMany, type AlsBatchScorer, type RecsModel } from '../analytics/recs';

export interface RecommendedItem {
  sku: string;
  description: string | null;
  reason: string;
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
      result.items.map((r) => ({ sku: r.sku, description: r.description, reason: r.reason.text })),
    );
}

export interface MessagePayload extends Record<string, unknown> {
  text: string;
  campaignId: number;
  campaignName: string;
  kind: string;
  offer: { percentOff?: number; text?: string };
  recommendations: RecommendedItem[];
}

function offerOf(campaign: Campaign): MessagePayload['offer'] {
  const o: MessagePayload['offer'] = {};
  if (typeof campaign.offer.percentOff === 'number') o.percentOff = campaign.offer.percentOff;
  if (typeof campaign.offer.text === 'string') o.text = campaign.offer.text;
  return o;
}

const itemName = (i: RecommendedItem) => (i.description ?? i.sku).trim().toLowerCase();

/** The nudge to one-time buyers is a welcome-kind campaign whose audience is "N days after". */
const isSecondPurchaseNudge = (campaign: Campaign) => campaign.audience.secondPurchaseAfterDays !== undefined;

export function composeMessage(campaign: Campaign, recommendations: RecommendedItem[]): MessagePayload {
  const offer = offerOf(campaign);
  const nudge = isSecondPurchaseNudge(campaign);
  const lines: string[] = [];
  if (nudge) lines.push('We hope you are enjoying your first order with us.');
  else if (campaign.kind === 'welcome') lines.push('Thank you for your first order with us!');
  else lines.push('It has been a while, and we would love to see you again.');
  if (offer.text) lines.push(offer.text);
  else if (offer.percentOff) {
    const which = nudge ? 'second' : 'next';
    const welcomeBack = campaign.kind === 'welcome' ? '' : ' as a welcome back';
    lines.push(`Here is ${offer.percentOff}% off your ${which} order${welcomeBack}.`);
  }
  const top = recommendations.slice(0, 3);
  if (top.length) {
    lines.push(campaign.kind === 'welcome' ? 'You might also like:' : 'Picked for you:');
    for (const item of top) lines.push(`- ${itemName(item)} (${item.reason})`);
  }
  lines.push('Reply "stop" to get no more offers.');
  return {
    text: lines.join('\n'),
    campaignId: campaign.id,
    campaignName: campaign.name,
    kind: campaign.kind,
    offer,
    recommendations: top,
  };
}
