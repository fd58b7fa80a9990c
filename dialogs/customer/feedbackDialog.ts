/**
 * Feedback: what the customer says is stored with its sentiment for marketers' summaries. A
 * message that is only "I want to give feedback" gets a question first; an unhappy one gets an
 * apology, the offer of a person, and a pause on promotions. What a marketer says is feedback
 * about retain itself: thanked, kept apart, and never a customer complaint.
 */
import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
  type DialogTurnResult,
} from 'botbuilder-dialogs';
import { MessageFactory, type TurnContext } from 'botbuilder';
import type { AppServices } from '../../services/app';
import type { SentimentResult } from '../../nlp/sentiment/model';
import { turnInfo } from '../turn';
import { intentButtons } from '../intents';

export const FEEDBACK_DIALOG = 'feedback';
const ASK = 'feedback.ask';

/** "I want to leave feedback" says nothing yet; longer or clearly felt messages do. */
export function hasSubstance(text: string, sentiment: SentimentResult): boolean {
  const words = text.trim().split(/\s+/).length;
  const onlyAsking =
    /^(i('d| would)? (like|want) to )?(give|leave|send|make) (some )?(feedback|a complaint|a comment)\.?$/i.test(
      text.trim(),
    );
  return !onlyAsking && (words >= 6 || sentiment.label !== 'neutral');
}

export class FeedbackDialog extends ComponentDialog {
  constructor(
    private readonly app: AppServices,
    private readonly understandSentiment: (text: string) => SentimentResult,
  ) {
    super(FEEDBACK_DIALOG);
    this.addDialog(new TextPrompt(ASK));
    this.addDialog(new WaterfallDialog('feedback.steps', [this.ask.bind(this), this.record.bind(this)]));
    this.initialDialogId = 'feedback.steps';
  }

  private async ask(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { understanding } = turnInfo(step.context);
    if (hasSubstance(understanding.text, understanding.sentiment)) return step.next(understanding.text);
    return step.prompt(ASK, { prompt: "I'm listening: what would you like to tell us?" });
  }

  private async record(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const text = String(step.result ?? '').trim();
    if (!text) return step.endDialog();
    const sentiment = this.understandSentiment(text);
    await recordFeedbackAndReply(step.context, this.app, text, sentiment);
    return step.endDialog();
  }
}

/** Stores the feedback and answers it: thanks, or an apology with a person on offer. */
export async function recordFeedbackAndReply(
  context: TurnContext,
  app: AppServices,
  text: string,
  sentiment: SentimentResult,
): Promise<void> {
  const { identity } = turnInfo(context);
  const { about } = app.care.recordFeedback(identity, text, sentiment);
  if (about === 'bot') {
    await context.sendActivity(
      sentiment.label === 'negative'
        ? "Sorry it didn't help. I've noted that as feedback about me, retain, for the people who look after me."
        : "Thanks: I've noted that as feedback about me, retain, for the people who look after me.",
    );
  } else if (sentiment.label === 'negative') {
    await context.sendActivity(
      MessageFactory.suggestedActions(
        intentButtons(['talk_to_person']),
        `I'm sorry about that, and thank you for telling us: your message is with the team. ` +
          `We won't send you promotions for the next ${app.care.complaintQuietDays} days. Would you like a person to get in touch?`,
      ),
    );
  } else {
    await context.sendActivity(
      sentiment.label === 'positive'
        ? 'Thank you, that is lovely to hear! I have passed it on to the team.'
        : 'Thank you: I have passed your feedback on to the team.',
    );
  }
}
