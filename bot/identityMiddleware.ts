/**
 * Runs before every turn: works out who is talking (marketer or customer, from the marketer rules)
 * and saves their conversation reference, so that scheduled jobs can reach them later. Dialogs read
 * the result from the turn state instead of asking the database again.
 */
import { TurnContext, type Middleware } from 'botbuilder';
import type { ChatIdentity, ChatIdentityRepository } from '../data/repositories/chatIdentities';
import type { MarketerRepository } from '../data/repositories/marketers';
import type { Logger } from '../lib/logger';

const IDENTITY = Symbol('retain.identity');

export function identityOf(context: TurnContext): ChatIdentity | undefined {
  return context.turnState.get(IDENTITY) as ChatIdentity | undefined;
}

/** How long a person's unchanged conversation reference is not written again. */
const REFRESH_MS = 60_000;

export class IdentityMiddleware implements Middleware {
  /** The reference last written per person and conversation: most messages change nothing. */
  private readonly written = new Map<string, { json: string; role: string; at: number }>();

  constructor(
    private readonly identities: ChatIdentityRepository,
    private readonly marketers: MarketerRepository,
    private readonly log: Logger,
  ) {}

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
        const role = this.marketers.isMarketer(person) ? 'marketer' : 'customer';
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
