/**
 * What an email template sees: the campaign's message model (jobs/personalise.ts, the same one
 * chat shows) with names, prices and dates written out, the greeting, and the unsubscribe link.
 * Every value is plain text; the templates escape it for HTML (templates.ts).
 */
import { itemName, itemPrice, longDate, type MessageOffer, type RecommendedItem } from '../personalise';

export interface EmailView {
  shopName: string;
  customerName: string | null;
  /** 'Hi Ana,' or 'Hello,'. */
  greeting: string;
  occasion: string;
  isWinback: boolean;
  isWelcome: boolean;
  isSecondPurchase: boolean;
  headline: string;
  offer: { line: string; percentOff: number | null; expires: string | null } | null;
  picksTitle: string | null;
  items: Array<{ name: string; price: string | null; reason: string }>;
  unsubscribeUrl: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

export function emailView(
  payload: Record<string, unknown>,
  to: { name: string | null },
  shopName: string,
  unsubscribeUrl: string,
): EmailView {
  const occasion = str(payload.occasion) ?? str(payload.kind) ?? 'manual';
  const offer = (payload.offer ?? {}) as MessageOffer;
  const items = Array.isArray(payload.recommendations) ? (payload.recommendations as RecommendedItem[]) : [];
  const firstName = to.name?.trim().split(/\s+/)[0] ?? null;
  return {
    shopName,
    customerName: to.name,
    greeting: firstName ? `Hi ${firstName},` : 'Hello,',
    occasion,
    isWinback: occasion === 'winback' || occasion === 'manual',
    isWelcome: occasion === 'welcome',
    isSecondPurchase: occasion === 'second_purchase',
    headline: str(payload.headline) ?? str(payload.text) ?? '',
    offer: str(offer.line)
      ? {
          line: offer.line!,
          percentOff: typeof offer.percentOff === 'number' ? offer.percentOff : null,
          expires: str(offer.expiresOn) ? longDate(offer.expiresOn!) : null,
        }
      : null,
    picksTitle: items.length ? (str(payload.picksTitle) ?? 'Picked for you:') : null,
    items: items.map((i) => ({ name: itemName(i), price: itemPrice(i), reason: i.reason })),
    unsubscribeUrl,
  };
}

/** A view with every field filled, to check the shop's templates at start. */
export const SAMPLE_VIEW: EmailView = {
  shopName: 'Shop',
  customerName: 'Ana Example',
  greeting: 'Hi Ana,',
  occasion: 'winback',
  isWinback: true,
  isWelcome: false,
  isSecondPurchase: false,
  headline: 'It has been a while, and we would love to see you again.',
  offer: { line: 'Here is 10% off your next order.', percentOff: 10, expires: '31 March 2026' },
  picksTitle: 'Picked for you:',
  items: [{ name: 'Regency cakestand 3 tier', price: '£12.75', reason: 'often bought with tea sets' }],
  unsubscribeUrl: 'https://shop.example/unsubscribe/1.2.x',
};
