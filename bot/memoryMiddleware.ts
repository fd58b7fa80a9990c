/**
 * What the bot remembers about one person in one conversation between turns: the last question
 * a follow-up refers to, what was already recommended. Kept with the SDK's private conversation
 * state (per channel, conversation and user), so in a group chat everyone has their own, and a
 * restart loses nothing. Loaded before the dialogs run and saved after them; after an erasure,
 * deleted for every conversation of the forgotten accounts instead.
 */
import { PrivateConversationState, type Middleware, type Storage, type TurnContext } from 'botbuilder';
import { hasTurnInfo, setMemory, turnInfo, type ConversationMemory } from '../dialogs/turn';

export class MemoryMiddleware implements Middleware {
  private readonly state: PrivateConversationState;
  private readonly memory;

  constructor(private readonly storage: Storage) {
    this.state = new PrivateConversationState(storage);
    this.memory = this.state.createProperty<ConversationMemory>('memory');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    // Only people's messages have a memory; events and the bot's own echoes do not.
    if (activity.type !== 'message' || !activity.from?.id || !activity.conversation?.id) return next();
    setMemory(context, (await this.memory.get(context, {})) as ConversationMemory);
    await next();
    const forgotten = hasTurnInfo(context) ? turnInfo(context).forgotten : undefined;
    if (!forgotten) return this.state.saveChanges(context);
    await this.state.delete(context);
    // Keys as the SDK builds them (with its trailing namespace), for every conversation of each account.
    const keyOf = (channelId: string, conversationId: string, userId: string) =>
      this.state.getStorageKey({
        activity: { channelId, conversation: { id: conversationId }, from: { id: userId } },
      } as TurnContext);
    await this.storage.delete(
      forgotten.flatMap((a) => a.conversationIds.map((id) => keyOf(a.channelId, id, a.channelUserId)!)),
    );
  }
}
