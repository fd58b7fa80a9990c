/** The shape shared by the single-turn handlers and the router. */
import { MessageFactory, type CardAction, type TurnContext } from 'botbuilder';
import type { AppServices } from '../services/app';
import type { TurnInfo } from './turn';
import type { Report } from '../reports/report';
import { renderReportActivity, type ReportRenderOptions } from './reportActivity';

export interface HandlerContext {
  turn: TurnContext;
  info: TurnInfo;
  app: AppServices;
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
