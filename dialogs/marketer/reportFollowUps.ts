/**
 * Follow-ups to the fixed reports: after "who is likely to churn in Germany?", "and in France?"
 * or "what about last quarter?" asks the same report again with the new filter; after a
 * customer's card, "why?" explains their churn risk. The analyst handles follow-ups to its own
 * answers; these are the ones to the reports the intents answer.
 */
import type { Entity } from '../../nlp/entities/extract';
import { sentenceCase } from '../../lib/text';
import { sendWithButtons, button, type HandlerContext } from '../handler';
import { memoryOf } from '../turn';

/** Marketer reports that take a country, period, segment or product filter. */
const FILTERABLE = new Set([
  'segment_overview',
  'segment_detail',
  'churn_report',
  'at_risk_list',
  'clv_report',
  'product_insight',
]);
/** Reports about one customer. */
const ABOUT_A_CUSTOMER = new Set(['customer_lookup', 'clv_report']);

const FOLLOW_UP = /^(and|what about|how about|same for|same but|now|only|just|but|for|in)\b/i;
const WHY = /^(why|why so|how come|explain( that| this)?|what drives (it|that|this))\s*\??$/i;
/** Entity kinds a follow-up may change. */
const FILTERS = new Set<Entity['type']>(['country', 'dateRange', 'segment', 'product']);

export interface ReportContext {
  intent: string;
  entities: Entity[];
}

/** Remembers the report just asked for, so that a follow-up can refer to it. */
export function rememberReport(ctx: HandlerContext, intent: string): void {
  const memory = memoryOf(ctx.turn);
  // The newest question wins: the analyst's previous one is no longer what "and in France?" means.
  delete memory.lastQuestion;
  memory.lastReport = { intent, entities: ctx.info.understanding.entities };
}

export function forgetReport(ctx: HandlerContext): void {
  delete memoryOf(ctx.turn).lastReport;
}

/**
 * The report intent this message follows up, with its filters changed as the message says (null:
 * not a follow-up to the last report). "why?" after a customer's card is answered here directly.
 */
export async function reportFollowUp(ctx: HandlerContext): Promise<ReportContext | 'answered' | null> {
  const last = memoryOf(ctx.turn).lastReport as ReportContext | undefined;
  if (!last) return null;
  const { text, entities } = ctx.info.understanding;
  const customer = last.entities.find((e) => e.type === 'customerId');
  if (WHY.test(text.trim()) && ABOUT_A_CUSTOMER.has(last.intent) && customer?.type === 'customerId') {
    await explainCustomer(ctx, customer.value);
    return 'answered';
  }
  if (!FILTERABLE.has(last.intent) || !FOLLOW_UP.test(text.trim())) return null;
  const changed = entities.filter((e) => FILTERS.has(e.type));
  if (!changed.length) return null;
  const kinds = new Set(changed.map((e) => e.type));
  return { intent: last.intent, entities: [...last.entities.filter((e) => !kinds.has(e.type)), ...changed] };
}

/** Why a customer has their churn risk: every driver, raising or lowering it, in words. */
async function explainCustomer(ctx: HandlerContext, id: string): Promise<void> {
  const report = ctx.app.reports.customer(id);
  if (!report) {
    await ctx.turn.sendActivity(`I don't know customer ${id} any more.`);
    return;
  }
  const drivers = report.churn.drivers as Array<{ text?: string; direction?: string }>;
  const raises = drivers.filter((d) => d.direction === 'raises risk').map((d) => d.text);
  const lowers = drivers.filter((d) => d.direction === 'lowers risk').map((d) => d.text);
  const lines = [
    `Customer ${report.customer} has a ${(report.churn.probability * 100).toFixed(0)}% risk of not ordering in the next 90 days.`,
    raises.length ? `What raises it: ${raises.join('; ')}.` : '',
    lowers.length ? `What lowers it: ${lowers.join('; ')}.` : '',
    `They are in the ${sentenceCase(report.segment)} segment (recency, frequency and spend scores ${report.rfmScore.split('').join(', ')} out of 5).`,
  ].filter(Boolean);
  await sendWithButtons(ctx, lines.join('\n\n'), [
    button('Win back this segment', `start a win-back for the ${report.segment} segment with 10% off`),
  ]);
}
