/**
 * Outermost on every turn: once everything else in the turn has deleted what it holds about a
 * person who asked to be forgotten (the dialogs erase the database rows, the bot and any other
 * middleware delete their conversation state afterwards), the database's write-ahead log is
 * emptied, so the old versions of every page the erasure changed leave the files on disk.
 */
import type { Middleware, TurnContext } from 'botbuilder';
import type { CustomerCareService } from '../services/customerCare';
import { hasTurnInfo, turnInfo } from '../dialogs/turn';

export class ErasureCompletionMiddleware implements Middleware {
  constructor(private readonly care: Pick<CustomerCareService, 'completeErasure'>) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    await next();
    if (hasTurnInfo(context) && turnInfo(context).forgotten) this.care.completeErasure();
  }
}
