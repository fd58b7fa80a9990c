import restify from 'restify';
import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from '../lib/logger';
import { describeInvalidActivity } from './activityShape';
import { AuthenticationRefused, type RetainAdapter } from './adapter';
import { clientKey, type ClientAddressOf } from './clientAddress';
import { readJsonBody } from './jsonBody';
import { isLocalServiceUrl, localRequestRefusal, type LocalAccess } from './localGuard';
import type { ActivityOutcome, BotMetrics } from './metrics';
import { enterRequestScope } from './processGuards';
import type { RateLimiter } from './rateLimiter';
import { safely } from './safeHandler';

export interface ServerOptions {
  adapter: RetainAdapter;
  bot: { run(context: TurnContext): Promise<void> };
  log: Logger;
  /** Whether the adapter validates tokens; without, only loopback addresses may be used. */
  authenticated: boolean;
  metrics: BotMetrics;
  /** Per-conversation limit on incoming activities, applied once the sender is authenticated. */
  rateLimiter?: RateLimiter;
  /** Per client address limit on requests refused before authentication. */
  clientLimiter?: RateLimiter;
  /** The client's address (X-Forwarded-For from trusted proxies); the socket's by default. */
  clientAddress?: ClientAddressOf;
  /** Local mode: who besides this machine may drive the bot (nobody by default). */
  local?: LocalAccess;
}

export class InsecureBindError extends Error {
  readonly exitCode = 2;
}

/** No chat activity needs more; the Bot Framework's own limit on a message is smaller still. */
export const MAX_ACTIVITY_BYTES = 256 * 1024;
/** Time a client has to send a whole request (headers and body); answers may take longer. */
export const REQUEST_TIMEOUT_MS = 30_000;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

export function createServer(options: ServerOptions): restify.Server {
  const { log, authenticated } = options;
  const local: LocalAccess = options.local ?? { allowedOrigins: [], serviceUrlOrigins: [] };
  const clientAddress = options.clientAddress ?? ((req) => req.socket.remoteAddress ?? '');
  const server = restify.createServer({ name: 'retain', handleUncaughtExceptions: false });
  server.server.requestTimeout = REQUEST_TIMEOUT_MS;
  // First: whatever a request starts runs in its scope (see processGuards.ts).
  enterRequestScope(server);
  if (!authenticated) {
    server.pre((req, res, next) => {
      const refusal = localRequestRefusal(req, local);
      if (refusal === undefined) return next();
      res.send(403, { error: refusal });
      return next(false);
    });
  }
  // Errors restify answers itself (a route's 5xx) carry no internals.
  server.on('restifyError', (_req: restify.Request, _res: restify.Response, err: Error, done: () => void) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) Object.assign(err, { toJSON: () => ({ error: 'internal error' }) });
    return done();
  });

  server.post(
    '/api/messages',
    safely(log, async (req, res) => {
      const done = options.metrics.startActivity();
      const client = clientKey(clientAddress(req));
      const answer = (status: number, error: string, outcome: ActivityOutcome, labels?: Activity) => {
        // The connection is closed after a refusal: whatever is left of the body is never read.
        if (status >= 400 && !req.complete) res.setHeader('connection', 'close');
        res.send(status, { error });
        done(outcome, labels?.channelId, labels?.type);
      };
      /** A request refused before authentication counts against its client address. */
      const refuse = (status: number, error: string, outcome: ActivityOutcome) => {
        if (authenticated) options.clientLimiter?.take(`refused:${client}`);
        answer(status, error, outcome);
      };

      // Nothing is read for a client that keeps sending what is refused.
      const wait = authenticated ? (options.clientLimiter?.peek(`refused:${client}`) ?? 0) : 0;
      if (wait > 0) {
        res.setHeader('retry-after', String(wait));
        return answer(429, `too many refused requests from your address; retry in ${wait} s`, 'limited');
      }
      const authHeader = req.header('authorization') ?? '';
      if (authenticated && !authHeader) return refuse(401, 'missing Authorization header', 'unauthorized');

      const read = await readJsonBody(req, { maxBytes: MAX_ACTIVITY_BYTES, required: true });
      if (!read.ok) {
        if (read.status === 0) return done('invalid');
        return refuse(read.status, read.message, 'invalid');
      }
      const body = read.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        return refuse(
          400,
          'invalid activity: the body must be a Bot Framework activity (a JSON object)',
          'invalid',
        );
      }
      const activity = body as Activity;

      let authentication;
      try {
        authentication = await options.adapter.authenticate(activity, authHeader);
      } catch (err) {
        if (!(err instanceof AuthenticationRefused)) throw err;
        log.info({ err: err.cause, client }, `refused an activity: ${err.message}`);
        if (err.status === 503) res.setHeader('retry-after', '30');
        return refuse(err.status, err.message, err.status === 503 ? 'unavailable' : 'unauthorized');
      }

      // Authenticated from here on: the activity's channel and type may label the metrics.
      const invalid = describeInvalidActivity(activity);
      if (invalid) return answer(400, `invalid activity: ${invalid}`, 'invalid', activity);
      if (!authenticated && !isLocalServiceUrl(activity.serviceUrl, local)) {
        return answer(
          403,
          'in local mode the bot replies only to a serviceUrl on this machine (see RETAIN_LOCAL_SERVICE_URLS)',
          'invalid',
          activity,
        );
      }
      const retryAfter = options.rateLimiter?.take(`${activity.channelId}:${activity.conversation.id}`) ?? 0;
      if (retryAfter > 0) {
        res.setHeader('retry-after', String(retryAfter));
        return answer(
          429,
          `too many messages in this conversation; retry in ${retryAfter} s`,
          'limited',
          activity,
        );
      }

      try {
        const invoke = await options.adapter.processAuthenticated(authentication, activity, (context) =>
          options.bot.run(context),
        );
        if (invoke?.body !== undefined) res.send(invoke.status, invoke.body);
        else res.send(invoke?.status ?? 200);
        done('ok', activity.channelId, activity.type);
      } catch (err) {
        // Answered 500 by safely(), without the error's text.
        done('error', activity.channelId, activity.type);
        throw err;
      }
    }),
  );

  server.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', options.metrics.contentType);
    res.sendRaw(200, await options.metrics.text());
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    return next();
  });

  return server;
}

/** Without token validation anyone who can reach the port could talk to the bot: loopback only. */
export function assertSafeBind(host: string, authenticated: boolean): void {
  if (!authenticated && !isLoopback(host)) {
    throw new InsecureBindError(
      `refusing to listen on ${host} without MicrosoftAppId/MicrosoftAppPassword: anyone could talk to the bot. ` +
        `Set the credentials, or use HOST=127.0.0.1 for local use.`,
    );
  }
}

export function listen(server: restify.Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      const address = server.address();
      const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve(`http://${shownHost}:${address.port}`);
    });
  });
}
