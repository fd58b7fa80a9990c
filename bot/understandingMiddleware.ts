/**
 * Runs before the dialogs on every message: understands the text once (intent, entities,
 * sentiment) and records it with who is talking, for the dialogs to read (dialogs/turn.ts).
 * Must come after IdentityMiddleware.
 */
import type { Middleware } from 'botbuilder';
import { ActivityTypes, TurnContext } from 'botbuilder';
import type { Nlu } from '../nlp/nlu';
import type { AppServices } from '../services/app';
import { setTurnInfo } from '../dialogs/turn';
import { identityOf } from './identityMiddleware';
import { MAX_TEXT_CHARS } from './activityShape';

/** The text a person "said": typed, or sent by pressing a card button (Action.Submit data). */
export function messageText(context: TurnContext): string {
  const activity = context.activity;
  const submitted = (activity.value as { text?: unknown } | undefined)?.text;
  // In a Teams channel the message starts with "<at>retain</at>": that is not part of the question.
  const typed = activity.text ? TurnContext.removeRecipientMention(activity) || activity.text : '';
  return (typed || (typeof submitted === 'string' ? submitted : '')).slice(0, MAX_TEXT_CHARS).trim();
}

export class UnderstandingMiddleware implements Middleware {
  constructor(
    private readonly nlu: Nlu,
    private readonly app: AppServices,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.type === ActivityTypes.Message) {
      const text = messageText(context);
      const identity = identityOf(context);
      if (text) {
        setTurnInfo(context, {
          role: identity?.role ?? 'customer',
          identity,
          understanding: this.nlu.understand(text, { referenceDate: this.app.reports.referenceDate() }),
        });
      }
    }
    await next();
  }
}
