/**
 * Who must not get a promotional message now, and why. The same rules run when a job chooses
 * whom to queue and again right before each send, so an opt-out, a forget-me request or a
 * complaint made after a message was queued still stops it.
 */

export type SkipReason =
  'forgotten' | 'no_consent' | 'opted_out' | 'recent_complaint' | 'no_reference' | 'frequency_capped';

export interface SuppressionRules {
  /** A clearly negative message keeps the customer out of promotions for this many days. */
  complaintDays: number;
  /** Rolling window and the most messages a customer may get in it. */
  frequencyWindowDays: number;
  maxMessagesPerWindow: number;
}

export const DEFAULT_SUPPRESSION_RULES: SuppressionRules = {
  complaintDays: 30,
  frequencyWindowDays: 14,
  maxMessagesPerWindow: 1,
};

/** Facts about one customer; the lazy ones are only looked up when the cheap ones pass. */
export interface SuppressionFacts {
  forgottenAt: string | null;
  consentState: string | null;
  hasReference: boolean;
  optedOut: () => boolean;
  lastNegativeAt: () => string | null;
  /** Messages sent within the window (and, for a job, still pending). */
  messagesInWindow: () => number;
}

const DAY_MS = 86_400_000;

export function suppressionReason(
  f: SuppressionFacts,
  rules: SuppressionRules,
  now: Date,
): SkipReason | null {
  if (f.forgottenAt !== null) return 'forgotten';
  if (f.consentState === 'denied' || f.consentState === 'withdrawn') return 'no_consent';
  if (!f.hasReference) return 'no_reference';
  if (f.optedOut()) return 'opted_out';
  const negative = f.lastNegativeAt();
  if (negative !== null && Date.parse(negative) > now.getTime() - rules.complaintDays * DAY_MS)
    return 'recent_complaint';
  if (f.messagesInWindow() >= rules.maxMessagesPerWindow) return 'frequency_capped';
  return null;
}

export function windowStart(now: Date, rules: SuppressionRules): Date {
  return new Date(now.getTime() - rules.frequencyWindowDays * DAY_MS);
}
