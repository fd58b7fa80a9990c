/**
 * Runs before every turn: works out who is talking (marketer or customer, from the marketer rules)
 * and saves their conversation reference, so that scheduled jobs can reach them later. Dialogs read
 * the result from the turn state instead of asking the database again.
 *
 * Email rules need a verified email address, which only Microsoft Teams gives: the member's
 * sign-in name (user principal name) from the Teams roster, whose domain the person's tenant has
 * proven it owns. Guest accounts (#EXT#) and the roster's free-text "email" field are not
 * trusted. The lookup is made only while some email rule exists, and cached per person.
 */
import { Channels, TeamsInfo, TurnContext, type Middleware, type TeamsChannelAccount } from 'botbuilder';

import type { ChatIdentity, ChatIdentityRepository } from '../data/repositories/chatIdentities';
import type { MarketerRepository } from '../data/repositories/marketers';
import type { Logger } from '../lib/logger';

const IDENTITY = Symbol('retain.identity');

export function identityOf(context: TurnContext): ChatIdentity | undefined {
  return context.turnState.get(IDENTITY) as ChatIdentity | undefined;
}

/** How long a person's unchanged conversation reference is not written again. */
const REFRESH_MS = 60_000;

export interface IdentityOptions {
  /** How long a roster answer is kept (default 1 hour: a rename or removal is seen within it). */
  emailCacheMs?: number;
  /** How long a failed roster lookup is not retried (default 1 minute). */
  emailFailureCacheMs?: number;
  /** How long a turn waits for the roster before judging the person without it (default 2 s). */
  emailLookupTimeoutMs?: number;
}

const EMAIL = /^[^\s@#]+@[^\s@]+\.[^\s@]+$/;

/** The verified email of a Teams member: their sign-in name, unless it is a guest's. */
function verifiedTeamsEmail(member: Pick<TeamsChannelAccount, 'userPrincipalName'>): string | null {
  const upn = member.userPrincipalName?.trim().toLowerCase();
  if (!upn || upn.includes('#ext#') || !EMAIL.test(upn)) return null;
  return upn;
}

export class IdentityMiddleware implements Middleware {
  /** The reference last written per person and conversation: most messages change nothing. */
  private readonly written = new Map<string, { json: string; role: string; at: number }>();
  /** Verified emails by tenant and Teams user (null: none), with when they were looked up. */
  private readonly emails = new Map<string, { email: string | null; at: number; failed: boolean }>();
  private readonly emailCacheMs: number;
  private readonly emailFailureCacheMs: number;
  private readonly emailLookupTimeoutMs: number;

  constructor(
    private readonly identities: ChatIdentityRepository,
    private readonly marketers: MarketerRepository,
    private readonly log: Logger,
    options: IdentityOptions = {},
  ) {
    this.emailCacheMs = options.emailCacheMs ?? 3_600_000;
    this.emailFailureCacheMs = options.emailFailureCacheMs ?? 60_000;
    this.emailLookupTimeoutMs = options.emailLookupTimeoutMs ?? 2000;
  }

  /** The person's verified email, on channels that give one and only while an email rule needs it. */
  private async verifiedEmail(context: TurnContext): Promise<string | null> {
    const { activity } = context;
    if (activity.channelId !== Channels.Msteams || !this.marketers.hasEmailRules()) return null;
    const key = `${activity.conversation.tenantId ?? ''}\u0000${activity.from.id}`;
    const now = Date.now();
    const cached = this.emails.get(key);
    if (cached && now - cached.at < (cached.failed ? this.emailFailureCacheMs : this.emailCacheMs))
      return cached.email;
    let entry: { email: string | null; at: number; failed: boolean };
    try {
      const member = await withTimeout(
        TeamsInfo.getMember(context, activity.from.id),
        this.emailLookupTimeoutMs,
      );
      entry = { email: verifiedTeamsEmail(member), at: now, failed: false };
    } catch (err) {
      // Without the roster the person is judged by the other rules; asked again a minute later.
      this.log.warn({ err }, 'could not read the Teams roster; email marketer rules cannot match this turn');
      entry = { email: null, at: now, failed: true };
    }
    if (this.emails.size > 100_000) this.emails.clear();
    this.emails.set(key, entry);
    return entry.email;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    const from = activity.from;
    // Only people's own activities identify them (not the bot's echoes or channel events).
    if (from?.id && activity.conversation?.id && from.role !== 'bot' && activity.recipient?.id !== from.id) {
      try {
        const person = {
          channelId: activity.channelId,
          channelUserId: from.id,
          aadObjectId: from.aadObjectId ?? null,
          displayName: from.name ?? null,
        };
        const email = await this.verifiedEmail(context);
        const role = this.marketers.isMarketer({ ...person, email }) ? 'marketer' : 'customer';
        const reference = TurnContext.getConversationReference(activity);
        const key = `${activity.channelId}\u0000${from.id}\u0000${activity.conversation.id}`;
        // The id of the message itself changes every time and matters to no proactive message.
        const json = JSON.stringify({ ...reference, activityId: undefined });
        const last = this.written.get(key);
        const now = Date.now();
        // Read (cheap) instead of write when nothing changed; the row is re-read, never cached,
        // so a link made or an erasure done since is seen at once.
        let identity =
          last && last.json === json && last.role === role && now - last.at < REFRESH_MS
            ? this.identities.byAccount(activity.channelId, from.id)
            : undefined;
        if (!identity) {
          identity = this.identities.seen(
            { ...person, role },
            {
              conversationId: activity.conversation.id,
              serviceUrl: activity.serviceUrl,
              tenantId: activity.conversation.tenantId ?? null,
              reference,
            },
          );
          if (this.written.size > 100_000) this.written.clear();
          this.written.set(key, { json, role, at: now });
        }
        context.turnState.set(IDENTITY, identity);
      } catch (err) {
        // Not knowing who it is must not stop the answer; dialogs treat an unknown person as a customer.
        this.log.error({ err }, 'could not record who is talking');
      }
    }
    await next();
  }
}

/** The SDK's client retries a failing roster for seconds; a person should not wait that long. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the Teams roster within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
