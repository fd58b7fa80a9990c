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
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';

/** What the JWT library throws for a token it refuses (bad signature, expired, not yet valid). */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/** Why a request was not authenticated; `message` is safe to show the caller, `cause` is for logs. */
export class AuthenticationRefused extends Error {
  constructor(
    /** 401: the token was refused; 503: it could not be checked now (signing keys unreachable). */
    readonly status: 401 | 503,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The Bot Framework adapter, with authentication as a step of its own: the server authenticates a
 * request first, then applies its per-conversation limits, then runs the turn, so that nobody
 * without a valid token can spend what belongs to a conversation.
 *
 * The SDK answers a token whose signature does not verify with 500, because the JWT library's
 * error is not an AuthenticationError; a refused token is the caller's problem: 401.
 */
export class RetainAdapter extends CloudAdapter {
  /**
   * Checks the request's token against the activity (issuer, audience, signing key, channel
   * endorsement, serviceUrl claim); without credentials every request passes, as the SDK does.
   */
  async authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
    } catch (err) {
      throw refusal(err);
    }
  }

  /** Runs the turn of an activity whose request authenticate() accepted. */
  async processAuthenticated(
    authenticated: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, withDates(activity), logic);
  }

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

/**
 * The Bot Framework adapter. With an app id and password the SDK validates every request's JWT;
 * without them (local use) requests are accepted unauthenticated, which is why the server then
 * refuses to listen anywhere but loopback (see bot/server.ts).
 */
export function createAdapter(
  config: Config,
  log: Logger,
  onTurnError: () => void = () => undefined,
): RetainAdapter {
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
  const adapter = new RetainAdapter(auth);
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

/**
 * A failure to check a token says nothing about its holder: the keys that sign channels' tokens
 * (or the Emulator's) could not be fetched. The caller may try again later; what failed is logged
 * by the server, never sent.
 */
function refusal(err: unknown): AuthenticationRefused {
  const status = (err as { statusCode?: unknown }).statusCode;
  const unreachable =
    (err instanceof AuthenticationError && typeof status === 'number' && status >= 500) ||
    (err instanceof Error && err.name === 'FetchError');
  if (unreachable) {
    return new AuthenticationRefused(503, 'the token could not be checked now; try again later', {
      cause: err,
    });
  }
  // AuthenticationError, the JWT library's errors, and anything unexpected: not authenticated.
  return new AuthenticationRefused(401, 'the request is not authenticated', { cause: err });
}

/** The SDK's own HTTP entry turns the activity's date strings into dates before a turn. */
function withDates(activity: Activity): Activity {
  const raw = activity as Activity & Record<string, unknown>;
  for (const [field, rawField] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    if (typeof raw[field] === 'string') {
      raw[rawField] = raw[field];
      raw[field] = new Date(raw[field] as string) as never;
    }
  }
  return activity;
}

export function hasCredentials(config: Config): boolean {
  return Boolean(config.bot.appId);
}
