/**
 * Process-level guards for `retain serve`. Every request runs in its own async context (an
 * AsyncLocalStorage scope entered when it arrives), which timers, promises and callbacks started
 * while handling it inherit. An error nobody caught is then handled by where it came from:
 *
 * - from a request (its handler, a stream or timer it started): that request is ended (500, or the
 *   connection cut if the answer had begun), the error logged, and the server keeps serving. What
 *   such an error can leave half-done belongs to that request alone: its socket, which is closed,
 *   and its turn, whose state is saved to SQLite only when the turn completes, in a transaction.
 *   Shared in-memory state (rate-limit buckets, web chat conversations, metrics) is changed in
 *   single synchronous steps that an error elsewhere cannot interrupt.
 * - from anywhere else (scheduled jobs, the sender, start-up): nothing says what was left
 *   half-done, so the error is logged and the process exits with status 1 for the service
 *   manager to restart it, as Node would have done, but with the error in the log.
 *
 * Unhandled promise rejections are treated the same way. Some libraries (TensorFlow.js's WASM
 * backend) add listeners that rethrow them; the capture callback sees those rethrows and knows
 * them, so each error is handled once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type http from 'node:http';
import type restify from 'restify';
import type { Logger } from '../lib/logger';
import { endFailedRequest } from './safeHandler';

interface RequestScope {
  req: http.IncomingMessage;
  res: http.ServerResponse;
}

const requestScope = new AsyncLocalStorage<RequestScope>();

/** Runs everything a request causes in its own scope; the first thing the server does with it. */
export function enterRequestScope(server: restify.Server): void {
  server.pre((req, res, next) => requestScope.run({ req, res }, () => next()));
}

export interface ProcessGuardOptions {
  /** How to stop after an error outside any request (process.exit by default). */
  exit?: (code: number) => void;
}

/** Installs the guards; returns a function that removes them. */
export function installProcessGuards(log: Logger, options: ProcessGuardOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const none = Symbol('none');
  let lastRejection: unknown = none;

  const handle = (err: unknown, kind: string) => {
    const scope = requestScope.getStore();
    if (!scope) {
      log.fatal({ err }, `${kind} outside any request: stopping (the service manager should restart retain)`);
      exit(1);
      return;
    }
    const { req, res } = scope;
    const answered = res.writableEnded;
    log.error(
      { err, method: req.method, url: req.url },
      answered
        ? `${kind} in work started by an answered request; still serving`
        : `${kind} while answering a request: ended that request; still serving`,
    );
    endFailedRequest(res);
  };

  const onRejection = (reason: unknown) => {
    lastRejection = reason;
    handle(reason, 'unhandled promise rejection');
  };
  const onException = (err: unknown) => {
    // A listener that rethrows rejections (see above) brings one we already handled here.
    if (err === lastRejection) {
      lastRejection = none;
      return;
    }
    handle(err, 'uncaught exception');
  };
  process.prependListener('unhandledRejection', onRejection);
  process.setUncaughtExceptionCaptureCallback(onException);
  return () => {
    process.removeListener('unhandledRejection', onRejection);
    process.setUncaughtExceptionCaptureCallback(null);
  };
}
