/** Reports shaped like the ones the marketer dialogs build, for the rendering tests. */
import { dialogReports } from './reportsFromDialogs';
import type { Report } from '../../reports/report';

export const segmentOverview: Report = {
  title: 'Segments as of 1 Jul 2011',
  subtitle: '578 customers · orders from 1 Dec 2010 to 30 Jun 2011',
  facts: [
    { label: 'Customers', value: '578' },
    { label: 'Revenue', value: '£212,000' },
  ],
  chart: {
    kind: 'bar',
    title: 'Revenue share by segment',
    valueLabel: 'Share of revenue',
    valueFormat: 'percent',
    bars: [
      { label: 'Champions', value: 0.412 },
      { label: 'Loyal', value: 0.25 },
      { label: 'At risk', value: 0.12 },
      { label: "Can't lose them | VIP", value: 0.05 },
    ],
  },
  table: {
    columns: [
      { header: 'Segment' },
      { header: 'Customers', kind: 'number' },
      { header: 'Revenue share', kind: 'percent' },
      { header: 'Mean CLV', kind: 'money' },
    ],
    rows: [
      ['Champions', 81, 0.412, 1203.6],
      ['Loyal', 140, 0.25, 540],
      ['At risk', 97, 0.12, 210.2],
      ["Can't lose them | VIP", 9, 0.05, null],
    ],
  },
  notes: ['Scores from the model trained on 23 Nov 2026'],
  actions: [
    { title: 'At-risk customers', text: 'show at-risk customers' },
    { title: 'Germany only', text: 'segment overview in Germany' },
  ],
};

export const churnReport: Report = {
  title: 'Customers likely to stop buying',
  subtitle: 'Germany · next 90 days',
  facts: [
    { label: 'At risk (p ≥ 50%)', value: '37 of 94' },
    { label: 'Revenue at risk', value: '£18,400' },
  ],
  chart: {
    kind: 'histogram',
    title: 'Churn risk of 94 customers',
    valueLabel: 'Probability of churn',
    valueFormat: 'percent',
    extent: [0, 1],
    binCount: 10,
    values: Array.from({ length: 94 }, (_, i) => (i % 10) / 10 + 0.05),
  },
  table: {
    columns: [
      { header: 'Customer' },
      { header: 'Churn risk', kind: 'percent' },
      { header: 'CLV', kind: 'money' },
      { header: 'Why' },
    ],
    rows: [
      ['12347', 0.91, 1840, 'No order for 160 days (usually every 40); spend falling'],
      ['12448', 0.77, 420.5, 'Two returns in the last order; < 3 orders a year'],
      ['12522', 0.62, 96, 'Only one order, 120 days ago'],
    ],
  },
  notes: ['Model: gradient-boosted trees, AUC 0.78 on the last held-out window'],
  actions: [
    {
      title: 'Win back these customers',
      text: 'create a win-back campaign for at-risk customers in Germany',
    },
  ],
};

export const customer360: Report = {
  title: 'Customer 12347 · Iceland',
  facts: [
    { label: 'Segment', value: 'Champions' },
    { label: 'Lifecycle stage', value: 'active' },
    { label: 'Churn risk', value: '8% (low)' },
    { label: 'Expected value, 12 months', value: '£1,840' },
    { label: 'Orders / spend', value: '7 / £4,310' },
    { label: 'Last order', value: '7 Jun 2011' },
    { label: 'Marketing consent', value: 'yes' },
  ],
  table: {
    columns: [
      { header: 'Order' },
      { header: 'Date' },
      { header: 'Items', kind: 'number' },
      { header: 'Total', kind: 'money' },
    ],
    rows: [
      ['C581180', '7 Jun 2011', 12, 224.82],
      ['573511', '31 Mar 2011', 47, 1294.32],
    ],
  },
  actions: [{ title: 'Recommendations for this customer', text: 'recommend for customer 12347' }],
};

export const cohortRetention: Report = {
  title: 'Retention by first-order month',
  chart: {
    kind: 'heatmap',
    title: 'Share of each cohort still buying',
    rowLabel: 'First order',
    columnLabel: 'Months since',
    valueFormat: 'percent',
    cells: [
      { row: 'Dec 2010', column: '0', value: 1 },
      { row: 'Dec 2010', column: '1', value: 0.38 },
      { row: 'Dec 2010', column: '2', value: 0.33 },
      { row: 'Jan 2011', column: '0', value: 1 },
      { row: 'Jan 2011', column: '1', value: 0.24 },
      { row: 'Jan 2011', column: '2', value: null },
    ],
  },
  table: {
    columns: [
      { header: 'Cohort' },
      { header: 'Customers', kind: 'number' },
      { header: 'Month 1', kind: 'percent' },
      { header: 'Month 2', kind: 'percent' },
    ],
    rows: [
      ['Dec 2010', 885, 0.38, 0.33],
      ['Jan 2011', 417, 0.24, null],
    ],
  },
};

export const campaignUplift: Report = {
  title: 'Win-back "Spring 10%": results',
  subtitle: 'Sent 3 Mar 2011 · measured over 30 days',
  facts: [
    { label: 'Audience', value: '412 (10% held out as control)' },
    { label: 'Uplift in repeat purchase', value: '+4.2 pts (95% CI +1.0 to +7.4)' },
  ],
  chart: {
    kind: 'interval',
    title: 'Uplift against the control group (95% CI)',
    valueLabel: 'Repeat-purchase rate, treated minus control',
    valueFormat: 'percent',
    items: [
      { label: 'All', estimate: 0.042, low: 0.01, high: 0.074 },
      { label: 'At risk', estimate: 0.061, low: 0.012, high: 0.11 },
      { label: 'Hibernating', estimate: 0.008, low: -0.03, high: 0.046 },
    ],
  },
  table: {
    columns: [
      { header: 'Group' },
      { header: 'Customers', kind: 'number' },
      { header: 'Bought again', kind: 'percent' },
      { header: 'Revenue', kind: 'money' },
    ],
    rows: [
      ['Treated', 371, 0.153, 9120],
      ['Control', 41, 0.111, 640.4],
    ],
  },
  notes: ['Hibernating: the interval includes zero, so no effect is established there.'],
  actions: [{ title: 'Campaign status', text: 'campaign status' }],
};

export const allReports: Array<[string, Report]> = [
  ['segment overview', segmentOverview],
  ['churn report with drivers', churnReport],
  ['customer 360', customer360],
  ['cohort retention', cohortRetention],
  ['campaign uplift', campaignUplift],
  // And every report the dialogs send, from their own report functions.
  ...dialogReports,
];
