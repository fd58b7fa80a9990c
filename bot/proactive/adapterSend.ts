/**
 * The sender's `send` function for the real bot: a proactive message through the adapter's
 * continueConversation with the stored conversation reference. The outbox (jobs/sender.ts) does
 * the retries, rate limits and bookkeeping; this only delivers one activity and reports how the
 * channel answered (the connector's RestError carries statusCode and the Retry-After header,
 * which jobs/sender.ts understands).
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { SendFn } from '../../jobs/sender';

export function adapterSend(adapter: CloudAdapter, botAppId: string | undefined): SendFn {
  return async (reference, activity) => {
    let id: string | undefined;
    let failure: unknown;
    await adapter.continueConversationAsync(
      botAppId ?? '',
      reference as Partial<ConversationReference>,
      async (context) => {
        // Caught here, not left to the adapter: its onTurnError would answer the customer with
        // an apology, and the outbox must see the channel's error to retry or give up.
        try {
          const response = await context.sendActivity(activity as unknown as Partial<Activity>);
          id = response?.id;
        } catch (error) {
          failure = error;
        }
      },
    );
    if (failure !== undefined) throw failure;
    return { id };
  };
}
