/**
 * Every kind of marketer report rendered for every kind of channel: snapshots of the Adaptive
 * Card, Markdown and Slack Block Kit forms, each Adaptive Card checked by the official Adaptive
 * Cards parser (no npm package ships the card JSON schema), and Slack's limits kept.
 */
import type { Attachment } from 'botbuilder';
import type * as ACTypes from 'adaptivecards';
import { reportToAdaptiveCard } from '../../reports/adaptiveCard';
import { ChartStore } from '../../reports/chartStore';
import { reportToMarkdown } from '../../reports/markdown';
import { reportToSlack, type SlackBlock } from '../../reports/slack';
import { TEAMS_CARD_MAX, chartUrl, renderReportActivity, reportActivity } from '../../dialogs/reportActivity';
import { allReports, churnReport, segmentOverview } from './reportsExamples';

// The package's main entry is untranspiled ESM; its dist bundle is CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof ACTypes;

const BASE = 'https://retain.example.com';

/** Problems the Adaptive Cards parser reports for schema 1.5, plus the required fields it skips. */
function cardProblems(card: Record<string, unknown>): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const e of parsed.validateProperties().validationEvents) problems.push(e.message);
  if (card.version !== '1.5') problems.push(`version ${String(card.version)}`);
  walk(card, (node) => {
    const required: Record<string, string[]> = {
      TextBlock: ['text'],
      Image: ['url'],
      FactSet: ['facts'],
      Table: ['rows'],
      TableRow: ['cells'],
      TableCell: ['items'],
      'Action.Submit': ['title'],
    };
    for (const key of required[String(node.type)] ?? [])
      if (node[key] === undefined || node[key] === '') problems.push(`${String(node.type)} without ${key}`);
  });
  return problems;
}

function walk(node: unknown, visit: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    Object.values(node).forEach((v) => walk(v, visit));
  }
}

it('the card check itself catches what would break a card', () => {
  const good = reportToAdaptiveCard(segmentOverview, { url: 'https://x.example/c.png' });
  expect(cardProblems(good)).toEqual([]);
  const broken = JSON.parse(JSON.stringify(good));
  broken.body[0].weight = 'Heavy';
  broken.body.push({ type: 'Chart.Pie' }, { type: 'Image', altText: 'no url' });
  expect(cardProblems(broken)).toEqual([
    expect.stringContaining('"weight"'),
    expect.stringContaining('Chart.Pie'),
    'Image without url',
  ]);
});

describe.each(allReports)('the %s report', (_name, report) => {
  const store = new ChartStore();
  const url = report.chart ? chartUrl(BASE, store.add(report.chart)) : undefined;

  it('renders as a valid Adaptive Card 1.5 (snapshot)', () => {
    const card = reportToAdaptiveCard(report, url ? { url } : undefined);
    expect(cardProblems(card)).toEqual([]);
    expect(card).toMatchSnapshot();
  });

  it('renders as Markdown (snapshot)', () => {
    expect(reportToMarkdown(report, url)).toMatchSnapshot();
  });

  it('renders as Slack Block Kit within Slack limits (snapshot)', () => {
    const slack = reportToSlack(report, url);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    for (const block of slack.blocks) expect(slackBlockProblems(block)).toEqual([]);
    expect(slack).toMatchSnapshot();
  });

  it('fits in a Teams message with the chart linked', () => {
    const activity = reportActivity(report, 'msteams', { charts: store, publicBaseUrl: BASE });
    expect(JSON.stringify(activity).length).toBeLessThan(TEAMS_CARD_MAX);
  });
});

function slackBlockProblems(block: SlackBlock): string[] {
  const problems: string[] = [];
  const text = (t: { text: string } | undefined, max: number, what: string) => {
    if (t && (t.text.length === 0 || t.text.length > max)) problems.push(`${what}: ${t.text.length} chars`);
  };
  switch (block.type) {
    case 'header':
      text(block.text, 150, 'header');
      break;
    case 'section':
      text(block.text, 3000, 'section');
      if ((block.fields?.length ?? 0) > 10) problems.push('more than 10 fields');
      block.fields?.forEach((f) => text(f, 2000, 'field'));
      break;
    case 'context':
      if (block.elements.length > 10) problems.push('more than 10 context elements');
      break;
    case 'image':
      if (!/^https:\/\//.test(block.image_url)) problems.push('image not on a public https URL');
      break;
  }
  return problems;
}

describe('choosing the rendering by channel', () => {
  it('gives Slack Block Kit in channelData, never a card, with the table in a code block', () => {
    const activity = reportActivity(segmentOverview, 'slack');
    expect(activity.attachments ?? []).toHaveLength(0);
    const data = activity.channelData as { text: string; blocks: SlackBlock[] };
    expect(data.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Segments as of 1 Jul 2011' },
    });
    const table = data.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('```'));
    // Numbers right-aligned under their headers; Slack's three special characters escaped.
    expect(table).toBeDefined();
    const lines = (table as { text: { text: string } }).text.text.split('\n');
    expect(lines[1]).toMatch(/^Segment\s+Customers\s+Revenue share\s+Mean CLV$/);
    expect(lines.find((l) => l.startsWith('Champions'))).toMatch(/\s81\s+41\.2%\s+£1,204$/);
    expect(activity.text).toBe(data.text);
    expect(activity.text).toContain('*Segments as of 1 Jul 2011*');
  });

  it('puts a chart in Slack only from a public URL (Slack fetches images itself)', () => {
    const store = new ChartStore();
    const without = reportActivity(segmentOverview, 'slack', { charts: store });
    expect((without.channelData as { blocks: SlackBlock[] }).blocks.some((b) => b.type === 'image')).toBe(
      false,
    );
    const withUrl = reportActivity(segmentOverview, 'slack', { charts: store, publicBaseUrl: `${BASE}/` });
    const image = (withUrl.channelData as { blocks: SlackBlock[] }).blocks.find((b) => b.type === 'image');
    expect(image).toMatchObject({
      image_url: expect.stringMatching(/^https:\/\/retain\.example\.com\/charts\/[0-9a-f]{32}\.png$/),
    });
  });

  it('cuts a long table for Slack to whole rows and says how many were left out', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [
      `customer ${i}`,
      i / 400,
      1000 + i,
      'a reason & more <x>',
    ]);
    const slack = reportToSlack({ ...churnReport, table: { ...churnReport.table!, rows } });
    const section = slack.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('```')) as {
      text: { text: string };
    };
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    const shown = section.text.text.split('\n').filter((l) => l.startsWith('customer ')).length;
    expect(shown).toBeGreaterThan(10);
    expect(section.text.text).toContain(`…and ${400 - shown} more rows`);
    expect(section.text.text).toContain('a reason &amp; more &lt;x&gt;');
  });

  it('gives text channels Markdown with a link to the chart when the bot has a public URL', () => {
    const store = new ChartStore();
    const plain = reportActivity(segmentOverview, 'telegram', { charts: store });
    expect(plain.text).not.toContain('/charts/');
    expect(plain.text).toContain('| Champions | 81 | 41.2% | £1,204 |');
    const linked = reportActivity(segmentOverview, 'telegram', { charts: store, publicBaseUrl: BASE });
    expect(linked.text).toMatch(
      /\[Chart: Revenue share by segment\]\(https:\/\/retain\.example\.com\/charts\/[0-9a-f]{32}\.png\)/,
    );
  });

  it('inlines the chart as a PNG data: URI in Web Chat when there is no public URL', async () => {
    const activity = await renderReportActivity(segmentOverview, 'webchat', { charts: new ChartStore() });
    const card = (activity.attachments as Attachment[])[0].content as { body: Array<Record<string, string>> };
    const image = card.body.find((b) => b.type === 'Image')!;
    // Screen readers get the numbers, not just the title.
    expect(image.altText).toBe(
      "Revenue share by segment: Champions 41.2%, Loyal 25.0%, At risk 12.0%, Can't lose them | VIP 5.0%.",
    );
    const png = Buffer.from(image.url.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('keeps a Teams card under the message size limit, dropping an inline chart that does not fit', async () => {
    const activity = await renderReportActivity(churnReport, 'msteams', { charts: new ChartStore() });
    expect(JSON.stringify(activity).length).toBeLessThan(TEAMS_CARD_MAX + 1000);
    const card = (activity.attachments as Attachment[])[0].content as { body: Array<{ type: string }> };
    expect(card.body.some((b) => b.type === 'Table')).toBe(true);
  });

  it('sends the report without its chart, and says why, when the chart cannot be drawn', async () => {
    const errors: unknown[] = [];
    const broken = { ...segmentOverview, chart: { ...segmentOverview.chart!, kind: 'pie' } } as never;
    const activity = await renderReportActivity(broken, 'webchat', {
      charts: new ChartStore(),
      onChartError: (e) => errors.push(e),
    });
    const card = (activity.attachments as Attachment[])[0].content as { body: Array<{ type: string }> };
    expect(card.body.some((b) => b.type === 'Image')).toBe(false);
    expect(card.body.some((b) => b.type === 'Table')).toBe(true);
    expect(errors).toHaveLength(1);
    // With a public URL too: no link to an image that would not load.
    const linked = await renderReportActivity(broken, 'slack', {
      charts: new ChartStore(),
      publicBaseUrl: BASE,
      onChartError: (e) => errors.push(e),
    });
    expect(JSON.stringify(linked)).not.toContain('/charts/');
    expect(errors).toHaveLength(2);
  });

  it('draws a linked chart before sending, so the channel fetching it gets it at once', async () => {
    const charts = new ChartStore();
    const activity = await renderReportActivity(segmentOverview, 'msteams', { charts, publicBaseUrl: BASE });
    const card = (activity.attachments as Attachment[])[0].content as { body: Array<Record<string, string>> };
    const id = /\/charts\/([0-9a-f]{32})\.png$/.exec(card.body.find((b) => b.type === 'Image')!.url)![1];
    const started = process.hrtime.bigint();
    const image = await charts.image(id);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5);
    expect(image!.png.length).toBeGreaterThan(1000);
  });
});
