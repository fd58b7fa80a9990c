/**
 * Links a chat user to their customer record: they give an order number and the email address
 * on that order, and both must match. Where the shop has an email channel, a match is not enough:
 * a one-time code goes to that address and the link is made when the code is typed back, so an
 * order number and an email (on a parcel label, a forwarded receipt) do not open someone's
 * account; the answer to the details is then the same whether they matched or not. Every failure gets the same answer (wrong email, unknown
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
import type { VerifyResult } from '../../services/customerCare';
import { clientAddress, turnInfo } from '../turn';
import { button } from '../handler';
import { intentButtons } from '../intents';
import { MessageFactory } from 'botbuilder';

export const VERIFY_DIALOG = 'verify';
const ASK_ORDER = 'verify.order';
const ASK_EMAIL = 'verify.email';
const ASK_CODE = 'verify.code';
/** Asks for the code until it links or the code is used up. */
const CODE_LOOP = 'verify.codeLoop';

/** The one answer for every failed verification. */
export const NOT_VERIFIED =
  "I couldn't verify you with those details, so your account is not linked. " +
  'Check the order number and the email address used for it and try again later, or ask a person.';

const ORDER_NUMBER = /\b([a-z]?\d{5,8})\b/i;
const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;
/** Six digits, however the person spaced or dashed them ("123 456"). */
const CODE = /^\D*(\d{3})[\s-]?(\d{3})\D*$/;

/** Said after the details whether they matched or not: it must not tell which. */
export function codeMaybeSent(validMinutes: number): string {
  return (
    "If that order number and email address match our records, I've just emailed a 6-digit code to that address. " +
    `Type the code here (it works for ${validMinutes} minutes). ` +
    "Nothing arrived? Check your spam folder, or say 'cancel' and check the order number and email."
  );
}

const CODE_TRY_AGAIN = "That code isn't right. Check the latest email from us and type its 6 digits again.";

interface CodeLoopOptions extends VerifyOptions {
  retry: boolean;
  /** Codes typed so far in this loop. */
  tries?: number;
}

/** The one answer for a wrong, used or expired code. */
export const CODE_NOT_ACCEPTED =
  "That code isn't right, or it has expired, so your account is not linked. " +
  "Say 'verify me' to get a new code, or ask a person.";

export const CODE_NOT_SENT =
  "Sorry, I couldn't send the email with your code just now, so your account is not linked. " +
  'Please try again in a few minutes, or ask a person.';

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
    this.addDialog(new TextPrompt(ASK_CODE, validate(CODE)));
    this.addDialog(
      new WaterfallDialog('verify.steps', [
        this.askOrder.bind(this),
        this.askEmail.bind(this),
        this.check.bind(this),
        async (step) => step.endDialog(step.result),
      ]),
    );
    this.addDialog(new WaterfallDialog(CODE_LOOP, [this.askCode.bind(this), this.checkCode.bind(this)]));
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
    const request = { identityId: identity.id, invoice, email, clientAddress: clientAddress(step.context) };
    if (this.app.care.verifiesByEmailCode) {
      const sent = await this.app.care.requestVerificationCode(request);
      if (sent.outcome === 'locked') {
        await tooManyTries(step, sent.waitMs);
        return step.endDialog({ verified: false });
      }
      if (sent.outcome === 'mailFailed') {
        await step.context.sendActivity(
          MessageFactory.suggestedActions(intentButtons(['talk_to_person']), CODE_NOT_SENT),
        );
        return step.endDialog({ verified: false });
      }
      return step.beginDialog(CODE_LOOP, { ...(step.options as VerifyOptions), retry: false });
    }
    return this.finish(step, this.app.care.verifyAndLink(request), NOT_VERIFIED);
  }

  private async askCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { retry } = step.options as CodeLoopOptions;
    return step.prompt(ASK_CODE, {
      prompt: retry ? CODE_TRY_AGAIN : codeMaybeSent(this.app.care.codeValidMinutes),
      retryPrompt: "The code is the 6 digits in the email, like 123456. (Say 'cancel' to stop.)",
    });
  }

  private async checkCode(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const identityId = turnInfo(step.context).identity!.id;
    const digits = CODE.exec(String(step.result))!;
    const result = this.app.care.confirmVerificationCode(
      identityId,
      digits[1] + digits[2],
      clientAddress(step.context),
    );
    // A typo gets another go, as many as a code has tries (each failure is counted all the same).
    // Counted here, not from the code: with no code sent (wrong details) the answers must be the same.
    const options = step.options as CodeLoopOptions;
    const tries = (options.tries ?? 0) + 1;
    const mayRetry =
      'failure' in result && result.failure === 'not_verified' && tries < this.app.care.codeTriesAllowed;
    if (mayRetry) return step.replaceDialog(CODE_LOOP, { ...options, retry: true, tries });
    return this.finish(step, result, CODE_NOT_ACCEPTED);
  }

  /** Tells the outcome and, once verified, carries on with what the person wanted. */
  private async finish(
    step: WaterfallStepContext,
    result: VerifyResult,
    notVerified: string,
  ): Promise<DialogTurnResult> {
    if ('failure' in result) {
      if (result.failure === 'locked' && result.lockedBy === 'requester') {
        await tooManyTries(step, result.waitMs);
      } else {
        await step.context.sendActivity(
          MessageFactory.suggestedActions(
            [button('Try again', 'verify me'), ...intentButtons(['talk_to_person'])],
            notVerified,
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
