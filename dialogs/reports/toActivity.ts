import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { reportToAdaptiveCard } from './adaptiveCard';
import { reportToMarkdown } from './markdown';
import type { Report } from './report';

/** Channels known to render Adaptive Cards 1.5 with tables; anything else gets Markdown. */
const CARD_CHANNELS = new Set(['msteams', 'webchat', 'emulator', 'directline']);

export function supportsCards(channelId: string): boolean {
  return CARD_CHANNELS.has(channelId);
}

/** The report as a message for the given channel; the Markdown is kept as the text fallback. */
export function reportActivity(report: Report, channelId: string): Partial<Activity> {
  const markdown = reportToMarkdown(report);
  if (!supportsCards(channelId)) return { ...MessageFactory.text(markdown), textFormat: 'markdown' };
  const message = MessageFactory.attachment(CardFactory.adaptiveCard(reportToAdaptiveCard(report)));
  // Notifications and screen readers show the summary, not the card JSON.
  return { ...message, summary: report.title };
}
