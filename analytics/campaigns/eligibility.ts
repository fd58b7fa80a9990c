/**
 * The campaign rules against the database, for jobs and the audience preview: the channel choice
 * (channels.ts) and the suppression rules (suppression.ts) fed by the repositories (contacts,
 * opt-outs, complaints, the outbox).
 */
import type { Store } from '../../data/store';
import type { CandidateRow } from '../../data/repositories/campaigns';
import { chooseChannel, type Channel, type ChannelPolicy, type ContactFacts } from './channels';
import { suppressionReason, windowStart, type SkipReason, type SuppressionRules } from './suppression';

export type Eligibility = { channel: Channel } | { skip: SkipReason };
export type EligibilityCheck = (c: CandidateRow) => Eligibility;

/** A candidate's contact facts, with the lookups that cost a query left lazy. */
export function candidateContact(store: Store, c: CandidateRow): ContactFacts {
  return {
    forgottenAt: c.forgottenAt,
    consentState: c.consentState,
    chat:
      c.referenceId !== null
        ? { channelId: c.referenceChannelId ?? '', updatedAt: c.referenceUpdatedAt }
        : null,
    email: c.email,
    preferredChannel: c.preferredChannel,
    emailSuppressed: () => (c.email ? store.contacts.isSuppressed(c.email) : false),
    optedOut: (channel) => store.optOuts.isOptedOut(c.customerId, channel),
  };
}

/** How a candidate would be reached at `now`, or why not. Pending messages count towards the cap. */
export function eligibilityCheck(
  store: Store,
  rules: SuppressionRules,
  now: Date,
  policy: ChannelPolicy,
): EligibilityCheck {
  const feedback = store.feedback;
  const outbox = store.outbox;
  const since = windowStart(now, rules);
  return (c) => {
    const choice = chooseChannel(candidateContact(store, c), policy, now);
    if ('skip' in choice) return choice;
    const reason = suppressionReason(
      {
        lastNegativeAt: () => feedback.lastNegativeAt(c.customerId),
        messagesInWindow: () => outbox.recentOrPending(c.customerId, since),
      },
      rules,
      now,
    );
    return reason ? { skip: reason } : choice;
  };
}
