/**
 * Hands Direct Line activities to the bot inside this process, through the real CloudAdapter turn
 * pipeline (middleware, bot.run, replies through a ConnectorClient), but never through
 * /api/messages: that endpoint keeps its JWT validation whatever happens here. The activity is
 * trusted because this process built it from a conversation whose token it issued.
 */
import type { Activity, CloudAdapter, TurnContext } from 'botbuilder';
import {
  AuthenticationConstants,
  ClaimsIdentity,
  type AuthenticateRequestResult,
} from 'botframework-connector';
import type { LocalConnectorFactory } from './connector';
import { setClientAddress } from '../../dialogs/turn';

/** What the bridge needs of the bot: botbuilder's ActivityHandler (or any bot) has it. */
export interface TurnHandler {
  run(context: TurnContext): Promise<void>;
}

export type DirectAdapter = Pick<CloudAdapter, 'processActivityDirect'>;

export class InProcessBotBridge {
  constructor(
    private readonly adapter: DirectAdapter,
    private readonly bot: TurnHandler,
    private readonly connectorFactory: LocalConnectorFactory,
    /** The bot's app id when credentials are configured: the SDK looks its credentials up by it. */
    private readonly appId?: string,
  ) {}

  /** `clientAddress`: where the request came from, for the dialogs' per-client limits. */
  async deliver(activity: Partial<Activity>, seen: { clientAddress?: string } = {}): Promise<void> {
    const claims = this.appId
      ? [
          { type: AuthenticationConstants.AudienceClaim, value: this.appId },
          { type: AuthenticationConstants.AppIdClaim, value: this.appId },
        ]
      : [];
    const turn: AuthenticateRequestResult = {
      audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
      claimsIdentity: new ClaimsIdentity(claims, true),
      connectorFactory: this.connectorFactory,
    };
    await this.adapter.processActivityDirect(turn, activity as Activity, (context) => {
      if (seen.clientAddress) setClientAddress(context, seen.clientAddress);
      return this.bot.run(context);
    });
  }
}
