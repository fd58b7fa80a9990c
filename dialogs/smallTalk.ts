/** Help, greetings, thanks and goodbyes: the same for every role, apart from the examples. */
import { button, sendWithButtons, type Handler } from './handler';
import { intentButtons, STARTERS } from './intents';
import type { Role } from './turn';
import { CUSTOMER_EXAMPLES, MARKETER_EXAMPLES, MARKETER_FOLLOW_UPS, fillExample } from './examples';

function helpText(role: Role, customer: string | undefined): string {
  const quote = (xs: string[]) => xs.map((x) => `"${fillExample(x, customer)}"`).join(', ');
  return role === 'marketer'
    ? 'I answer from your order history. Ask me, for example:\n\n' +
        MARKETER_EXAMPLES.map((group) => `- ${quote(group)}`).join('\n') +
        `\n\nAfter an answer: ${quote(MARKETER_FOLLOW_UPS)}. "handoffs" lists customers waiting for a person.`
    : `I can recommend products (tell me a budget, e.g. ${quote(CUSTOMER_EXAMPLES.slice(0, 1))}), find something like a product you love, ` +
        'check your orders, answer questions about returns, refunds and delivery, take your feedback or get you a person. ' +
        'Say "stop" to get no more messages, or "forget me" to erase your data.';
}

export const SMALL_TALK = {
  help: async (ctx) => {
    const buttons = intentButtons(STARTERS[ctx.info.role]);
    if (ctx.info.role === 'marketer')
      buttons.push(
        button('Cohort retention', 'cohort retention'),
        button('Waiting for a person', 'handoffs'),
        button('Feedback summary', 'feedback summary'),
      );
    await sendWithButtons(ctx, helpText(ctx.info.role, ctx.app.reports.exampleCustomer()), buttons);
  },
  greeting: async (ctx) => {
    const name = ctx.info.identity?.displayName?.split(' ')[0];
    await sendWithButtons(
      ctx,
      `Hello${name ? ` ${name}` : ''}! ${ctx.info.role === 'marketer' ? 'What would you like to know about your customers?' : 'How can I help?'}`,
      intentButtons(STARTERS[ctx.info.role]),
    );
  },
  thanks: async (ctx) => {
    await ctx.turn.sendActivity("You're welcome!");
  },
  goodbye: async (ctx) => {
    await ctx.turn.sendActivity('Bye for now!');
  },
} satisfies Record<string, Handler>;
