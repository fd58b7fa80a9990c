import restify from 'restify';
import type { TurnContext } from 'botbuilder';
import type { Logger } from '../lib/logger';
import type { RetainAdapter } from './adapter';
import type { ClientAddressOf } from './clientAddress';
import { localRequestRefusal, type LocalAccess } from './localGuard';
import type { BotMetrics } from './metrics';
import { receiveActivity } from './messagesEndpoint';
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

/** Time a client has to send a whole request (headers and body); answers may take longer. */
const REQUEST_TIMEOUT_MS = 30_000;

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

  server.post('/api/messages', safely(log, receiveActivity({ ...options, local, clientAddress })));

  server.get(
    '/metrics',
    safely(log, async (_req, res) => {
      const text = await options.metrics.text();
      res.setHeader('content-type', options.metrics.contentType);
      res.sendRaw(200, text);
    }),
  );

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
