/** Campaign previews and outcomes as reports. */
import { formatCell, type ChartSpec, type Report } from '../report';
import type {
  AudienceFilter,
  AudiencePreview,
  CampaignOutcome,
  ChannelOutcome,
} from '../../services/campaigns';
import type { EffectEstimate } from '../../analytics/uplift/calibration';

const pct = (v: number) => formatCell(v, 'percent');
const num = (v: number) => formatCell(v, 'number');

export function describeAudience(a: AudienceFilter): string {
  const parts: string[] = [];
  if (a.firstPurchaseDelayDays !== undefined)
    parts.push(`first purchase ${num(a.firstPurchaseDelayDays)} days ago`);
  if (a.secondPurchaseAfterDays !== undefined)
    parts.push(`one purchase only, ${num(a.secondPurchaseAfterDays)} days ago`);
  if (a.segment) parts.push(`segment ${a.segment}`);
  if (a.stage) parts.push(`stage ${a.stage}`);
  if (a.minChurnProbability !== undefined) parts.push(`churn risk ≥ ${pct(a.minChurnProbability)}`);
  if (a.country) parts.push(`in ${a.country}`);
  if (a.targeting === 'uplift') {
    const share = a.upliftShare !== undefined ? `top ${pct(a.upliftShare).replace('.0%', '%')} ` : '';
    return `${share}customers the offer is most likely to change${parts.length ? ` (${parts.join(', ')})` : ''}`;
  }
  return parts.join(', ') || 'everyone';
}

export function describeOffer(o: { percentOff?: number; text?: string }): string {
  return o.text ?? (o.percentOff ? `${o.percentOff}% off` : 'no discount (recommendations only)');
}

const whole = (v: number) => formatCell(Math.round(v), 'number');
const range = (e: EffectEstimate) =>
  `${whole(e.estimate)} (95% interval ${whole(e.low)} to ${whole(e.high)})`;

/** How the customers were chosen, and what uplift targeting is expected to bring over churn risk. */
function targetingFacts(preview: AudiencePreview): Array<{ label: string; value: string }> {
  const t = preview.targeting;
  if (!t) return [];
  if (t.method === 'churn risk')
    return [{ label: 'Targeting', value: `by churn risk instead of by uplift: ${t.reason}` }];
  const facts = [
    {
      label: 'Targeting',
      value:
        `customers the offer is most likely to change (uplift model${t.model ? `: ${t.model.learner}` : ''}; ` +
        `${t.reason})`,
    },
  ];
  const c = preview.comparison;
  if (c) {
    facts.push(
      { label: 'Expected extra purchases', value: `${range(c.uplift)} among ${num(c.messaged)} messaged` },
      { label: 'Targeting as many by churn risk', value: range(c.churnRisk) },
      { label: 'Difference', value: range(c.difference) },
    );
  }
  return facts;
}

/** Why customers cannot be messaged, in a marketer's words (the dry run keeps the codes). */
const SKIP_WORDS: Record<string, string> = {
  forgotten: 'asked to be forgotten',
  no_consent: 'no marketing consent',
  no_contact: 'no chat or email address',
  no_reference: 'chat conversation gone',
  no_email: 'no email address',
  chat_not_proactive: 'only in a chat that cannot message first',
  chat_reference_stale: 'chat not used for months',
  email_off: 'email only, and email is not set up',
  email_undeliverable: 'email address bounced',
  opted_out: 'unsubscribed',
  recent_complaint: 'complained recently',
  frequency_capped: 'messaged recently',
};

export const skipWords = (reason: string) => SKIP_WORDS[reason] ?? reason.replace(/_/g, ' ');

export function campaignPreviewReport(
  audience: AudienceFilter,
  offer: { percentOff?: number; text?: string },
  controlShare: number,
  preview: AudiencePreview,
): Report {
  const control = Math.round(preview.eligible * controlShare);
  const skipped = Object.entries(preview.skipped).filter(([, n]) => n > 0);
  const byUplift = preview.targeting?.method === 'uplift';
  return {
    title: 'Win-back campaign preview',
    subtitle: describeAudience(audience),
    facts: [
      ...targetingFacts(preview),
      { label: byUplift ? 'Customers chosen' : 'Customers matching', value: num(preview.matching) },
      { label: 'Can be messaged', value: num(preview.eligible) },
      { label: 'By chat', value: num(preview.channels.chat) },
      { label: 'By email', value: num(preview.channels.email) },
      { label: 'Held out as control', value: `about ${num(control)} (${pct(controlShare)})` },
      { label: 'Offer', value: describeOffer(offer) },
      ...(skipped.length
        ? [
            {
              label: 'Cannot be reached',
              value: skipped
                .sort((a, b) => b[1] - a[1])
                .map(([why, n]) => `${num(n)} ${skipWords(why)}`)
                .join(', '),
            },
          ]
        : []),
    ],
    table: !preview.samples.length
      ? undefined
      : byUplift
        ? {
            columns: [
              { header: 'Customer' },
              { header: 'Extra purchase chance', kind: 'percent' },
              { header: 'Why' },
              { header: 'Churn risk', kind: 'percent' },
              { header: 'Lifetime value', kind: 'money' },
            ],
            rows: preview.samples.map((s) => [
              s.customer,
              s.uplift ?? null,
              s.why ?? '',
              s.churnProbability,
              s.clv,
            ]),
          }
        : {
            columns: [
              { header: 'Customer' },
              { header: 'Segment' },
              { header: 'Stage' },
              { header: 'Churn risk', kind: 'percent' },
              { header: 'Lifetime value', kind: 'money' },
            ],
            rows: preview.samples.map((s) => [s.customer, s.segment, s.stage, s.churnProbability, s.clv]),
          },
  };
}

const points = (v: number) => `${(v * 100).toFixed(1)}`;

function describeUplift(c: Pick<CampaignOutcome, 'uplift'>): string {
  const u = c.uplift;
  if (u.uplift === null || !u.interval) return 'not measurable yet (both groups need customers)';
  return (
    `${points(u.uplift)} points (95% CI ${points(u.interval.low)} to ${points(u.interval.high)})` +
    (u.significant ? '' : ', not significant yet')
  );
}

/** The Qini curve of a campaign targeted by uplift: extra purchases by share of members, model against random. */
function qiniChart(c: CampaignOutcome): ChartSpec | undefined {
  const q = c.qini;
  if (!q || q.coefficient === null) return undefined;
  const curve = q.curve;
  const at = (f: (p: (typeof curve)[number]) => number) =>
    curve.map((p) => ({ x: Math.round(p.share * 100), y: f(p) }));
  return {
    kind: 'lines',
    title: `Qini curve: extra purchases by share of members${q.provisional ? ' (so far)' : ''}`,
    xLabel: '% of members, highest predicted uplift first',
    yLabel: 'Extra purchases',
    series: [
      { name: 'Ranked by predicted uplift', points: at((p) => p.model) },
      { name: 'Random order', points: at((p) => p.random) },
    ],
  };
}

function qiniFacts(c: CampaignOutcome): Array<{ label: string; value: string }> {
  const q = c.qini;
  if (!q) return [];
  const value =
    q.coefficient === null
      ? 'not measurable yet (both groups need purchases)'
      : `${q.coefficient.toFixed(2)} over ${num(q.members)} members (1 = perfect ranking, 0 = no better than random)` +
        (q.provisional ? '; attribution windows still open' : '');
  return [{ label: 'Qini coefficient of the targeting', value }];
}

/**
 * The campaign's channels worth showing apart: only once email is among them (a chat-only
 * campaign reads as before).
 */
function channelBreakdown(c: CampaignOutcome): Array<[string, ChannelOutcome]> {
  const entries = Object.entries(c.byChannel) as Array<[string, ChannelOutcome]>;
  return entries.some(([channel]) => channel === 'email') ? entries : [];
}

export function campaignOutcomeReport(c: CampaignOutcome): Report {
  const qini = qiniChart(c);
  const channels = channelBreakdown(c);
  const intervals = [
    { label: `#${c.id}`, uplift: c.uplift },
    ...channels.map(([channel, o]) => ({ label: `#${c.id} by ${channel}`, uplift: o.uplift })),
  ].filter((i) => i.uplift.uplift !== null && i.uplift.interval);
  return {
    title: `Campaign #${c.id}: ${c.name}`,
    subtitle: `${c.status} · ${describeAudience(c.audience)} · ${describeOffer(c.offer as { percentOff?: number; text?: string })}`,
    facts: [
      { label: 'Uplift in conversion', value: describeUplift(c) },
      ...channels.map(([channel, o]) => ({ label: `Uplift by ${channel}`, value: describeUplift(o) })),
      ...(c.incrementalRevenue !== null
        ? [{ label: 'Incremental revenue', value: formatCell(c.incrementalRevenue, 'money') }]
        : []),
      { label: 'Attribution window', value: `${c.attributionDays} days after the message` },
      ...qiniFacts(c),
    ],
    table: {
      columns: [
        { header: 'Group' },
        { header: 'Customers', kind: 'number' },
        { header: 'Sent', kind: 'number' },
        { header: 'Delivered', kind: 'number' },
        { header: 'Converted', kind: 'number' },
        { header: 'Rate', kind: 'percent' },
        { header: 'Revenue', kind: 'money' },
      ],
      rows: [
        [
          'Messaged',
          c.treated.members,
          c.treated.sent,
          c.treated.delivered,
          c.treated.converted,
          c.treated.conversionRate,
          c.treated.revenue,
        ],
        ...channels.map(([channel, o]) => [
          `Messaged by ${channel}`,
          o.treated.members,
          o.treated.sent,
          o.treated.delivered,
          o.treated.converted,
          o.treated.conversionRate,
          o.treated.revenue,
        ]),
        [
          'Control (no message)',
          c.control.members,
          null,
          null,
          c.control.converted,
          c.control.conversionRate,
          c.control.revenue,
        ],
        ...channels.map(([channel, o]) => [
          `Control, would be ${channel}`,
          o.control.members,
          null,
          null,
          o.control.converted,
          o.control.conversionRate,
          o.control.revenue,
        ]),
      ],
    },
    // A campaign targeted by uplift shows how well its targeting ranked (the interval is in the facts).
    chart:
      qini ??
      (intervals.length
        ? {
            kind: 'interval',
            title: 'Uplift in conversion rate, with its 95% interval',
            valueLabel: 'Messaged minus control',
            valueFormat: 'percent',
            items: intervals.map(({ label, uplift }) => ({
              label,
              estimate: uplift.uplift!,
              low: uplift.interval!.low,
              high: uplift.interval!.high,
            })),
          }
        : undefined),
  };
}

export function campaignListReport(list: CampaignOutcome[]): Report {
  return {
    title: 'Campaigns',
    table: {
      columns: [
        { header: '#', kind: 'number' },
        { header: 'Name' },
        { header: 'Status' },
        { header: 'Sent', kind: 'number' },
        { header: 'Converted', kind: 'number' },
        { header: 'Uplift (points)' },
      ],
      rows: list.map((c) => [
        c.id,
        c.name,
        c.status,
        c.treated.sent,
        c.treated.converted,
        c.uplift.uplift === null ? '–' : points(c.uplift.uplift),
      ]),
    },
    actions: list
      .slice(0, 3)
      .map((c) => ({ title: `Campaign #${c.id}`, text: `how did campaign ${c.id} do?` })),
  };
}
