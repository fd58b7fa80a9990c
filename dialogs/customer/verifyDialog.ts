/**
 * Links a chat user to their customer record: they give an order number and the email address
 * on that order, and both must match. Failures never say which half was wrong, and after three
 * in a day the chat user cannot try again (so the bot cannot be used to guess people's emails).
 */
import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
  type DialogTurnResult,
  type PromptValidatorContext,
} from 'botbuilder-dialogs';
import type { AppServices } from '../../services/app';
import { turnInfo } from '../turn';
import { button } from '../handler';
import { intentButtons } from '../intents';
import { MessageFactory } from 'botbuilder';

export const VERIFY_DIALOG = 'verify';
const ASK_ORDER = 'verify.order';
const ASK_EMAIL = 'verify.email';
export const MAX_VERIFY_FAILURES = 3;

const ORDER_NUMBER = /\b([a-z]?\d{5,8})\b/i;
const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;

export interface VerifyOptions {
  /** The intent to carry on with once verified (e.g. 'order_status'). */
  then?: string;
}

/** Verification attempts per conversation, kept in the dialog state of the conversation. */
interface VerifyValues {
  invoice?: string;
}

export class VerifyDialog extends ComponentDialog {
  constructor(
    private readonly app: AppServices,
    /** Runs the intent the customer wanted once they are verified. */
    private readonly resume: (step: WaterfallStepContext, intent: string) => Promise<void>,
    id = VERIFY_DIALOG,
  ) {
    super(id);
    const validate = (pattern: RegExp) => async (p: PromptValidatorContext<string>) =>
      pattern.test(p.recognized.value ?? '');
    this.addDialog(new TextPrompt(ASK_ORDER, validate(ORDER_NUMBER)));
    this.addDialog(new TextPrompt(ASK_EMAIL, validate(EMAIL)));
    this.addDialog(
      new WaterfallDialog('verify.steps', [
        this.askOrder.bind(this),
        this.askEmail.bind(this),
        this.check.bind(this),
      ]),
    );
    this.initialDialogId = 'verify.steps';
  }

  private async askOrder(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { identity } = turnInfo(step.context);
    if (identity && this.app.care.recentVerifyFailures(identity.id) >= MAX_VERIFY_FAILURES) {
      await step.context.sendActivity(
        MessageFactory.suggestedActions(
          intentButtons(['talk_to_person']),
          "I can't verify you in this chat after several tries. A member of our team can help.",
        ),
      );
      return step.endDialog({ verified: false });
    }
    return step.prompt(ASK_ORDER, {
      prompt:
        'First I need to check it is you. What is the number of one of your orders? (It is on your confirmation email, e.g. 536365.)',
      retryPrompt:
        'That does not look like an order number: it is 5 to 8 digits, sometimes with a letter in front. What is it?',
    });
  }

  private async askEmail(step: WaterfallStepContext): Promise<DialogTurnResult> {
    (step.values as VerifyValues).invoice = ORDER_NUMBER.exec(String(step.result))![1].toUpperCase();
    return step.prompt(ASK_EMAIL, {
      prompt: 'And the email address you used for that order?',
      retryPrompt: 'Please type the email address, like name@example.com.',
    });
  }

  private async check(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { identity } = turnInfo(step.context);
    const invoice = (step.values as VerifyValues).invoice!;
    const email = EMAIL.exec(String(step.result))![0];
    if (!identity) {
      await step.context.sendActivity(
        'Sorry, I cannot link accounts in this chat right now. Please try again later.',
      );
      return step.endDialog({ verified: false });
    }
    const result = this.app.care.verifyAndLink(identity.id, invoice, email);
    if ('failure' in result) {
      const text =
        result.failure === 'no_email_on_file'
          ? "I can't verify that order in chat: the shop has no email address on file for it. A member of our team can help."
          : "Those details don't match our records, so I can't link your account. Check the order number and email, or ask a person.";
      await step.context.sendActivity(
        MessageFactory.suggestedActions(
          [button('Try again', 'verify me'), ...intentButtons(['talk_to_person'])],
          text,
        ),
      );
      return step.endDialog({ verified: false });
    }
    turnInfo(step.context).identity = result.linked;
    await step.context.sendActivity(
      `Thanks, you're verified as customer ${this.app.care.customerRecord(result.linked.customerId!)?.externalId ?? ''}.`.replace(
        ' .',
        '.',
      ),
    );
    const then = (step.options as VerifyOptions).then;
    if (then) await this.resume(step, then);
    return step.endDialog({ verified: true });
  }
}
