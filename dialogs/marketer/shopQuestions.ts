/**
 * Marketers' own questions about the shop's figures ("what was our revenue last month?",
 * "top 5 products by revenue in Germany", "and in France?"), answered by the analyst before the
 * intent router sees them. A message that is not such a question goes on to the router; one the
 * data cannot answer gets the reason, not another report. The last question is remembered per
 * person and conversation, so follow-ups, paging, "why?" and "export that as csv" refer to it.
 */
import { readQuerySpec } from '../../nlp/query';
import { memoryOf } from '../turn';
import { sendReport, type HandlerContext } from '../handler';
import { csvActivity } from '../reportActivity';

/** Answers the message when it is a question about the shop's figures; false when it is not one. */
export async function answerShopQuestion(ctx: HandlerContext): Promise<boolean> {
  const memory = memoryOf(ctx.turn);
  const previous = readQuerySpec(memory.lastQuestion);
  const understood = ctx.app.analyst.understand(ctx.info.understanding.text, previous);
  if (!understood) return false;
  const answer = ctx.app.analyst.respond(understood);
  if (answer.spec) memory.lastQuestion = answer.spec;
  if (understood.kind === 'followup' && understood.action === 'export' && answer.table.rows.length) {
    await ctx.turn.sendActivity(
      csvActivity(
        answer.csv(),
        answer.title,
        answer.table.rows.length,
        ctx.turn.activity.channelId,
        ctx.render,
      ),
    );
    return true;
  }
  await sendReport(ctx, answer.report);
  return true;
}
