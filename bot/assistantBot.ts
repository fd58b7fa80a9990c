/**
 * The bot: every message is understood once (intent, entities, sentiment), tagged with who is
 * talking, and handed to the main dialog. Conversation state lives in SQLite, so a restart
 * loses no conversation; when a customer is forgotten, their stored state is deleted too.
 */
import {
  ActivityHandler,
  ConversationState,
  MessageFactory,
  type InvokeResponse,
  type Storage,
  type TurnContext,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { AppServices } from '../services/app';
import type { SentimentResult } from '../nlp/sentiment/model';
import type { ReportRenderOptions } from '../dialogs/reportActivity';
import { MainDialog } from '../dialogs/mainDialog';
import { hasTurnInfo, turnInfo } from '../dialogs/turn';
import { intentButtons } from '../dialogs/intents';
import { STARTERS } from '../dialogs/intents';
import { identityOf } from './identityMiddleware';

export class AssistantBot extends ActivityHandler {
  private readonly conversationState: ConversationState;
  private readonly dialogState;
  private readonly main: MainDialog;

  constructor(
    private readonly storage: Storage,
    app: AppServices,
    understandSentiment: (text: string) => SentimentResult,
    render: ReportRenderOptions = {},
  ) {
    super();
    this.conversationState = new ConversationState(storage);
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.main = new MainDialog(app, understandSentiment, render);

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id === context.activity.recipient.id) continue;
        const role = identityOf(context)?.role ?? 'customer';
        await context.sendActivity(
          MessageFactory.suggestedActions(
            intentButtons(STARTERS[role]),
            role === 'marketer'
              ? 'Hello! I am retain, your marketing app. Ask me about segments, churn, customers, products and campaigns.'
              : "Hello! I am retain, the shop's app. I can recommend products, check your orders and answer questions about returns and delivery.",
          ),
        );
      }
      await next();
    });
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    if (!hasTurnInfo(context)) {
      await context.sendActivity('I can only read text messages. What would you like to know?');
      return;
    }
    await this.main.run(context, this.dialogState);
    const forgotten = turnInfo(context).forgotten;
    if (forgotten) {
      // Nothing of the conversation may be written back after the erasure: this conversation's
      // state, and that of every other conversation of the person, goes, under the very keys
      // ConversationState stores it by.
      await this.conversationState.delete(context);
      const keys = forgotten.flatMap((a) =>
        a.conversationIds.map((id) => this.conversationStateKey(a.channelId, id)),
      );
      await this.storage.delete([...new Set(keys)]);
      return;
    }
    await this.conversationState.saveChanges(context);
  }

  /** The storage key of a conversation's state, as ConversationState itself builds it. */
  private conversationStateKey(channelId: string, conversationId: string): string {
    const key = this.conversationState.getStorageKey({
      activity: { channelId, conversation: { id: conversationId } },
    } as TurnContext);
    if (!key) throw new Error('no storage key for a conversation');
    return key;
  }

  /**
   * The SDK answers invokes it has no handler for with 501, a server error; the sender's request
   * is what is unsupported, so say so with a 400.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    return { status: 400, body: { error: `unsupported invoke '${context.activity.name ?? ''}'` } };
  }
}
