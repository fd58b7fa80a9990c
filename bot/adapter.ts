import {
  CloudAdapter,
  type Activity,
  type InvokeResponse,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type TurnContext,
} from 'botbuilder';
import { CallerIdConstants } from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  type AuthenticateRequestResult,
} from 'botframework-connector';

/** What the JWT library throws for a token it refuses (bad signature, expired, not yet valid). */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * The SDK answers a token whose signature does not verify with 500, because the JWT library's
 * error is not an AuthenticationError; a refused token is the caller's problem: 401.
 */
class TokenCheckingCloudAdapter extends CloudAdapter {
  protected override async processActivity(
    authHeaderOrResult: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    try {
      return await super.processActivity(authHeaderOrResult as string, activity, logic);
    } catch (err) {
      if (err instanceof Error && TOKEN_ERRORS.has(err.name)) {
        throw new AuthenticationError(`Unauthorized. ${err.message}`, 401);
      }
      throw err;
    }
  }
}
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';

/**
 * The Bot Framework adapter. With an app id and password the SDK validates every request's JWT;
 * without them (local use) requests are accepted unauthenticated, which is why the server then
 * refuses to listen anywhere but loopback (see bot/server.ts).
 */
export function createAdapter(
  config: Config,
  log: Logger,
  onTurnError: () => void = () => undefined,
): CloudAdapter {
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId,
  });
  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: config.bot.appId,
      MicrosoftAppType: config.bot.appType,
      MicrosoftAppTenantId: config.bot.tenantId,
      ...(config.bot.openIdMetadataUrl ? publicCloudWithKeysAt(config.bot.openIdMetadataUrl) : {}),
    },
    credentials,
  );
  const adapter = new TokenCheckingCloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    onTurnError();
    log.error({ err: error, conversation: context.activity.conversation?.id }, 'unhandled error in a turn');
    try {
      await context.sendActivity('Sorry, something went wrong on my side. Please try again in a moment.');
    } catch (sendError) {
      log.warn({ err: sendError }, 'could not tell the user about the error');
    }
  };
  return adapter;
}

/**
 * Public Azure's settings with the channels' signing keys published elsewhere. The SDK takes any
 * one of these settings as "all are given", so the rest are spelled out.
 */
function publicCloudWithKeysAt(openIdMetadataUrl: string): Record<string, string> {
  return {
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

export function hasCredentials(config: Config): boolean {
  return Boolean(config.bot.appId);
}
