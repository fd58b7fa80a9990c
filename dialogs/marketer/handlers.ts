/** Marketers' single-turn questions: each reads a report service and answers with a report. */
import { first, reportFilter } from '../entities';
import { intentButtons } from '../intents';
import { button, sendReport, sendWithButtons, type Handler, type HandlerContext } from '../handler';
import * as reports from '../../reports/builders/marketer';
import { sentenceCase } from '../../lib/text';
import { campaignListReport, campaignOutcomeReport } from '../../reports/builders/campaigns';

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
  await sendReport(ctx, reports.segmentOverviewReport(ctx.app.reports.segmentOverview(filter)));
};

const segmentDetail: Handler = async (ctx) => {
  const segment = first(entities(ctx), 'segment');
  if (!segment) {
    const overview = ctx.app.reports.segmentOverview();
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
    reports.segmentDetailReport(segment.value, ctx.app.reports.segmentDetail(segment.value, filter), filter),
  );
};

const churnReport: Handler = async (ctx) => {
  await sendReport(ctx, reports.churnReport(ctx.app.reports.churnOverview(reportFilter(entities(ctx)))));
};

const atRiskList: Handler = async (ctx) => {
  const filter = reportFilter(entities(ctx));
  const list = ctx.app.reports.atRisk(filter);
  await sendReport(ctx, reports.atRiskReport(list, ctx.app.reports.clvReliability().reason));
};

async function customer360(ctx: HandlerContext, id: string): Promise<void> {
  const report = ctx.app.reports.customer(id);
  if (!report) {
    await ctx.turn.sendActivity(
      `I don't know customer ${id}. Check the number, or import their orders first.`,
    );
    return;
  }
  await sendReport(
    ctx,
    reports.customerReport360(
      report,
      ctx.app.care.recentOrders(report.customerId, 5),
      ctx.app.recommendations.forExternalId(report.customer, 3),
    ),
  );
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
  await sendReport(ctx, reports.clvReport(ctx.app.reports.clvOverview(reportFilter(entities(ctx)))));
};

const productInsight: Handler = async (ctx) => {
  const filter = reportFilter(entities(ctx));
  const product = first(entities(ctx), 'product');
  const products = ctx.app.reports.topProducts(filter, 10);
  const describe = (sku: string) => sentenceCase(ctx.app.reports.productName(sku));
  const rules = product
    ? { sku: product.code, name: product.name, together: ctx.app.reports.boughtTogether(product.code) }
    : { strongest: ctx.app.reports.strongestRules(3) };
  await sendReport(ctx, reports.productInsightReport(products, filter, rules, describe));
};

const campaignStatus: Handler = async (ctx) => {
  const campaigns = ctx.app.campaigns;
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
  await sendReport(ctx, reports.modelStatusReport(ctx.app.reports.modelStatus()));
};

const createCampaign: Handler = async (ctx) => {
  return { dialogId: 'campaign', options: { text: ctx.info.understanding.text, entities: entities(ctx) } };
};

export const MARKETER_HANDLERS = {
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
} satisfies Record<string, Handler>;

/**
 * Exact commands for lists that have no intent of their own (and buttons in help): typed words
 * are matched before the intent model so they never depend on its confidence.
 */
export const MARKETER_COMMANDS: Array<{ pattern: RegExp; title: string; run: Handler }> = [
  {
    pattern: /^(show |list )?(open )?(handoffs?|hand-offs?|who is waiting\??|waiting customers)$/i,
    title: 'Waiting for a person',
    run: async (ctx) => sendReport(ctx, reports.handoffReport(ctx.app.reports.openHandoffs())),
  },
  {
    pattern: /^(show |customer )?(cohort retention|cohorts?|retention)( report| by cohort)?\??$/i,
    title: 'Cohort retention',
    run: async (ctx) => sendReport(ctx, reports.cohortRetentionReport(ctx.app.reports.cohortRetention())),
  },
  {
    pattern: /^(show |customer )?feedback( summary| report)?$/i,
    title: 'Feedback summary',
    run: async (ctx) => {
      const { summary, recentNegative } = ctx.app.reports.feedbackSummary(30);
      await sendReport(ctx, reports.feedbackReport(30, summary, recentNegative));
    },
  },
];
