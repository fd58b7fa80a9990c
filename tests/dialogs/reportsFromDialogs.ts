/**
 * Every report the marketer dialogs send, built by the dialogs' own report functions from small
 * fixed inputs (hand-made, so snapshots do not move when a model is retrained).
 */
import type { Report } from '../../reports/report';
import * as reports from '../../reports/builders/marketer';
import {
  campaignListReport,
  campaignOutcomeReport,
  campaignPreviewReport,
} from '../../reports/builders/campaigns';
import type { StoredScore } from '../../data/repositories/customerScores';
import type { CampaignOutcome } from '../../services/campaigns';
import type { GroupSummary } from '../../services/reports';

const AS_OF = '2011-07-01T00:00:00.000Z';

function score(externalId: string, over: Partial<StoredScore>): StoredScore {
  return {
    customerId: Number(externalId),
    externalId,
    country: 'United Kingdom',
    asOf: AS_OF,
    modelRunId: 3,
    recencyDays: 20,
    frequency: 4,
    monetary: 800,
    rfmScore: '444',
    segment: 'Loyal',
    cluster: 1,
    churnProbability: 0.2,
    churnDrivers: [
      {
        factor: 'recency',
        effect: 0.9,
        direction: 'raises risk',
        text: 'no order for 98 days, usually orders every 30',
      },
    ],
    pAlive: 0.8,
    expectedPurchases: 1.4,
    clv: 950,
    stage: 'repeat',
    ...over,
  };
}

const scores = [
  score('15061', { segment: 'Champions', monetary: 9100, frequency: 32, churnProbability: 0.05, clv: 12000 }),
  score('12681', {
    country: 'France',
    segment: 'At risk',
    recencyDays: 120,
    churnProbability: 0.81,
    stage: 'at risk',
  }),
  score('12474', { country: 'Germany', segment: "Can't lose them", churnProbability: 0.74, clv: 3100 }),
  score('17404', {
    country: 'Sweden',
    segment: 'Hibernating',
    churnProbability: 0.9,
    clv: null,
    stage: 'lapsed',
  }),
];

const group = (name: string, customers: number, revenueShare: number): GroupSummary => ({
  name,
  customers,
  customerShare: customers / 578,
  revenue: revenueShare * 250_000,
  revenueShare,
  meanRecencyDays: 35,
  meanFrequency: 5.2,
  meanMonetary: 1400,
});

const segments = [
  group('Champions', 80, 0.52),
  group('Loyal', 95, 0.21),
  group('At risk', 92, 0.11),
  group('Lost', 120, 0.03),
];

const campaign: CampaignOutcome = {
  id: 7,
  name: 'Win-back: segment At risk, 10% off',
  kind: 'winback',
  status: 'completed',
  createdAt: '2011-06-01T09:00:00.000Z',
  createdBy: 'marketer:1 (Mia)',
  scheduledAt: '2011-06-01T09:00:00.000Z',
  audience: { segment: 'At risk' },
  offer: { percentOff: 10 },
  controlShare: 0.1,
  attributionDays: 30,
  treated: {
    members: 180,
    sent: 176,
    delivered: 176,
    converted: 36,
    conversionRate: 0.2,
    orders: 41,
    revenue: 9020,
    revenuePerMember: 50.1,
  },
  control: {
    members: 20,
    sent: 0,
    delivered: 0,
    converted: 2,
    conversionRate: 0.1,
    orders: 2,
    revenue: 410,
    revenuePerMember: 20.5,
  },
  delivery: {
    queued: 0,
    sending: 0,
    sent: 176,
    delivered: 176,
    failed: 0,
    skipped: 4,
    dead: 0,
    skipReasons: { opted_out: 4 },
  },
  uplift: {
    treatedRate: 0.2,
    controlRate: 0.1,
    uplift: 0.1,
    relativeUplift: 1,
    confidence: 0.95,
    interval: { low: -0.06, high: 0.19 },
    waldInterval: { low: -0.04, high: 0.24 },
    significant: false,
    method: 'newcombe-hybrid-score',
  },
  incrementalRevenue: 5330,
  qini: null,
  byChannel: {},
};

export const dialogReports: Array<[string, Report]> = [
  [
    'dialog: segment overview',
    reports.segmentOverviewReport({
      asOf: AS_OF,
      filter: {},
      customers: 578,
      segments,
      clusters: [{ name: 'frequent high spenders, bought recently', customers: 70 }],
    }),
  ],
  [
    'dialog: segment detail',
    reports.segmentDetailReport(
      'Champions',
      {
        asOf: AS_OF,
        summary: segments[0],
        members: scores.slice(0, 1),
        topProducts: [{ name: 'REGENCY CAKESTAND 3 TIER', customers: 31 }],
        topCountries: [{ country: 'United Kingdom', customers: 74 }],
      },
      { country: 'United Kingdom' },
    ),
  ],
  [
    'dialog: churn report',
    reports.churnReport({
      asOf: AS_OF,
      filter: { country: 'Germany' },
      customers: 9,
      expectedChurners: 3.4,
      meanChurnProbability: 0.38,
      clvAtRisk: 4100,
      byStage: { repeat: 5, 'at risk': 3, lapsed: 1 },
      top: scores.slice(1),
      probabilities: [0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.74, 0.81, 0.9],
    }),
  ],
  [
    'dialog: at-risk list',
    reports.atRiskReport({
      asOf: AS_OF,
      filter: {},
      total: 92,
      recentBuyersLeftOut: 4,
      minProbability: 0.5,
      valueIsClv: true,
      stakeTotal: 41_250,
      all: scores.slice(1),
      top: scores.slice(1),
    }),
  ],
  [
    'dialog: customer 360',
    reports.customerReport360(
      {
        customer: '15061',
        customerId: 15061,
        country: 'United Kingdom',
        asOf: AS_OF,
        recencyDays: 3,
        frequency: 32,
        monetary: 9100,
        rfmScore: '555',
        segment: 'Champions',
        cluster: { id: 0, description: 'frequent high spenders, bought recently' },
        churn: { probability: 0.05, drivers: [{ text: 'ordered 3 days ago, usually every 6' }] },
        pAlive: 0.99,
        expectedPurchases: 9.5,
        clv: 12000,
        clvWarnings: [],
        stage: { current: 'repeat', since: '2011-01-01T00:00:00.000Z', history: [] },
      },
      [
        {
          invoice: '581492',
          kind: 'purchase',
          orderedAt: '2011-06-28T10:00:00.000Z',
          country: 'United Kingdom',
          lines: 12,
          items: 240,
          total: 412.5,
        },
      ],
      null,
    ),
  ],
  [
    'dialog: lifetime value',
    reports.clvReport({
      asOf: AS_OF,
      filter: {},
      customers: 578,
      totalClv: 610_000,
      bySegment: [
        { name: 'Champions', customers: 80, totalClv: 400_000, meanClv: 5000 },
        { name: 'Lost', customers: 120, totalClv: 12_000, meanClv: 100 },
      ],
      top: scores.slice(0, 2),
      warnings: [],
    }),
  ],
  [
    'dialog: top products',
    reports.productInsightReport(
      [
        {
          sku: '22423',
          description: 'REGENCY CAKESTAND 3 TIER',
          customers: 120,
          orders: 150,
          quantity: 600,
          revenue: 7650,
        },
      ],
      {},
      {
        strongest: [
          {
            antecedent: ['22697'],
            consequent: ['22699'],
            support: 0.02,
            confidence: 0.7,
            lift: 18.2,
            count: 40,
          },
        ],
      },
      (sku) => ({ '22697': 'GREEN REGENCY TEACUP', '22699': 'ROSES REGENCY TEACUP' })[sku] ?? sku,
    ),
  ],
  [
    'dialog: model status',
    reports.modelStatusReport([
      {
        model: 'churn',
        version: 'analytics-1@2011-07-01',
        asOf: AS_OF,
        trainedAt: '2011-07-01T02:31:00.000Z',
        metrics: { validation: { auc: 0.74 } },
      },
      {
        model: 'recs',
        version: 'recs-hybrid-1.x',
        asOf: AS_OF,
        trainedAt: '2011-07-01T02:33:00.000Z',
        metrics: { validation: { hitRate: 0.61 } },
      },
    ]),
  ],
  [
    'dialog: cohort retention',
    reports.cohortRetentionReport({
      asOf: AS_OF,
      months: 3,
      cohorts: [
        { cohort: '2011-04', customers: 60, retained: [0.3, 0.25, null] },
        { cohort: '2011-05', customers: 55, retained: [0.28, null, null] },
      ],
    }),
  ],
  [
    'dialog: feedback',
    reports.feedbackReport(
      30,
      {
        since: '2011-06-01T00:00:00.000Z',
        total: 12,
        byLabel: { positive: 7, neutral: 2, negative: 3 },
        meanScore: 0.21,
      },
      [
        {
          id: 3,
          customerId: 1,
          chatIdentityId: 2,
          text: 'The parcel arrived broken.',
          sentimentScore: -0.93,
          sentimentLabel: 'negative',
          createdAt: '2011-06-20T10:00:00.000Z',
        },
      ],
    ),
  ],
  [
    'dialog: hand-offs',
    reports.handoffReport([
      {
        id: 4,
        chatIdentityId: 2,
        customerId: 1,
        customer: '12681',
        displayName: 'Ada',
        channelId: 'webchat',
        reason: 'talk to a person',
        status: 'open',
        createdAt: '2011-06-21T09:15:00.000Z',
        closedAt: null,
      },
    ]),
  ],
  [
    'dialog: campaign preview',
    campaignPreviewReport({ segment: 'At risk' }, { percentOff: 10 }, 0.1, {
      audience: { segment: 'At risk' },
      targeting: null,
      comparison: null,
      matching: 92,
      eligible: 40,
      channels: { chat: 12, email: 28 },
      skipped: { no_contact: 30, no_consent: 20, opted_out: 2 },
      samples: [
        { customer: '12681', segment: 'At risk', stage: 'at risk', churnProbability: 0.81, clv: 950 },
      ],
      asOf: AS_OF,
    }),
  ],
  ['dialog: campaign outcome', campaignOutcomeReport(campaign)],
  ['dialog: campaign list', campaignListReport([campaign])],
];
