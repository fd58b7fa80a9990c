import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { reportToAdaptiveCard, type ChartImage } from '../reports/adaptiveCard';
import type { ChartStore } from '../reports/chartStore';
import { exportUrl, type ExportStore } from '../reports/exportStore';
import { reportToMarkdown } from '../reports/markdown';
import type { Report } from '../reports/report';
import { reportToSlack } from '../reports/slack';

/** Channels known to render Adaptive Cards 1.5 with tables; anything else gets text. */
const CARD_CHANNELS = new Set(['msteams', 'webchat', 'emulator', 'directline']);

/**
 * Teams refuses messages over about 28 KB. Without a public URL for the chart, a small chart may
 * travel inside the card as a data: URI, but only while the whole card stays under this size.
 */
export const TEAMS_CARD_MAX = 26_000;

export function supportsCards(channelId: string): boolean {
  return CARD_CHANNELS.has(channelId);
}

export interface ReportRenderOptions {
  /** Keeps and renders report charts; without it, reports go out without their chart. */
  charts?: ChartStore;
  /**
   * Public base URL of this bot (https://bot.example.com), where GET /charts/<id>.png serves
   * charts. Teams and Slack fetch images themselves, so they get charts by URL only from here.
   */
  publicBaseUrl?: string;
  /** Told when a chart could not be rendered; the report then goes out without it. */
  onChartError?: (err: unknown) => void;
  /** Keeps exported tables for download links (with publicBaseUrl); without it, no links. */
  exports?: ExportStore;
}

/** Channels whose clients open a file sent inside the message (a data: URL attachment). */
const INLINE_FILE_CHANNELS = new Set(['webchat', 'emulator', 'directline']);

/**
 * A table as a CSV file the channel can open: attached to the message where the client opens
 * attachments itself (Web Chat, the Emulator), else a download link from this bot's public
 * address (Teams, Slack), else said plainly what is needed.
 */
export function csvActivity(
  csv: string,
  name: string,
  rows: number,
  channelId: string,
  options: ReportRenderOptions = {},
): Partial<Activity> {
  const file = `${
    name
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'export'
  }.csv`;
  const what = `The full table as CSV (${rows} row${rows === 1 ? '' : 's'})`;
  if (INLINE_FILE_CHANNELS.has(channelId)) {
    return MessageFactory.attachment(
      {
        contentType: 'text/csv',
        contentUrl: `data:text/csv;base64,${Buffer.from(csv, 'utf8').toString('base64')}`,
        name: file,
      },
      `${what}: ${file}`,
    );
  }
  if (options.publicBaseUrl && options.exports) {
    const url = exportUrl(options.publicBaseUrl, options.exports.add(csv), file);
    return {
      ...MessageFactory.text(`${what}: [${file}](${url}) (the link works for a day).`),
      textFormat: 'markdown',
    };
  }
  return MessageFactory.text(
    `${what} can be sent here once this bot has a public address: set RETAIN_PUBLIC_URL and ask again. ` +
      'The web chat page attaches the file directly.',
  );
}

export function chartUrl(publicBaseUrl: string, id: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/charts/${id}.png`;
}

/**
 * The report as a message for the given channel: an Adaptive Card where cards render, Block Kit
 * in channelData for Slack, Markdown text elsewhere. Charts go by link only (when a store and a
 * public URL are given); renderReportActivity also inlines them where no public URL exists.
 */
export function reportActivity(
  report: Report,
  channelId: string,
  options: ReportRenderOptions = {},
): Partial<Activity> {
  const { charts, publicBaseUrl } = options;
  const link =
    report.chart && charts && publicBaseUrl ? chartUrl(publicBaseUrl, charts.add(report.chart)) : undefined;
  return buildActivity(report, channelId, link ? { url: link } : undefined, link);
}

/**
 * Like reportActivity, but draws the chart first: with a public URL so that the image is known to
 * work and the channel's fetch is served from memory; without one, card channels get the chart
 * as a data: URI. Tens of milliseconds the first time for a chart, cached after. A chart that
 * cannot be drawn is reported to onChartError and left out; the report still goes.
 */
export async function renderReportActivity(
  report: Report,
  channelId: string,
  options: ReportRenderOptions = {},
): Promise<Partial<Activity>> {
  const { charts, publicBaseUrl } = options;
  if (!report.chart || !charts || (!publicBaseUrl && !supportsCards(channelId)))
    return buildActivity(report, channelId, undefined);
  try {
    if (publicBaseUrl) {
      const link = chartUrl(publicBaseUrl, (await charts.imageFor(report.chart)).id);
      return buildActivity(report, channelId, { url: link }, link);
    }
    // Teams: 1x keeps the image small enough to fit the message limit more often.
    const { png } = await charts.imageFor(report.chart, channelId === 'msteams' ? 1 : 2);
    return buildActivity(report, channelId, { url: `data:image/png;base64,${png.toString('base64')}` });
  } catch (err) {
    options.onChartError?.(err);
    return buildActivity(report, channelId, undefined);
  }
}

function buildActivity(
  report: Report,
  channelId: string,
  image: ChartImage | undefined,
  link?: string,
): Partial<Activity> {
  if (channelId === 'slack') {
    const slack = reportToSlack(report, link);
    return {
      type: 'message',
      text: slack.text,
      channelData: { text: slack.text, blocks: slack.blocks },
      summary: report.title,
    };
  }
  if (!supportsCards(channelId)) {
    return { ...MessageFactory.text(reportToMarkdown(report, link)), textFormat: 'markdown' };
  }
  let card = reportToAdaptiveCard(report, image);
  if (channelId === 'msteams' && JSON.stringify(card).length > TEAMS_CARD_MAX)
    card = reportToAdaptiveCard(report);
  const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  // Notifications and screen readers show the summary, not the card JSON.
  return { ...message, summary: report.title };
}
