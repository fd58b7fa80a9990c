import { ActivityHandler, MessageFactory, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { DataExtent } from '../data/repositories/orderHistory';
import { identityOf } from './identityMiddleware';

/**
 * A placeholder bot until the dialogs land: it greets, and answers any message with what the
 * assistant knows about the shop, so a new user can see the data is loaded.
 */
export class MinimalBot extends ActivityHandler {
  constructor(private readonly extent: () => DataExtent) {
    super();
    this.onMessage(async (context, next) => {
      const text = (context.activity.text ?? '').trim();
      const role = identityOf(context)?.role ?? 'customer';
      await context.sendActivity(
        MessageFactory.text(`${this.describe(text)} (You are talking to me as a ${role}.)`),
      );
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient.id) {
          await context.sendActivity(
            'Hello! I am retain, your marketing assistant. Ask me anything about your shop.',
          );
        }
      }
      await next();
    });
  }

  /**
   * The SDK answers invokes it has no handler for with 501, a server error; the sender's request
   * is what is unsupported, so say so with a 400.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    return { status: 400, body: { error: `unsupported invoke '${context.activity.name ?? ''}'` } };
  }

  private describe(text: string): string {
    const e = this.extent();
    const period =
      e.firstOrderAt && e.lastOrderAt
        ? ` from ${e.firstOrderAt.slice(0, 10)} to ${e.lastOrderAt.slice(0, 10)}`
        : '';
    const heard = text ? `You said: "${text.slice(0, 200)}". ` : '';
    return (
      `${heard}I know ${e.customers} customers, ${e.orders} orders and ${e.products} products${period}. ` +
      `Reports on segments, churn and recommendations are coming soon.`
    );
  }
}
