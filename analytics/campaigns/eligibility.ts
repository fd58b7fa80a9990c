/**
 * Suppression checks against the database, for jobs and the audience preview: the pure rules in
 * suppression.ts fed by the repositories (opt-outs, complaints, the outbox).
 */
import type { Db } from '../../data/db';
import type { CandidateRow } from '../../data/repositories/campaigns';
import { FeedbackRepository } from '../../data/repositories/feedback';
import { OptOutRepository } from '../../data/repositories/optOuts';
import { OutboxRepository } from '../../data/repositories/outbox';
import { suppressionReason, windowStart, type SkipReason, type SuppressionRules } from './suppression';

export type EligibilityCheck = (c: CandidateRow) => SkipReason | null;

/** Why a candidate may not be messaged at `now` (null: eligible). Pending messages count. */
export function eligibilityCheck(db: Db, rules: SuppressionRules, now: Date): EligibilityCheck {
  const optOuts = new OptOutRepository(db);
  const feedback = new FeedbackRepository(db);
  const outbox = new OutboxRepository(db);
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
