/**
 * Marketers' answers as Report objects (rendered per channel by the renderers in reports/). Pure
 * functions of what the services return, so the wording and the numbers are tested without a bot.
 */
import type { Report } from '../report';
import { formatCell } from '../report';
import { plainClvWarning, RECENT_BUYER_DAYS } from '../../services/reports';
import { stageLabel } from '../../analytics/stage/stage';
import { sentenceCase } from '../../lib/text';
import type {
  AtRiskList,
  ChurnOverview,
  ClvOverview,
  CohortRetention,
  CustomerReport,
  GroupSummary,
  ModelStatus,
  ReportFilter,
  SegmentDetail,
  SegmentOverview,
} from '../../services/reports';
import type { StoredScore } from '../../data/repositories/customerScores';
import type { OrderSummary } from '../../data/repositories/customerOrders';
import type { RecommendResult } from '../../analytics/recs';
import type { TopProduct } from '../../data/repositories/salesInsights';
import type { AssociationRule } from '../../analytics/rules/associationRules';
import type { FeedbackEntry, FeedbackSummary } from '../../data/repositories/feedback';
import type { Handoff } from '../../data/repositories/handoffs';

const money = (v: number | null) => formatCell(v, 'money');
const pct = (v: number) => formatCell(v, 'percent');
const num = (v: number) => formatCell(v, 'number');
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '–');

/** "in Germany, orders from 2011-03-01 to 2011-05-31" or "" for the whole base. */
export function describeFilter(filter: ReportFilter): string {
  const parts: string[] = [];
  if (filter.country) parts.push(`in ${filter.country}`);
  if (filter.from || filter.before) {
    const to = filter.before ? new Date(filter.before.getTime() - 1) : null;
    parts.push(
      `buying ${filter.from ? `from ${day(filter.from.toISOString())}` : ''}${to ? ` to ${day(to.toISOString())}` : ''}`.replace(
        'buying  ',
        'buying ',
      ),
    );
  }
  return parts.join(', ');
}

const subtitle = (asOf: string, filter: ReportFilter, extra = '') =>
  [`As of ${day(asOf)}`, describeFilter(filter), extra].filter(Boolean).join(' · ');

function groupRows(groups: GroupSummary[]) {
  return groups.map((g) => [
    g.name,
    g.customers,
    g.revenueShare,
    g.meanRecencyDays,
    g.meanFrequency,
    g.meanMonetary,
  ]);
}

const GROUP_COLUMNS = [
  { header: 'Segment' },
  { header: 'Customers', kind: 'number' as const },
  { header: 'Revenue share', kind: 'percent' as const },
  { header: 'Days since order', kind: 'number' as const },
  { header: 'Orders', kind: 'number' as const },
  { header: 'Spend', kind: 'money' as const },
];

export function segmentOverviewReport(o: SegmentOverview): Report {
  const top = o.segments[0];
  return {
    title: 'Customer segments',
    subtitle: subtitle(o.asOf, o.filter, `${num(o.customers)} customers`),
    facts: top
      ? [
          { label: 'Segments', value: String(o.segments.length) },
          {
            label: 'Largest revenue',
            value: `${top.name} (${pct(top.revenueShare)} of revenue, ${num(top.customers)} customers)`,
          },
        ]
      : [{ label: 'Customers', value: '0' }],
    table: { columns: GROUP_COLUMNS, rows: groupRows(o.segments) },
    notes: o.clusters.length
      ? [`Clusters found by k-means: ${o.clusters.map((c) => `${c.name} (${num(c.customers)})`).join('; ')}.`]
      : undefined,
    actions: o.segments
      .slice(0, 3)
      .map((g) => ({ title: `Drill into ${g.name}`, text: `tell me about the ${g.name} segment` })),
    chart: o.segments.length
      ? {
          kind: 'bar',
          title: 'Revenue share by segment',
          valueLabel: 'Share of revenue',
          valueFormat: 'percent',
          bars: o.segments.map((g) => ({ label: g.name, value: g.revenueShare })),
        }
      : undefined,
  };
}

export function segmentDetailReport(name: string, d: SegmentDetail, filter: ReportFilter): Report {
  if (!d.summary) {
    return {
      title: `Segment: ${name}`,
      subtitle: subtitle(d.asOf, filter),
      notes: [`No customers are in ${name} ${describeFilter(filter)} right now.`.replace(/\s+\./, '.')],
      actions: [{ title: 'All segments', text: 'show me the segments' }],
    };
  }
  const s = d.summary;
  return {
    title: `Segment: ${name}`,
    subtitle: subtitle(d.asOf, filter),
    facts: [
      { label: 'Customers', value: `${num(s.customers)} (${pct(s.customerShare)} of customers)` },
      { label: 'Revenue', value: `${money(s.revenue)} (${pct(s.revenueShare)} of revenue)` },
      {
        label: 'Typical customer',
        value: `ordered ${num(s.meanFrequency)} times, spent ${money(s.meanMonetary)}, last order ${num(Math.round(s.meanRecencyDays))} days ago`,
      },
      ...(d.topCountries.length
        ? [
            {
              label: 'Top countries',
              value: d.topCountries.map((c) => `${c.country} (${c.customers})`).join(', '),
            },
          ]
        : []),
      ...(d.topProducts.length
        ? [
            {
              label: 'Most bought',
              value: d.topProducts
                .slice(0, 3)
                .map((p) => p.name)
                .join('; '),
            },
          ]
        : []),
    ],
    table: {
      columns: [
        { header: 'Customer' },
        { header: 'Country' },
        { header: 'Spend', kind: 'money' },
        { header: 'Orders', kind: 'number' },
        { header: 'Churn risk', kind: 'percent' },
      ],
      rows: d.members
        .slice(0, 10)
        .map((m) => [m.externalId, m.country, m.monetary, m.frequency, m.churnProbability]),
    },
    actions: [
      { title: `Win back ${name}`, text: `start a win-back for the ${name} segment with 10% off` },
      { title: 'Churn report', text: 'churn report' },
    ],
  };
}

const driverText = (s: StoredScore) =>
  (s.churnDrivers as Array<{ text?: string; direction?: string }>)
    .filter((d) => d.direction !== 'lowers risk')
    .slice(0, 2)
    .map((d) => d.text)
    .filter(Boolean)
    .join('; ') || '–';

export function churnReport(o: ChurnOverview): Report {
  return {
    title: 'Churn risk',
    subtitle: subtitle(o.asOf, o.filter, `${num(o.customers)} customers`),
    facts: [
      {
        label: 'Expected to stop buying',
        value: `${num(Math.round(o.expectedChurners))} (${pct(o.meanChurnProbability)} on average)`,
      },
      { label: 'Lifetime value at risk', value: money(o.clvAtRisk) },
      {
        label: 'Stages',
        value: Object.entries(o.byStage)
          .sort((a, b) => b[1] - a[1])
          .map(([stage, n]) => `${stageLabel(stage)} ${num(n)}`)
          .join(', '),
      },
    ],
    table: {
      columns: [
        { header: 'Customer' },
        { header: 'Churn risk', kind: 'percent' },
        { header: 'Segment' },
        { header: 'Why' },
      ],
      rows: o.top.map((s) => [s.externalId, s.churnProbability, s.segment, driverText(s)]),
    },
    chart: o.probabilities.length
      ? {
          kind: 'histogram',
          title: 'Customers by churn risk',
          valueLabel: 'Probability of no order in the next 90 days',
          valueFormat: 'percent',
          values: o.probabilities,
          extent: [0, 1],
          binCount: 10,
        }
      : undefined,
    actions: [
      { title: 'At-risk list', text: 'list the at-risk customers' },
      { title: 'Start a win-back', text: 'start a win-back for at-risk customers with 10% off' },
    ],
  };
}

export function atRiskReport(list: AtRiskList, clvNote: string | null = null): Report {
  const value = (s: StoredScore) => Math.max(0, list.valueIsClv && s.clv !== null ? s.clv : s.monetary);
  const notes = [
    `On the list: the At risk segment, and anyone with a churn risk of ${pct(list.minProbability)} or more; ` +
      `ranked by what is at stake (churn risk × ${list.valueIsClv ? 'predicted lifetime value' : 'spend so far'}).`,
  ];
  if (list.recentBuyersLeftOut)
    notes.push(
      `${num(list.recentBuyersLeftOut)} customers who ordered in the last ${RECENT_BUYER_DAYS} days are left out: ` +
        'they are welcomed, not won back.',
    );
  if (!list.valueIsClv && clvNote) notes.push(clvNote);
  if (list.total === 0) notes.push('Nobody qualifies with this filter.');
  return {
    title: 'Customers worth winning back',
    subtitle: subtitle(
      list.asOf,
      list.filter,
      `${num(list.total)} customers, ${money(list.stakeTotal)} at stake`,
    ),
    table: {
      columns: [
        { header: 'Customer' },
        { header: 'Country' },
        { header: 'Segment' },
        { header: 'Churn risk', kind: 'percent' },
        { header: list.valueIsClv ? 'Lifetime value' : 'Spent so far', kind: 'money' },
        { header: 'At stake', kind: 'money' },
        { header: 'Why' },
      ],
      rows: list.top.map((s) => [
        s.externalId,
        s.country,
        s.segment,
        s.churnProbability,
        list.valueIsClv ? s.clv : s.monetary,
        s.churnProbability * value(s),
        driverText(s),
      ]),
    },
    notes,
    actions: [{ title: 'Start a win-back', text: 'start a win-back for at-risk customers with 10% off' }],
  };
}

export function customerReport360(
  r: CustomerReport,
  orders: OrderSummary[],
  recs: RecommendResult | null,
): Report {
  const drivers = (r.churn.drivers as Array<{ text?: string }>)
    .slice(0, 3)
    .map((d) => d.text)
    .filter(Boolean);
  const notes: string[] = [];
  const clvNote = plainClvWarning(r.clvWarnings);
  if (clvNote) notes.push(clvNote);
  if (recs?.items.length)
    notes.push(
      `Would likely buy next: ${recs.items.map((i) => sentenceCase(i.description ?? i.sku)).join('; ')}.`,
    );
  return {
    title: `Customer ${r.customer}`,
    subtitle: `As of ${day(r.asOf)}${r.country ? ` · ${r.country}` : ''}`,
    facts: [
      { label: 'Segment', value: `${r.segment} (RFM ${r.rfmScore})` },
      {
        label: 'Stage',
        value: `${stageLabel(r.stage.current)}${r.stage.since ? ` since ${day(r.stage.since)}` : ''}`,
      },
      {
        label: 'Orders',
        value: `${num(r.frequency)}, spent ${money(r.monetary)}, last ${num(Math.round(r.recencyDays))} days ago`,
      },
      {
        label: 'Churn risk',
        value: `${pct(r.churn.probability)}${drivers.length ? `: ${drivers.join('; ')}` : ''}`,
      },
      // On thin data the value model's figures look precise and mean little: left out, and said why.
      ...(clvNote
        ? []
        : [
            { label: 'Lifetime value (12 months)', value: money(r.clv) },
            { label: 'Probability still active', value: pct(r.pAlive) },
          ]),
      ...(r.cluster.description ? [{ label: 'Cluster', value: r.cluster.description }] : []),
    ],
    table: orders.length
      ? {
          columns: [
            { header: 'Order' },
            { header: 'Date' },
            { header: 'Kind' },
            { header: 'Items', kind: 'number' },
            { header: 'Total', kind: 'money' },
          ],
          rows: orders.map((o) => [o.invoice, day(o.orderedAt), o.kind, o.items, o.total]),
        }
      : undefined,
    notes: notes.length ? notes : undefined,
    actions: [{ title: 'Churn report', text: 'churn report' }],
  };
}

export function clvReport(o: ClvOverview): Report {
  return {
    title: 'Customer lifetime value (next 12 months)',
    subtitle: subtitle(o.asOf, o.filter, `${num(o.customers)} customers`),
    facts: [
      { label: 'Total predicted value', value: money(o.totalClv) },
      { label: 'Per customer', value: money(o.customers ? o.totalClv / o.customers : 0) },
    ],
    table: {
      columns: [
        { header: 'Segment' },
        { header: 'Customers', kind: 'number' },
        { header: 'Total', kind: 'money' },
        { header: 'Per customer', kind: 'money' },
      ],
      rows: o.bySegment.map((g) => [g.name, g.customers, g.totalClv, g.meanClv]),
    },
    notes: [
      ...(o.warnings.length ? [plainClvWarning(o.warnings)!] : []),
      `Most valuable: ${o.top
        .slice(0, 5)
        .map((s) => `${s.externalId} (${money(s.clv)})`)
        .join(', ')}.`,
    ],
    chart: o.bySegment.length
      ? {
          kind: 'bar',
          title: 'Predicted value by segment',
          valueLabel: 'Lifetime value, next 12 months',
          valueFormat: 'money',
          bars: o.bySegment.map((g) => ({ label: g.name, value: g.totalClv })),
        }
      : undefined,
  };
}

export function cohortRetentionReport(c: CohortRetention): Report {
  const last = c.cohorts[c.cohorts.length - 1];
  return {
    title: 'Cohort retention',
    subtitle: `Customers by month of first order: share who ordered again N months later · as of ${day(c.asOf)}`,
    table: {
      columns: [
        { header: 'First order' },
        { header: 'Customers', kind: 'number' },
        ...Array.from({ length: c.months }, (_, m) => ({ header: `+${m + 1} mo`, kind: 'percent' as const })),
      ],
      rows: c.cohorts.map((k) => [
        k.cohort,
        k.customers,
        ...Array.from({ length: c.months }, (_, m) => k.retained[m] ?? null),
      ]),
    },
    notes: last
      ? [`The newest cohort (${last.cohort}) has had the least time to come back.`]
      : ['No orders yet.'],
    chart: c.cohorts.length
      ? {
          kind: 'heatmap',
          title: 'Share of each cohort ordering again',
          rowLabel: 'First order',
          columnLabel: 'Months later',
          valueFormat: 'percent',
          cells: c.cohorts.flatMap((k) =>
            Array.from({ length: c.months }, (_, m) => ({
              row: k.cohort,
              column: `+${m + 1}`,
              value: k.retained[m] ?? null,
            })),
          ),
        }
      : undefined,
  };
}

export function productInsightReport(
  products: TopProduct[],
  filter: ReportFilter,
  rules: { sku: string; name: string; together: AssociationRule[] } | { strongest: AssociationRule[] },
  describe: (sku: string) => string,
): Report {
  if ('together' in rules) return boughtWithReport(rules, describe);
  const ruleText = (r: AssociationRule) =>
    `${r.antecedent.map(describe).join(' + ')} → ${r.consequent.map(describe).join(' + ')} (in ${pct(r.confidence)} of baskets with the first, ${r.lift.toFixed(1)}x more often than chance)`;
  return {
    title: 'Top products',
    subtitle: [describeFilter(filter), 'by revenue'].filter(Boolean).join(' · '),
    table: {
      columns: [
        { header: 'Product' },
        { header: 'SKU' },
        { header: 'Customers', kind: 'number' },
        { header: 'Units', kind: 'number' },
        { header: 'Revenue', kind: 'money' },
      ],
      rows: products.map((p) => [
        sentenceCase(p.description ?? describe(p.sku)),
        p.sku,
        p.customers,
        p.quantity,
        p.revenue,
      ]),
    },
    notes: rules.strongest.length
      ? [`Strongest bought-together rules: ${rules.strongest.map(ruleText).join('; ')}.`]
      : [],
  };
}

/** "What is bought with X": the products in X's baskets, how often, and against chance. */
function boughtWithReport(
  rules: { sku: string; name: string; together: AssociationRule[] },
  describe: (sku: string) => string,
): Report {
  const name = describe(rules.sku);
  if (!rules.together.length)
    return {
      title: `Bought with ${name}`,
      notes: [
        `No product is bought with ${name} often enough to count: a pair has to be in at least 1% of all ` +
          'baskets, and in 30% of the baskets with it.',
      ],
    };
  return {
    title: `Bought with ${name}`,
    subtitle: 'Products in the same baskets, most telling first',
    table: {
      columns: [
        { header: 'Product' },
        { header: 'SKU' },
        { header: `Share of ${name} baskets`, kind: 'percent' },
        { header: 'More often than chance' },
        { header: 'Baskets with both', kind: 'number' },
      ],
      rows: rules.together.map((r) => [
        r.consequent.map(describe).join(' + '),
        r.consequent.join(' + '),
        r.confidence,
        `${r.lift.toFixed(1)}×`,
        r.count,
      ]),
    },
    notes: [
      `"Share of baskets": of the orders with ${name}${rules.together.some((r) => r.antecedent.length > 1) ? ' (and the other products named)' : ''}, how many also had the product. ` +
        '"More often than chance": how much more often than if the two were bought independently.',
    ],
    actions: [{ title: 'Top products', text: 'what are our top products?' }],
  };
}

export function modelStatusReport(models: ModelStatus[]): Report {
  const headline = (m: ModelStatus): string => {
    const metrics = m.metrics as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const v = metrics.validation;
    if (m.model === 'churn' && v?.auc !== undefined) return `validation AUC ${Number(v.auc).toFixed(3)}`;
    if (m.model === 'recs' && v?.hitRate !== undefined) return `hit rate@10 ${Number(v.hitRate).toFixed(3)}`;
    if (m.model === 'segments') return `${(metrics.segmentProfiles ?? []).length} segments`;
    if (m.model === 'clv') return (metrics.warnings ?? []).length ? 'fit has warnings' : 'fit ok';
    if (m.model === 'uplift')
      return metrics.usable && v?.qini !== undefined
        ? `held-out Qini ${Number(v.qini).toFixed(3)}`
        : `not used for targeting: ${metrics.reason ?? 'unknown'}`;
    return '';
  };
  return {
    title: 'Models',
    subtitle: models.length ? `${models.length} trained` : 'nothing trained yet',
    table: {
      columns: [
        { header: 'Model' },
        { header: 'Data as of' },
        { header: 'Trained' },
        { header: 'Quality' },
        { header: 'Version' },
      ],
      rows: models.map((m) => [
        m.model,
        day(m.asOf),
        m.trainedAt.slice(0, 16).replace('T', ' '),
        headline(m),
        m.version,
      ]),
    },
    notes: models.length ? undefined : ['Run `retain train` to fit segments, churn and lifetime value.'],
  };
}

export function feedbackReport(days: number, s: FeedbackSummary, negative: FeedbackEntry[]): Report {
  return {
    title: `Customer feedback, last ${days} days`,
    facts: [
      { label: 'Messages', value: num(s.total) },
      {
        label: 'Positive / neutral / negative',
        value: `${s.byLabel.positive} / ${s.byLabel.neutral} / ${s.byLabel.negative}`,
      },
      { label: 'Mean sentiment', value: s.meanScore === null ? '–' : s.meanScore.toFixed(2) },
    ],
    table: negative.length
      ? {
          columns: [
            { header: 'When' },
            { header: 'Sentiment', kind: 'number' },
            { header: 'What they said' },
          ],
          rows: negative.map((f) => [day(f.createdAt), f.sentimentScore, f.text.slice(0, 140)]),
        }
      : undefined,
  };
}

export function handoffReport(handoffs: Handoff[]): Report {
  return {
    title: 'Customers waiting for a person',
    subtitle: `${handoffs.length} open`,
    table: handoffs.length
      ? {
          columns: [
            { header: '#', kind: 'number' },
            { header: 'Since' },
            { header: 'Customer' },
            { header: 'Channel' },
            { header: 'Why' },
          ],
          rows: handoffs.map((h) => [
            h.id,
            h.createdAt.slice(0, 16).replace('T', ' '),
            h.customer ?? h.displayName ?? 'unverified visitor',
            h.channelId,
            h.reason,
          ]),
        }
      : undefined,
    notes: handoffs.length ? undefined : ['Nobody is waiting.'],
  };
}
