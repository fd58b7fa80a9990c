/** Marketers' single-turn questions: each reads the Assistant and answers with a report. */
import { NotTrainedError } from '../assistant';
import { first, reportFilter } from '../entities';
import {
  button,
  intentButtons,
  sendReport,
  sendWithButtons,
  type Handler,
  type HandlerContext,
} from '../handler';
import * as reports from './reports';
import { campaignListReport, campaignOutcomeReport } from './campaignReports';

/** Reports need trained analytics; say how to get them rather than failing. */
export async function explainNotTrained(ctx: HandlerContext): Promise<void> {
  await sendWithButtons(
    ctx,
    'There are no analytics yet: the models have not been trained on your orders. ' +
      'Run `retain train` (or wait for the nightly job), then ask again.',
    intentButtons(['model_status', 'help']),
  );
}

const entities = (ctx: HandlerContext) => ctx.info.understanding.entities;

const segmentOverview: Handler = async (ctx) => {
  const filter = reportFilter(entities(ctx));
  await sendReport(ctx, reports.segmentOverviewReport(ctx.assistant.segmentOverview(filter)));
};

const segmentDetail: Handler = async (ctx) => {
  const segment = first(entities(ctx), 'segment');
  if (!segment) {
    const overview = ctx.assistant.segmentOverview();
    await sendWithButtons(
      ctx,
      'Which segment? Pick one:',
      overview.segments.slice(0, 6).map((s) => button(s.name, `tell me about the ${s.name} segment`)),
    );
    return;
  }
  const filter = reportFilter(entities(ctx));
  await sendReport(
    ctx,
    reports.segmentDetailReport(segment.value, ctx.assistant.segmentDetail(segment.value, filter), filter),
  );
};

const churnReport: Handler = async (ctx) => {
  await sendReport(ctx, reports.churnReport(ctx.assistant.churnOverview(reportFilter(entities(ctx)))));
};

const atRiskList: Handler = async (ctx) => {
  const filter = reportFilter(entities(ctx));
  const { asOf, total, top } = ctx.assistant.atRisk(filter);
  await sendReport(ctx, reports.atRiskReport(asOf, filter, total, top));
};

async function customer360(ctx: HandlerContext, id: string): Promise<void> {
  const found = ctx.assistant.customer360(id);
  if (!found) {
    await ctx.turn.sendActivity(
      `I don't know customer ${id}. Check the number, or import their orders first.`,
    );
    return;
  }
  await sendReport(ctx, reports.customerReport360(found.report, found.orders, found.recommendations));
}

const customerLookup: Handler = async (ctx) => {
  const id = first(entities(ctx), 'customerId');
  if (!id) {
    await ctx.turn.sendActivity('Which customer? Give me their customer number, e.g. "customer 12347".');
    return;
  }
  await customer360(ctx, id.value);
};

const clvReport: Handler = async (ctx) => {
  const id = first(entities(ctx), 'customerId');
  if (id) return customer360(ctx, id.value);
  await sendReport(ctx, reports.clvReport(ctx.assistant.clvOverview(reportFilter(entities(ctx)))));
};

const productInsight: Handler = async (ctx) => {
  const filter = reportFilter(entities(ctx));
  const product = first(entities(ctx), 'product');
  const products = ctx.assistant.topProducts(filter, 10);
  const names = new Map(products.map((p) => [p.sku, p.description ?? p.sku]));
  const describe = (sku: string) => names.get(sku) ?? sku;
  const rules = product
    ? { sku: product.code, name: product.name, together: ctx.assistant.boughtTogether(product.code) }
    : { strongest: ctx.assistant.strongestRules(3) };
  await sendReport(ctx, reports.productInsightReport(products, filter, rules, describe));
};

const campaignStatus: Handler = async (ctx) => {
  const campaigns = ctx.assistant.campaigns;
  if (!campaigns) {
    await ctx.turn.sendActivity('Campaigns are not available in this installation yet.');
    return;
  }
  const list = campaigns.list();
  if (!list.length) {
    await sendWithButtons(ctx, 'No campaigns yet.', intentButtons(['create_campaign']));
    return;
  }
  const wanted = /#?\b(\d{1,6})\b/.exec(ctx.info.understanding.text);
  const chosen = wanted ? list.find((c) => c.id === Number(wanted[1])) : undefined;
  if (chosen || list.length === 1) {
    const outcome = campaigns.report((chosen ?? list[0]).id);
    if (outcome) return sendReport(ctx, campaignOutcomeReport(outcome));
  }
  await sendReport(ctx, campaignListReport(list));
};

const modelStatus: Handler = async (ctx) => {
  await sendReport(ctx, reports.modelStatusReport(ctx.assistant.modelStatus()));
};

const createCampaign: Handler = async (ctx) => {
  if (!ctx.assistant.campaigns) {
    await ctx.turn.sendActivity('Campaigns are not available in this installation yet.');
    return;
  }
  return { dialogId: 'campaign', options: { text: ctx.info.understanding.text, entities: entities(ctx) } };
};

export const MARKETER_HANDLERS: Record<string, Handler> = {
  segment_overview: segmentOverview,
  segment_detail: segmentDetail,
  churn_report: churnReport,
  at_risk_list: atRiskList,
  customer_lookup: customerLookup,
  clv_report: clvReport,
  product_insight: productInsight,
  create_campaign: createCampaign,
  campaign_status: campaignStatus,
  model_status: modelStatus,
};

/**
 * Exact commands for lists that have no intent of their own (and buttons in help): typed words
 * are matched before the intent model so they never depend on its confidence.
 */
export const MARKETER_COMMANDS: Array<{ pattern: RegExp; title: string; run: Handler }> = [
  {
    pattern: /^(show |list )?(open )?(handoffs?|hand-offs?|who is waiting\??|waiting customers)$/i,
    title: 'Waiting for a person',
    run: async (ctx) => sendReport(ctx, reports.handoffReport(ctx.assistant.openHandoffs())),
  },
  {
    pattern: /^(show |customer )?(cohort retention|cohorts?|retention)( report| by cohort)?\??$/i,
    title: 'Cohort retention',
    run: async (ctx) => sendReport(ctx, reports.cohortRetentionReport(ctx.assistant.cohortRetention())),
  },
  {
    pattern: /^(show |customer )?feedback( summary| report)?$/i,
    title: 'Feedback summary',
    run: async (ctx) => {
      const { summary, recentNegative } = ctx.assistant.feedbackSummary(30);
      await sendReport(ctx, reports.feedbackReport(30, summary, recentNegative));
    },
  },
];

export function isNotTrained(err: unknown): boolean {
  return err instanceof NotTrainedError;
}
