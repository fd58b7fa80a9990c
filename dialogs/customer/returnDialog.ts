/**
 * Returns: the policy from the shop's FAQ, then the request itself. The customer names the order
 * (in the first message or when asked); it must be their own (verified chat user, order on their
 * account), and a return request goes to the team's hand-off queue. A reply that is not an order
 * number is not forced into this dialog: it ends it, and the message is answered as any other.
 */
import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { MessageFactory } from 'botbuilder';
import type { AppServices } from '../../services/app';
import { formatCell } from '../../reports/report';
import { turnInfo } from '../turn';
import { intentButtons } from '../intents';
import { VerifyDialog } from './verifyDialog';

export const RETURN_DIALOG = 'return';
const ASK_ORDER = 'return.order';
const VERIFY = 'return.verify';

/** An order number as customers type it: "557573", "#557573", "order 557573". */
const ORDER_NUMBER = /(?:^|[\s#])([a-z]?\d{5,8})\b/i;

export interface ReturnOptions {
  text: string;
  /** The order number, when the first message named it. */
  invoice?: string;
}

/** Ends the dialog and asks the router to answer the current message afresh. */
export const REROUTE = { reroute: true } as const;

export function isReroute(result: unknown): boolean {
  return (result as { reroute?: unknown } | undefined)?.reroute === true;
}

interface ReturnValues {
  invoice?: string;
}

export class ReturnDialog extends ComponentDialog {
  constructor(private readonly app: AppServices) {
    super(RETURN_DIALOG);
    this.addDialog(new TextPrompt(ASK_ORDER));
    // Verification inside the return: once verified, the same return carries on.
    this.addDialog(new VerifyDialog(app, async () => {}, VERIFY));
    this.addDialog(
      new WaterfallDialog('return.steps', [
        this.answer.bind(this),
        this.checkOrder.bind(this),
        this.open.bind(this),
      ]),
    );
    this.initialDialogId = 'return.steps';
  }

  private async answer(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as ReturnOptions;
    const entries = this.app.care.faq(['returns', 'refunds'], options.text);
    const policy = entries.map((e) => `**${e.question}**\n\n${e.answer}`).join('\n\n');
    if (options.invoice) {
      if (policy) await step.context.sendActivity(policy);
      return step.next(options.invoice);
    }
    return step.prompt(ASK_ORDER, {
      prompt: MessageFactory.suggestedActions(
        intentButtons(['talk_to_person']),
        `${policy ? `${policy}\n\n` : ''}To start a return, tell me the order number (it is on your confirmation email, e.g. 557573).`,
      ),
    });
  }

  private async checkOrder(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const invoice = ORDER_NUMBER.exec(` ${String(step.result ?? '')}`)?.[1]?.toUpperCase();
    if (!invoice) return step.endDialog(REROUTE);
    (step.values as ReturnValues).invoice = invoice;
    if (turnInfo(step.context).identity?.customerId) return step.next();
    await step.context.sendActivity(`To return order ${invoice}, I first need to check it is yours.`);
    return step.beginDialog(VERIFY);
  }

  private async open(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const invoice = (step.values as ReturnValues).invoice!;
    const identity = turnInfo(step.context).identity;
    if (!identity?.customerId) return step.endDialog({ opened: false });
    const request = this.app.care.requestReturn(identity, identity.customerId, invoice);
    if (!request) {
      await step.context.sendActivity(
        MessageFactory.suggestedActions(
          intentButtons(['order_status', 'talk_to_person']),
          `I can't find an order ${invoice} on your account that can be returned. Check the number on your confirmation email, or see your orders.`,
        ),
      );
      return step.endDialog({ opened: false });
    }
    const { order } = request;
    await step.context.sendActivity(
      `${request.created ? 'Done: return request' : 'You already have return request'} #${request.id} for order ${order.invoice} ` +
        `of ${order.orderedAt.slice(0, 10)} (${order.items} items, ${formatCell(order.total, 'price')}). ` +
        'A member of our team will reply in this chat with how to send the items back.',
    );
    return step.endDialog({ opened: true, id: request.id });
  }
}
