/**
 * "Forget me": says exactly what will be erased, asks for a yes, then erases in one transaction.
 * The stored conversation state goes too, after this turn (see TurnInfo.forgotten).
 */
import {
  ComponentDialog,
  ConfirmPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
  type DialogTurnResult,
} from 'botbuilder-dialogs';
import type { AppServices } from '../../services/app';
import { turnInfo } from '../turn';

export const FORGET_DIALOG = 'forgetMe';
const CONFIRM = 'forgetMe.confirm';

interface ForgetValues {
  identityId: number | null;
}

export class ForgetMeDialog extends ComponentDialog {
  constructor(private readonly app: AppServices) {
    super(FORGET_DIALOG);
    this.addDialog(new ConfirmPrompt(CONFIRM));
    this.addDialog(new WaterfallDialog('forgetMe.steps', [this.ask.bind(this), this.erase.bind(this)]));
    this.initialDialogId = 'forgetMe.steps';
  }

  private async ask(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { identity } = turnInfo(step.context);
    const linked = identity?.customerId != null;
    // Whose data the question is about: only their own yes erases it.
    (step.values as ForgetValues).identityId = identity?.id ?? null;
    return step.prompt(CONFIRM, {
      prompt:
        'This erases what we hold about you for chat and marketing: this conversation, your chat accounts' +
        (linked
          ? ', your email address, feedback, messages, scores and campaign history'
          : ' and your feedback') +
        '. Order records we must keep for accounting stay, unlinked from you. We will never message you again. Erase now?',
      retryPrompt: 'Please answer yes or no: erase your data?',
    });
  }

  private async erase(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (step.result !== true) {
      await step.context.sendActivity('OK, nothing was erased.');
      return step.endDialog({ erased: false });
    }
    const info = turnInfo(step.context);
    if (!info.identity || info.identity.id !== (step.values as ForgetValues).identityId) {
      await step.context.sendActivity(
        'Sorry, I could not erase your data right now; please try again, or ask a person.',
      );
      return step.endDialog({ erased: false });
    }
    const result = this.app.care.forget(info.identity.id);
    info.forgotten = result.accounts;
    info.identity = undefined;
    await step.context.sendActivity(
      'Done: your data is erased and this chat is forgotten. If you write again, I will treat you as a new visitor. Goodbye!',
    );
    return step.endDialog({ erased: true });
  }
}
