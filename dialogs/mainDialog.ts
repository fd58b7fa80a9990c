/**
 * The main dialog: routes each message by role, intent and confidence. Exact commands (button
 * texts) first; then a clearly unhappy customer is answered with an apology before anything
 * else; then the intent, if the model is confident enough and the role may use it; otherwise a
 * clarifying question with the likeliest intents as buttons, never a guess.
 */
import {
  ComponentDialog,
  Dialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
  type DialogState,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { AppServices } from '../services/app';
import { isClearlyNegative } from '../services/customerCare';
import { isNotTrained } from '../services/errors';
import { allowed, intentButtons, intentInfo, STARTERS, type IntentName } from './intents';
import { HANDLERS } from './routes';
import { button, sendWithButtons, type Handler, type HandlerContext } from './handler';
import { turnInfo, type Role } from './turn';
import { CUSTOMER_COMMANDS } from './customer/handlers';
import { CampaignDialog } from './marketer/campaignDialog';
import { answerShopQuestion } from './marketer/shopQuestions';
import { forgetReport, rememberReport, reportFollowUp } from './marketer/reportFollowUps';
import { MARKETER_COMMANDS, MARKETER_HANDLERS, explainNotTrained } from './marketer/handlers';
import { VerifyDialog } from './customer/verifyDialog';
import { ForgetMeDialog } from './customer/forgetMeDialog';
import { ReturnDialog, isReroute } from './customer/returnDialog';
import { FeedbackDialog, recordFeedbackAndReply } from './customer/feedbackDialog';
import type { SentimentResult } from '../nlp/sentiment/model';
import type { ReportRenderOptions } from './reportActivity';

export const MAIN_DIALOG = 'main';
const ROUTE = 'main.route';

/**
 * How long a question waits for the person it was asked of before somebody else in the same
 * conversation may move on (a shared chat must not be blocked by someone who walked away).
 */
export const QUESTION_HOLD_MS = 10 * 60_000;

/** Kept in the main dialog's own state: who the open question was asked of, and when. */
const ASKED_OF = 'retain.askedOf';
interface AskedOf {
  id: string;
  name: string | null;
  at: number;
}

export interface MainDialogOptions {
  now?: () => number;
  questionHoldMs?: number;
}

/** Below this calibrated confidence the bot asks instead of acting. */
export const CLARIFY_BELOW = 0.55;

/** Words that end whatever multi-turn dialog is running. */
const CANCEL = /^(cancel|stop that|never ?mind|forget it|quit|abort)\.?$/i;

/** Intents that may interrupt a running dialog when the model is sure of them. */
const INTERRUPTING = new Set(['help', 'talk_to_person', 'unsubscribe', 'forget_me']);
const INTERRUPT_CONFIDENCE = 0.85;
/** Replies to a question the dialog asked ("no" is not "stop messaging me"). */
const ANSWER_WORDS = /^(y|yes|yeah|yep|sure|ok|okay|no|nope|nah|n|no thanks|no thank you)[.!]?$/i;
/** A bare value typed in answer to a question: an email address, an order or customer number. */
const ANSWER_VALUE = /^(\S+@\S+\.\S+|[a-z]?\d[\d -]*)$/i;

function isAnAnswer(text: string): boolean {
  return ANSWER_WORDS.test(text) || ANSWER_VALUE.test(text);
}

/** Intents whose own answer already deals with an unhappy tone. */
const HANDLES_ITS_OWN_TONE = new Set([
  'feedback_complaint',
  'talk_to_person',
  'unsubscribe',
  'forget_me',
  'goodbye',
]);

export class MainDialog extends ComponentDialog {
  private readonly now: () => number;
  private readonly questionHoldMs: number;

  constructor(
    private readonly app: AppServices,
    understandSentiment: (text: string) => SentimentResult,
    private readonly render: ReportRenderOptions = {},
    options: MainDialogOptions = {},
  ) {
    super(MAIN_DIALOG);
    this.now = options.now ?? Date.now;
    this.questionHoldMs = options.questionHoldMs ?? QUESTION_HOLD_MS;
    this.addDialog(new CampaignDialog(app, render));
    this.addDialog(new VerifyDialog(app, (step, intent) => this.resume(step, intent)));
    this.addDialog(new ForgetMeDialog(app));
    this.addDialog(new FeedbackDialog(app, understandSentiment));
    this.addDialog(new ReturnDialog(app));
    this.addDialog(new WaterfallDialog(ROUTE, [this.route.bind(this), this.finish.bind(this)]));
    this.initialDialogId = ROUTE;
  }

  /** Runs one turn: continues the active dialog, or starts routing the message. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const set = new DialogSet(accessor);
    set.add(this);
    const dc = await set.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }

  override async beginDialog(outerDc: DialogContext, options?: object): Promise<DialogTurnResult> {
    return this.noteAddressee(outerDc, await super.beginDialog(outerDc, options));
  }

  /**
   * A question (erasure, verification, campaign launch...) may only be answered by the person it
   * was asked of. In a shared conversation anybody else gets a short answer and the question stays
   * open, until it has waited QUESTION_HOLD_MS; then it lapses and their message is handled anew.
   */
  override async continueDialog(outerDc: DialogContext): Promise<DialogTurnResult> {
    const asked = (outerDc.activeDialog?.state as Record<string, unknown> | undefined)?.[ASKED_OF] as
      AskedOf | undefined;
    const from = outerDc.context.activity.from;
    if (asked && from?.id !== asked.id) {
      if (this.now() - asked.at < this.questionHoldMs) {
        await outerDc.context.sendActivity(
          `Sorry, I'm waiting for ${asked.name ?? 'someone else here'} to answer my question. Please ask me again once they have.`,
        );
        return Dialog.EndOfTurn;
      }
      return outerDc.replaceDialog(this.id);
    }
    return this.noteAddressee(outerDc, await super.continueDialog(outerDc));
  }

  /** After a turn that left a question open: it is the question of whoever wrote this message. */
  private noteAddressee(outerDc: DialogContext, result: DialogTurnResult): DialogTurnResult {
    const instance = outerDc.activeDialog;
    const from = outerDc.context.activity.from;
    if (result.status === DialogTurnStatus.waiting && instance?.id === this.id && from?.id) {
      const asked: AskedOf = { id: from.id, name: from.name || null, at: this.now() };
      (instance.state as Record<string, unknown>)[ASKED_OF] = asked;
    }
    return result;
  }

  /** While a multi-turn dialog waits for an answer, "cancel" ends it and some intents interrupt it. */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const { understanding } = turnInfo(innerDc.context);
    if (CANCEL.test(understanding.text.trim())) {
      await innerDc.context.sendActivity('OK, cancelled.');
      return innerDc.cancelAllDialogs();
    }
    if (
      INTERRUPTING.has(understanding.intent) &&
      understanding.confidence >= INTERRUPT_CONFIDENCE &&
      !isAnAnswer(understanding.text.trim())
    ) {
      await innerDc.cancelAllDialogs();
      return innerDc.beginDialog(ROUTE);
    }
    return super.onContinueDialog(innerDc);
  }

  private ctx(step: WaterfallStepContext | DialogContext): HandlerContext {
    return {
      turn: step.context,
      info: turnInfo(step.context),
      app: this.app,
      render: this.render,
    };
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const ctx = this.ctx(step);
    const { role, understanding: u } = ctx.info;
    const text = u.text.trim();

    const commands = role === 'marketer' ? MARKETER_COMMANDS : CUSTOMER_COMMANDS;
    const command = commands.find((c) => c.pattern.test(text));
    if (command) return this.start(step, command.run);

    if (role === 'marketer') {
      // A question about the shop's own figures goes to the analyst, which knows them.
      if (await answerShopQuestion(ctx)) {
        forgetReport(ctx);
        return step.endDialog();
      }
      // "and in France?" after a report: the same report with the new filter.
      const followUp = await reportFollowUp(ctx);
      if (followUp === 'answered') return step.endDialog();
      if (followUp) {
        ctx.info.understanding = {
          ...u,
          intent: followUp.intent,
          confidence: 1,
          entities: followUp.entities,
        };
        rememberReport(ctx, followUp.intent);
        return this.start(step, this.handlerFor(followUp.intent, role));
      }
    }

    if (role === 'customer' && isClearlyNegative(u.sentiment) && !HANDLES_ITS_OWN_TONE.has(u.intent)) {
      await recordFeedbackAndReply(step.context, this.app, u.text, u.sentiment);
      // Answer the question too, when there clearly was one.
      if (u.intent === 'out_of_scope' || u.confidence < CLARIFY_BELOW || !allowed(u.intent, role))
        return step.endDialog();
    }

    if (!text) return step.endDialog();
    if (u.intent === 'out_of_scope' || u.confidence < CLARIFY_BELOW) {
      await this.clarify(ctx, role);
      return step.endDialog();
    }
    if (!allowed(u.intent, role)) {
      await sendWithButtons(
        ctx,
        "That's something only the shop's team can see. Here is what I can help you with:",
        intentButtons(STARTERS.customer),
      );
      return step.endDialog();
    }
    const handler = this.handlerFor(u.intent, role);
    if (role === 'marketer' && isMarketerReport(u.intent)) rememberReport(ctx, u.intent);
    return this.start(step, handler);
  }

  private handlerFor(intent: string, role: Role): Handler {
    return intentInfo(intent) ? HANDLERS[intent as IntentName] : (ctx) => this.clarify(ctx, role);
  }

  /** Runs a handler; a multi-turn answer becomes a child dialog. */
  private async start(step: WaterfallStepContext, handler: Handler): Promise<DialogTurnResult> {
    try {
      const next = await handler(this.ctx(step));
      if (next) return step.beginDialog(next.dialogId, next.options);
    } catch (err) {
      if (!isNotTrained(err)) throw err;
      await explainNotTrained(this.ctx(step));
    }
    return step.endDialog();
  }

  private async finish(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // A dialog that was not answered (a question instead of an order number): answer that instead.
    if (isReroute(step.result)) return step.replaceDialog(ROUTE);
    return step.endDialog(step.result);
  }

  /** After verification: carry on with what the customer asked for in the first place. */
  private async resume(step: WaterfallStepContext, intent: string): Promise<void> {
    const ctx = this.ctx(step);
    const handler = this.handlerFor(intent, ctx.info.role);
    const next = await handler(ctx);
    // A handler that needs yet another dialog would loop; it is asked to say what it needs instead.
    if (next) await step.context.sendActivity(`Please ask again: "${intentInfo(intent)?.phrase ?? intent}".`);
  }

  private async clarify(ctx: HandlerContext, role: Role): Promise<void> {
    const u = ctx.info.understanding;
    const guesses = u.alternatives
      .filter((a) => a.intent !== 'out_of_scope' && allowed(a.intent, role) && a.confidence >= 0.1)
      .map((a) => a.intent as IntentName)
      .slice(0, 3);
    if (guesses.length) {
      await sendWithButtons(
        ctx,
        "I'm not sure what you mean. Did you want one of these?",
        intentButtons(guesses),
      );
    } else {
      await sendWithButtons(ctx, "Sorry, I can't help with that. Here is what I can do:", [
        ...intentButtons(STARTERS[role]),
        button('Help', 'help'),
      ]);
    }
  }
}

function isMarketerReport(intent: string): boolean {
  return Object.prototype.hasOwnProperty.call(MARKETER_HANDLERS, intent);
}
