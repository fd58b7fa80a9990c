/**
 * How a customer is reached with a promotional message, or why they cannot be. A chat
 * conversation comes first (it is where the customer already talks to the shop), if its channel
 * takes messages the customer did not ask for and it was used recently; else their email
 * address, with marketing consent granted; a customer who prefers email gets email first. The
 * same rules run when a job chooses and (for the chosen channel) right before the send.
 */
import { isEmailAddress } from '../../lib/email';

export type Channel = 'chat' | 'email';

/** Why a customer cannot be reached on any channel, in the words the dry run and preview use. */
export type ContactReason =
  /** Asked to be forgotten. */
  | 'forgotten'
  /** Marketing consent refused or withdrawn; for email: not recorded as granted. */
  | 'no_consent'
  /** Neither a chat conversation nor an email address. */
  | 'no_contact'
  /** Chat: the conversation is gone (a message already queued for it). */
  | 'no_reference'
  /** Chat: the channel cannot take a message the customer did not ask for (e.g. the Emulator). */
  | 'chat_not_proactive'
  /** Chat: the customer has not used the conversation for RETAIN_CHAT_REFERENCE_MAX_DAYS. */
  | 'chat_reference_stale'
  /** Email: no usable address. */
  | 'no_email'
  /** Email: not set up on this server (RETAIN_SMTP_URL). */
  | 'email_off'
  /** Email: the address bounced for good or its owner complained. */
  | 'email_undeliverable'
  /** Said stop in chat, or unsubscribed by email. */
  | 'opted_out';

export interface ChannelPolicy {
  email: boolean;
  proactiveChat: readonly string[];
  chatReferenceMaxDays: number;
}

/** Everything the choice needs about one customer; lookups that cost a query are lazy. */
export interface ContactFacts {
  forgottenAt: string | null;
  consentState: string | null;
  /** The newest saved conversation of the customer's chat accounts. */
  chat: { channelId: string; updatedAt: string | null } | null;
  email: string | null;
  preferredChannel: Channel | null;
  emailSuppressed: () => boolean;
  /** Whether an opt-out covers this chat channel id, or 'email'. */
  optedOut: (channel: string) => boolean;
}

const DAY_MS = 86_400_000;

const refused = (consent: string | null) => consent === 'denied' || consent === 'withdrawn';

/**
 * Why chat cannot carry the message (null: it can). `queued`: the message was already queued for
 * this conversation, so only that it still exists and the customer has not opted out matter.
 */
export function chatProblem(
  f: ContactFacts,
  policy: ChannelPolicy,
  now: Date,
  queued = false,
): ContactReason | null {
  if (!f.chat) return 'no_reference';
  if (!queued) {
    if (!policy.proactiveChat.includes(f.chat.channelId.toLowerCase())) return 'chat_not_proactive';
    const age = f.chat.updatedAt ? now.getTime() - Date.parse(f.chat.updatedAt) : 0;
    if (age > policy.chatReferenceMaxDays * DAY_MS) return 'chat_reference_stale';
  }
  if (f.optedOut(f.chat.channelId)) return 'opted_out';
  return null;
}

/** Why email cannot carry the message (null: it can). */
export function emailProblem(f: ContactFacts, policy: ChannelPolicy): ContactReason | null {
  if (!f.email || !isEmailAddress(f.email)) return 'no_email';
  if (!policy.email) return 'email_off';
  // No consent recorded is no consent: email needs it granted, explicitly.
  if (f.consentState !== 'granted') return 'no_consent';
  if (f.emailSuppressed()) return 'email_undeliverable';
  if (f.optedOut('email')) return 'opted_out';
  return null;
}

export type ChannelChoice = { channel: Channel } | { skip: ContactReason };

export function chooseChannel(f: ContactFacts, policy: ChannelPolicy, now: Date): ChannelChoice {
  if (f.forgottenAt !== null) return { skip: 'forgotten' };
  if (refused(f.consentState)) return { skip: 'no_consent' };
  const order: Channel[] = f.preferredChannel === 'email' ? ['email', 'chat'] : ['chat', 'email'];
  const problems: Partial<Record<Channel, ContactReason>> = {};
  for (const channel of order) {
    const problem = channel === 'chat' ? chatProblem(f, policy, now) : emailProblem(f, policy);
    if (!problem) return { channel };
    problems[channel] = problem;
  }
  // Neither works: the reason a marketer can act on, or that explains the customer's wish.
  if (problems.chat === 'opted_out' || problems.email === 'opted_out') return { skip: 'opted_out' };
  const hasChat = problems.chat !== 'no_reference';
  const hasEmail = problems.email !== 'no_email';
  if (!hasChat && !hasEmail) return { skip: 'no_contact' };
  return { skip: hasEmail ? problems.email! : problems.chat! };
}

/** The check right before a message queued for `channel` is sent (it is not re-routed). */
export function queuedChannelProblem(
  channel: Channel,
  f: ContactFacts,
  policy: ChannelPolicy,
  now: Date,
): ContactReason | null {
  if (f.forgottenAt !== null) return 'forgotten';
  if (refused(f.consentState)) return 'no_consent';
  return channel === 'chat' ? chatProblem(f, policy, now, true) : emailProblem(f, policy);
}
