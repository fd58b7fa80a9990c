/**
 * What the bot's help offers as examples, per role, grouped as the help shows them. The demo
 * page's first questions, the README and the Teams manifest use the same phrasings, and a test
 * sends every one of them through the real bot on the demo data (tests/e2e/examples.test.ts).
 * `{customer}` stands for a real customer of the shop, filled in when the help is shown.
 */
export const MARKETER_EXAMPLES: string[][] = [
  ['which segments do we have?', 'segments in Germany since March', 'tell me about the champions segment'],
  ['who is likely to churn in France?', 'list the at-risk customers'],
  ['what is customer {customer} worth?'],
  [
    'what was our revenue last month?',
    'revenue by country this year',
    'top 5 products by revenue in Germany',
  ],
  ['orders per month', 'France vs Germany last quarter', 'average order value for champions'],
  ['top products last quarter', 'what is bought with the regency cakestand?'],
  ['start a win-back for at-risk customers with 10% off', 'how did the last campaign do?'],
  ['cohort retention', 'model status', 'feedback summary', 'handoffs'],
];

/** Follow-ups the help mentions after an answer. */
export const MARKETER_FOLLOW_UPS = [
  'and in France?',
  'what about last year?',
  'show me more',
  'why?',
  'export that as csv',
];

export const CUSTOMER_EXAMPLES: string[] = [
  'gifts under £20',
  'something like the lunch bag red retrospot',
  'where is my order?',
  'how do I return an item?',
  'how long does delivery take?',
  'talk to a person',
];

export function fillExample(example: string, customer: string | undefined): string {
  return example.replace('{customer}', customer ?? '12347');
}
