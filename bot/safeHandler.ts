/**
 * Route handlers that cannot take the process down: whatever a handler throws or rejects with
 * ends that request with a 500 that says nothing about the inside (or, once the answer has
 * started, cuts the connection), and is logged. restify would otherwise send the error's own
 * message, or throw ERR_HTTP_HEADERS_SENT from its error path when the answer was under way.
 */
import type http from 'node:http';
import type restify from 'restify';
import type { Logger } from '../lib/logger';

export type Handler = (req: restify.Request, res: restify.Response) => Promise<void> | void;

export function safely(log: Logger, handler: Handler): restify.RequestHandler {
  return async (req: restify.Request, res: restify.Response) => {
    try {
      await handler(req, res);
    } catch (err) {
      log.error({ err, method: req.method, url: req.url }, 'a request failed; answered 500');
      endFailedRequest(res);
    }
  };
}

/** Ends a request whose handling failed: 500 if nothing was sent yet, else the connection is cut. */
export function endFailedRequest(res: http.ServerResponse): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: 'internal error' }));
}
