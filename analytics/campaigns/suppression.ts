/**
 * Who must not get a promotional message now, and why. The same rules run when a job chooses
 * whom to queue and again right before each send, so an opt-out, a forget-me request or a
 * complaint made after a message was queued still stops it. Reaching the customer at all (which
 * channel, consent, opt-outs) is channels.ts; these are the rules on top, across channels.
 */
import type { ContactReason } from './channels';

export type SkipReason = ContactReason | 'recent_complaint' | 'frequency_capped';

export interface SuppressionRules {
  /** A clearly negative message keeps the customer out of promotions for this many days. */
  complaintDays: number;
  /** Rolling window and the most messages a customer may get in it, whatever the channel. */
  frequencyWindowDays: number;
  maxMessagesPerWindow: number;
}

export const DEFAULT_SUPPRESSION_RULES: SuppressionRules = {
  complaintDays: 30,
  frequencyWindowDays: 14,
  maxMessagesPerWindow: 1,
};

/** Facts about one customer, looked up only when needed. */
export interface SuppressionFacts {
  lastNegativeAt: () => string | null;
  /** Messages sent within the window on any channel (and, for a job, still pending). */
  messagesInWindow: () => number;
}

const DAY_MS = 86_400_000;

export function suppressionReason(
  f: SuppressionFacts,
  rules: SuppressionRules,
  now: Date,
): 'recent_complaint' | 'frequency_capped' | null {
  const negative = f.lastNegativeAt();
  if (negative !== null && Date.parse(negative) > now.getTime() - rules.complaintDays * DAY_MS)
    return 'recent_complaint';
  if (f.messagesInWindow() >= rules.maxMessagesPerWindow) return 'frequency_capped';
  return null;
}

export function windowStart(now: Date, rules: SuppressionRules): Date {
  return new Date(now.getTime() - rules.frequencyWindowDays * DAY_MS);
}
