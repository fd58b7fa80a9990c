import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type TurnContext,
} from 'botbuilder';
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
    },
    credentials,
  );
  const adapter = new CloudAdapter(auth);
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

export function hasCredentials(config: Config): boolean {
  return Boolean(config.bot.appId);
}
