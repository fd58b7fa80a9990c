/**
 * Customers' requests. A customer only ever sees their own data: orders are looked up with the
 * customer id of the verified link, never with an id typed in the message.
 */
import { MessageFactory } from 'botbuilder';
import type { OrderSummary } from '../../data/repositories/customerOrders';
import type { RecommendResult } from '../../analytics/recs';
import { budget, first } from '../entities';
import { button, sendWithButtons, type Handler, type HandlerContext } from '../handler';
import { intentButtons } from '../intents';
import { formatCell } from '../../reports/report';
import { sentenceCase } from '../../lib/text';
import { memoryOf } from '../turn';
import { VERIFY_DIALOG } from './verifyDialog';
import { FORGET_DIALOG } from './forgetMeDialog';
import { FEEDBACK_DIALOG } from './feedbackDialog';
import { RETURN_DIALOG } from './returnDialog';

const price = (v: number | null) => (v === null ? '' : formatCell(v, 'price'));
const productName = (p: { description?: string | null; sku: string }) => sentenceCase(p.description ?? p.sku);
/** Words that ask for other suggestions than the ones already shown. */
const SOMETHING_ELSE = /\b(different|else|other|others|another|more|new ones|not these)\b/i;

/** The customer record linked to this chat user, if any. */
export function linkedCustomer(ctx: HandlerContext) {
  const id = ctx.info.identity?.customerId;
  return id !== null && id !== undefined ? ctx.app.care.customerRecord(id) : undefined;
}

function recommendationText(intro: string, items: RecommendResult['items']): string {
  const lines = items.map(
    (r, i) =>
      `${i + 1}. **${productName(r)}**${r.unitPrice !== null ? ` (${price(r.unitPrice)})` : ''}: ${r.reason.text}`,
  );
  return [intro, ...lines].join('\n\n');
}

async function sendRecommendations(ctx: HandlerContext, gift: boolean): Promise<void> {
  const entities = ctx.info.understanding.entities;
  const limits = budget(entities);
  // Marketers may ask on a customer's behalf; customers only ever get their own.
  const askedFor = ctx.info.role === 'marketer' ? first(entities, 'customerId') : undefined;
  const customer = askedFor ? ctx.app.care.customerRecordByExternalId(askedFor.value) : linkedCustomer(ctx);
  // "Something different": what this conversation was already shown is left out.
  const memory = memoryOf(ctx.turn);
  const seen = SOMETHING_ELSE.test(ctx.info.understanding.text) ? (memory.recommended ?? []) : [];
  const result = ctx.app.recommendations.forCustomer(customer, { k: 5, ...limits, exclude: seen });
  if (!result) {
    await ctx.turn.sendActivity(
      'Recommendations are not ready yet: the recommender has not been trained. Please try again later.',
    );
    return;
  }
  const within =
    limits.maxPrice !== undefined && limits.minPrice !== undefined
      ? ` around ${price((limits.minPrice + limits.maxPrice) / 2)}`
      : limits.maxPrice !== undefined
        ? ` under ${price(limits.maxPrice)}`
        : limits.minPrice !== undefined
          ? ` over ${price(limits.minPrice)}`
          : '';
  if (!result.items.length) {
    await ctx.turn.sendActivity(
      seen.length
        ? `That's everything I can suggest${within} for now. Try a different budget, or ask for something like a product you love.`
        : `I found nothing${within}. Try a different budget?`,
    );
    return;
  }
  memory.recommended = [...new Set([...seen, ...result.items.map((i) => i.sku)])].slice(-50);
  const personal = customer && !result.coldStart;
  const intro = seen.length
    ? `Some different ideas${within}:`
    : gift
      ? `Gift ideas${within}:`
      : personal
        ? `Picked for you${within}:`
        : `Popular right now${within}:`;
  const buttons = personal || ctx.info.role === 'marketer' ? [] : [button('Personal picks', 'verify me')];
  await sendWithButtons(ctx, recommendationText(intro, result.items), [
    button('Something different', 'show me something different'),
    ...buttons,
  ]);
}

const recommendations: Handler = (ctx) => sendRecommendations(ctx, false);
const giftIdeas: Handler = (ctx) => sendRecommendations(ctx, true);

const similarItems: Handler = async (ctx) => {
  const product = first(ctx.info.understanding.entities, 'product');
  if (!product) {
    await ctx.turn.sendActivity(
      'Which product? Tell me its name or code, e.g. "something like the white hanging heart t-light holder".',
    );
    return;
  }
  const similar = ctx.app.recommendations.similar(product.code, 5);
  if (!similar?.length) {
    await ctx.turn.sendActivity(`I have nothing similar to ${product.name} yet.`);
    return;
  }
  const lines = similar.map(
    (s, i) =>
      `${i + 1}. **${productName(s)}**${s.unitPrice !== null ? ` (${price(s.unitPrice)})` : ''}: ${s.reason.text}`,
  );
  await ctx.turn.sendActivity(
    MessageFactory.text([`Like ${sentenceCase(product.name)}:`, ...lines].join('\n\n')),
  );
};

const orderStatus: Handler = async (ctx) => {
  const customer = linkedCustomer(ctx);
  if (!customer) return { dialogId: VERIFY_DIALOG, options: { then: 'order_status' } };
  const invoice = first(ctx.info.understanding.entities, 'invoice');
  if (invoice) {
    const found = ctx.app.care.ownOrder(customer.id, invoice.value);
    if (!found) {
      await ctx.turn.sendActivity(
        `I can't find order ${invoice.value} on your account. Check the number on your confirmation email?`,
      );
      return;
    }
    const { order, lines } = found;
    const items = lines
      .slice(0, 5)
      .map((l) => `${Math.abs(l.quantity)} × ${sentenceCase(l.description ?? l.sku)}`);
    await ctx.turn.sendActivity(
      `${describeOrder(order)}.\n\n${items.join('\n\n')}${lines.length > 5 ? `\n\n…and ${lines.length - 5} more` : ''}`,
    );
    return;
  }
  // Oldest first, so a cancellation or return reads after the order it undoes.
  const orders = ctx.app.care.recentOrders(customer.id, 4).reverse();
  if (!orders.length) {
    await ctx.turn.sendActivity('I have no orders on your account yet.');
    return;
  }
  const lines = orders.map(describeOrder);
  await sendWithButtons(
    ctx,
    [
      `Your latest orders:`,
      ...lines,
      `I can't see parcel tracking; delivery times are below if you need them.`,
    ].join('\n\n'),
    intentButtons(['delivery_question', 'returns_refunds', 'talk_to_person']),
  );
};

/** An order, cancellation or return in words, amounts in pounds and pence. */
function describeOrder(o: OrderSummary): string {
  const date = o.orderedAt.slice(0, 10);
  const items = `${Math.abs(o.items)} item${Math.abs(o.items) === 1 ? '' : 's'}`;
  if (o.kind === 'cancellation')
    return `**${o.invoice}**, ${date}: cancellation of ${items}, ${price(Math.abs(o.total))} not charged`;
  if (o.kind === 'return')
    return `**${o.invoice}**, ${date}: return of ${items}, ${price(Math.abs(o.total))} refunded`;
  return `**Order ${o.invoice}**, ${date}: ${items}, ${price(o.total)}`;
}

function faqHandler(topics: Array<'returns' | 'refunds' | 'delivery' | 'other'>): Handler {
  return async (ctx) => {
    const entries = ctx.app.care.faq(topics, ctx.info.understanding.text);
    if (!entries.length) {
      await sendWithButtons(ctx, "I don't have an answer for that here.", intentButtons(['talk_to_person']));
      return;
    }
    await sendWithButtons(
      ctx,
      entries.map((e) => `**${e.question}**\n\n${e.answer}`).join('\n\n'),
      intentButtons(['talk_to_person']),
    );
  };
}

const returns: Handler = async (ctx) => {
  const invoice = first(ctx.info.understanding.entities, 'invoice')?.value;
  return { dialogId: RETURN_DIALOG, options: { text: ctx.info.understanding.text, invoice } };
};

const feedback: Handler = async (ctx) => ({
  dialogId: FEEDBACK_DIALOG,
  options: { text: ctx.info.understanding.text },
});

const talkToPerson: Handler = async (ctx) => {
  const { id, created } = ctx.app.care.requestPerson(ctx.info.identity, ctx.info.understanding.text);
  await ctx.turn.sendActivity(
    created
      ? `I've asked a member of our team to get back to you in this chat (request #${id}). Anything you add here, they will see.`
      : `You're already in the queue (request #${id}); a member of our team will get back to you in this chat.`,
  );
};

const unsubscribe: Handler = async (ctx) => {
  const customer = linkedCustomer(ctx);
  if (!customer) {
    await ctx.turn.sendActivity(
      "Done: I won't send you any messages. (I only ever message customers whose account is linked to this chat, and yours isn't.)",
    );
    return;
  }
  const changed = ctx.app.care.optOut(customer.id);
  await sendWithButtons(
    ctx,
    changed
      ? 'You\'re unsubscribed: no more offers or messages from us. Say "resubscribe" any time to get them again.'
      : "You're already unsubscribed: we don't send you offers or messages.",
    [button('Resubscribe', 'resubscribe')],
  );
};

const resubscribe: Handler = async (ctx) => {
  const customer = linkedCustomer(ctx);
  if (!customer) return { dialogId: VERIFY_DIALOG, options: { then: 'resubscribe' } };
  const changed = ctx.app.care.resubscribe(customer.id);
  await ctx.turn.sendActivity(
    changed
      ? 'Welcome back: you\'ll get our offers again. Say "stop" any time to opt out.'
      : "You're subscribed already; nothing to change.",
  );
};

const forgetMe: Handler = async () => ({ dialogId: FORGET_DIALOG, options: {} });

const verifyMe: Handler = async (ctx) => {
  if (linkedCustomer(ctx)) {
    await ctx.turn.sendActivity('You are verified already.');
    return;
  }
  return { dialogId: VERIFY_DIALOG, options: { then: 'recommendations' } };
};

export const CUSTOMER_HANDLERS = {
  recommendations,
  gift_ideas: giftIdeas,
  similar_items: similarItems,
  order_status: orderStatus,
  returns_refunds: returns,
  delivery_question: faqHandler(['delivery']),
  feedback_complaint: feedback,
  talk_to_person: talkToPerson,
  unsubscribe,
  resubscribe,
  forget_me: forgetMe,
} satisfies Record<string, Handler>;

/** Exact customer commands (button texts), matched before the intent model. */
export const CUSTOMER_COMMANDS: Array<{ pattern: RegExp; run: Handler }> = [
  { pattern: /^(verify me|link my account|verify my account)$/i, run: verifyMe },
];
