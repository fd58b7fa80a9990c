/**
 * Links a chat user to their customer record: they give an order number and the email address
 * on that order, and both must match. Every failure gets the same answer (wrong email, unknown
 * order number, no email on file, a record held after repeated failures), so the answers reveal
 * neither which order numbers exist nor which half was wrong. Failures are limited per chat user,
 * customer record, email and client address (services/verification.ts).
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
import { clientAddress, turnInfo } from '../turn';
import { button } from '../handler';
import { intentButtons } from '../intents';
import { MessageFactory } from 'botbuilder';

export const VERIFY_DIALOG = 'verify';
const ASK_ORDER = 'verify.order';
const ASK_EMAIL = 'verify.email';

/** The one answer for every failed verification. */
export const NOT_VERIFIED =
  "I couldn't verify you with those details, so your account is not linked. " +
  'Check the order number and the email address used for it and try again later, or ask a person.';

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
    const waitMs = identity ? this.app.care.verificationWaitMs(identity.id, clientAddress(step.context)) : 0;
    if (waitMs > 0) {
      await tooManyTries(step, waitMs);
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
    const result = this.app.care.verifyAndLink({
      identityId: identity.id,
      invoice,
      email,
      clientAddress: clientAddress(step.context),
    });
    if ('failure' in result) {
      if (result.failure === 'locked' && result.lockedBy === 'requester') {
        await tooManyTries(step, result.waitMs);
      } else {
        await step.context.sendActivity(
          MessageFactory.suggestedActions(
            [button('Try again', 'verify me'), ...intentButtons(['talk_to_person'])],
            NOT_VERIFIED,
          ),
        );
      }
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

async function tooManyTries(step: WaterfallStepContext, waitMs: number): Promise<void> {
  await step.context.sendActivity(
    MessageFactory.suggestedActions(
      intentButtons(['talk_to_person']),
      `I can't verify you in this chat after several tries. You can try again ${inAbout(waitMs)}, ` +
        'or a member of our team can help.',
    ),
  );
}

/** "in about 15 minutes", "in about 2 hours": the person's time zone is not known here. */
function inAbout(waitMs: number): string {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  if (minutes < 90) return `in about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `in about ${Math.round(minutes / 60)} hours`;
}
