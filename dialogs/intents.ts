/**
 * The intent catalogue: every intent the dialogs act on, who may use it, and the phrase a
 * suggested-action button sends for it (a phrase the intent model recognises with high confidence,
 * so pressing a button never lands in another clarification). The router's handler table
 * (dialogs/routes.ts) is typed by this catalogue, and a test checks it against the training data
 * and the shipped model's labels, so adding an intent anywhere without the others fails.
 */
import type { CardAction } from 'botbuilder';
import type { Role } from './turn';

export interface IntentInfo {
  roles: Role[];
  /** What the button says. */
  title: string;
  /** What pressing it sends. */
  phrase: string;
}

const MARKETER: Role[] = ['marketer'];
const EVERYONE: Role[] = ['marketer', 'customer'];

export const INTENTS = {
  segment_overview: { roles: MARKETER, title: 'Segments', phrase: 'which segments do we have?' },
  segment_detail: {
    roles: MARKETER,
    title: 'Segment details',
    phrase: 'tell me about the Champions segment',
  },
  churn_report: { roles: MARKETER, title: 'Churn report', phrase: 'churn report' },
  at_risk_list: { roles: MARKETER, title: 'At-risk customers', phrase: 'list the at-risk customers' },
  customer_lookup: { roles: MARKETER, title: 'Look up a customer', phrase: 'look up a customer' },
  clv_report: { roles: MARKETER, title: 'Lifetime value', phrase: 'customer lifetime value report' },
  product_insight: { roles: MARKETER, title: 'Top products', phrase: 'what are our top products?' },
  create_campaign: { roles: MARKETER, title: 'Start a win-back', phrase: 'start a win-back campaign' },
  campaign_status: { roles: MARKETER, title: 'Campaign results', phrase: 'how did the last campaign do?' },
  model_status: { roles: MARKETER, title: 'Model status', phrase: 'model status' },
  help: { roles: EVERYONE, title: 'Help', phrase: 'help' },
  recommendations: { roles: EVERYONE, title: 'Recommend something', phrase: 'recommend something for me' },
  similar_items: { roles: EVERYONE, title: 'Similar items', phrase: 'show me similar items' },
  gift_ideas: { roles: EVERYONE, title: 'Gift ideas', phrase: 'gift ideas under £20' },
  order_status: { roles: EVERYONE, title: 'My orders', phrase: 'where is my order?' },
  returns_refunds: { roles: EVERYONE, title: 'Returns', phrase: 'how do I return an item?' },
  delivery_question: { roles: EVERYONE, title: 'Delivery', phrase: 'how long does delivery take?' },
  feedback_complaint: { roles: EVERYONE, title: 'Give feedback', phrase: 'I want to give feedback' },
  talk_to_person: { roles: EVERYONE, title: 'Talk to a person', phrase: 'talk to a person' },
  unsubscribe: { roles: EVERYONE, title: 'Stop messages', phrase: 'stop' },
  resubscribe: { roles: EVERYONE, title: 'Resubscribe', phrase: 'resubscribe' },
  forget_me: { roles: EVERYONE, title: 'Forget me', phrase: 'delete my data' },
  greeting: { roles: EVERYONE, title: 'Hello', phrase: 'hello' },
  thanks: { roles: EVERYONE, title: 'Thanks', phrase: 'thanks' },
  goodbye: { roles: EVERYONE, title: 'Bye', phrase: 'bye' },
} satisfies Record<string, IntentInfo>;

export type IntentName = keyof typeof INTENTS;

/** The catalogue entry of an intent the model named (undefined: not one the dialogs act on). */
export function intentInfo(intent: string): IntentInfo | undefined {
  return Object.prototype.hasOwnProperty.call(INTENTS, intent) ? INTENTS[intent as IntentName] : undefined;
}

export function allowed(intent: string, role: Role): boolean {
  return intentInfo(intent)?.roles.includes(role) ?? false;
}

/** Buttons that send the phrase of each intent. */
export function intentButtons(intents: IntentName[]): CardAction[] {
  return intents.map((i) => ({ type: 'imBack', title: INTENTS[i].title, value: INTENTS[i].phrase }));
}

/** First suggestions per role, for greetings, help and clarifications. */
export const STARTERS: Record<Role, IntentName[]> = {
  marketer: [
    'segment_overview',
    'churn_report',
    'at_risk_list',
    'create_campaign',
    'campaign_status',
    'model_status',
  ],
  customer: ['recommendations', 'order_status', 'returns_refunds', 'delivery_question', 'talk_to_person'],
};
