/** Help, greetings, thanks and goodbyes: the same for every role, apart from the examples. */
import { button, sendWithButtons, type Handler } from './handler';
import { intentButtons, STARTERS } from './intents';
import type { Role } from './turn';

function helpText(role: Role): string {
  return role === 'marketer'
    ? 'I answer from your order history. Ask me, for example:\n\n' +
        '- "which segments do we have?" or "segments in Germany since March"\n' +
        '- "who is likely to churn in France?", "list the at-risk customers"\n' +
        '- "what is customer 12347 worth?"\n' +
        '- "top products last quarter", "what is bought with the regency cakestand?"\n' +
        '- "start a win-back for at-risk customers with 10% off", "how did campaign 1 do?"\n' +
        '- "cohort retention", "model status", "feedback summary", "handoffs" (customers waiting for a person)'
    : 'I can recommend products (tell me a budget, e.g. "gifts under £20"), find something like a product you love, ' +
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
    await sendWithButtons(ctx, helpText(ctx.info.role), buttons);
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
