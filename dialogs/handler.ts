/** The shape shared by the single-turn handlers and the router. */
import { MessageFactory, type CardAction, type TurnContext } from 'botbuilder';
import type { Assistant } from './assistant';
import type { TurnInfo } from './turn';
import type { Report } from './reports/report';
import { renderReportActivity, type ReportRenderOptions } from './reports/toActivity';
import { INTENTS } from './intents';

export interface HandlerContext {
  turn: TurnContext;
  info: TurnInfo;
  assistant: Assistant;
  /** How reports become messages: where charts are kept and linked from. */
  render: ReportRenderOptions;
}

/** A handler answers in this turn, or asks the router to start a multi-turn dialog. */
export type HandlerResult = void | { dialogId: string; options?: object };
export type Handler = (ctx: HandlerContext) => Promise<HandlerResult>;

export async function sendReport(
  ctx: Pick<HandlerContext, 'turn' | 'render'>,
  report: Report,
): Promise<void> {
  await ctx.turn.sendActivity(await renderReportActivity(report, ctx.turn.activity.channelId, ctx.render));
}

/** Buttons that send the phrase of each intent (or a given text). */
export function intentButtons(intents: string[]): CardAction[] {
  return intents
    .filter((i) => INTENTS[i])
    .map((i) => ({ type: 'imBack', title: INTENTS[i].title, value: INTENTS[i].phrase }));
}

export async function sendWithButtons(
  ctx: HandlerContext,
  text: string,
  buttons: CardAction[],
): Promise<void> {
  await ctx.turn.sendActivity(
    buttons.length ? MessageFactory.suggestedActions(buttons, text) : MessageFactory.text(text),
  );
}

export function button(title: string, value: string): CardAction {
  return { type: 'imBack', title, value };
}
