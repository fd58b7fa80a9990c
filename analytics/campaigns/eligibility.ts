/**
 * Suppression checks against the database, for jobs and the audience preview: the pure rules in
 * suppression.ts fed by the repositories (opt-outs, complaints, the outbox).
 */
import type { Store } from '../../data/store';
import type { CandidateRow } from '../../data/repositories/campaigns';
import { suppressionReason, windowStart, type SkipReason, type SuppressionRules } from './suppression';

export type EligibilityCheck = (c: CandidateRow) => SkipReason | null;

/** Why a candidate may not be messaged at `now` (null: eligible). Pending messages count. */
export function eligibilityCheck(store: Store, rules: SuppressionRules, now: Date): EligibilityCheck {
  const optOuts = store.optOuts;
  const feedback = store.feedback;
  const outbox = store.outbox;
  const since = windowStart(now, rules);
  return (c) =>
    suppressionReason(
      {
        forgottenAt: c.forgottenAt,
        consentState: c.consentState,
        hasReference: c.referenceId !== null,
        optedOut: () => optOuts.isOptedOut(c.customerId, c.referenceChannelId),
        lastNegativeAt: () => feedback.lastNegativeAt(c.customerId),
        messagesInWindow: () => outbox.recentOrPending(c.customerId, since),
      },
      rules,
      now,
    );
}
