import restify from 'restify';
import type { ActivityHandler, CloudAdapter } from 'botbuilder';
import type { Logger } from '../lib/logger';
import { describeInvalidActivity } from './activityShape';
import type { BotMetrics } from './metrics';
import type { RateLimiter } from './rateLimiter';

export interface ServerOptions {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  log: Logger;
  /** Whether the adapter validates tokens; without, only loopback addresses may be used. */
  authenticated: boolean;
  metrics: BotMetrics;
  /** Per-conversation limit on incoming activities. */
  rateLimiter?: RateLimiter;
}

export class InsecureBindError extends Error {
  readonly exitCode = 2;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

export function createServer(options: ServerOptions): restify.Server {
  const { adapter, bot, log } = options;
  const server = restify.createServer({ name: 'retain', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    const done = options.metrics.startActivity();
    const body = (req.body ?? {}) as { channelId?: unknown; type?: unknown };
    const channel = typeof body.channelId === 'string' ? body.channelId : undefined;
    const type = typeof body.type === 'string' ? body.type : undefined;
    // With credentials, an unsigned request is refused before anything else is looked at.
    if (options.authenticated && !req.header('authorization')) {
      res.send(401, { error: 'missing Authorization header' });
      return done('unauthorized', channel, type);
    }
    const invalid = describeInvalidActivity(req.body);
    if (invalid) {
      res.send(400, { error: `invalid activity: ${invalid}` });
      return done('invalid', channel, type);
    }
    const conversationId = (req.body as { conversation: { id: string } }).conversation.id;
    const retryAfter = options.rateLimiter?.take(`${channel}:${conversationId}`) ?? 0;
    if (retryAfter > 0) {
      res.setHeader('retry-after', String(retryAfter));
      res.send(429, { error: `too many messages in this conversation; retry in ${retryAfter} s` });
      return done('limited', channel, type);
    }
    try {
      await adapter.process(req, res, (context) => bot.run(context));
      done(res.statusCode === 401 ? 'unauthorized' : res.statusCode >= 400 ? 'error' : 'ok', channel, type);
    } catch (err) {
      log.error({ err }, 'failed to process an activity');
      if (!res.headersSent) res.send(500, { error: 'internal error' });
      done('error', channel, type);
    }
  });

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
