import type restify from 'restify';
import { directLineError } from './errors';

export type RouteHandler = (req: restify.Request, res: restify.Response) => Promise<void>;

/** Where the web chat registers its routes: the server's, each behind the same guard. */
export interface RouteTable {
  get(path: string, handler: RouteHandler): void;
  post(path: string, handler: RouteHandler): void;
  put(path: string, handler: RouteHandler): void;
}

/** A guard returns why a request is refused, or undefined to let it through. */
export type RequestGuard = (req: restify.Request) => string | undefined;

export function guardedRoutes(server: restify.Server, guard?: RequestGuard): RouteTable {
  const chain = (handler: RouteHandler): restify.RequestHandler[] => {
    if (!guard) return [handler];
    const check: restify.RequestHandler = (req, res, next) => {
      const refusal = guard(req);
      if (refusal === undefined) return next();
      directLineError(res, 403, 'Forbidden', refusal);
      return next(false);
    };
    return [check, handler];
  };
  return {
    get: (path, handler) => void server.get(path, ...chain(handler)),
    post: (path, handler) => void server.post(path, ...chain(handler)),
    put: (path, handler) => void server.put(path, ...chain(handler)),
  };
}

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;

/**
 * Without authentication the server is for this machine only. A web page elsewhere could still
 * reach it from the user's browser by DNS rebinding (its own name resolving to 127.0.0.1); such
 * requests carry that name in the Host header, so only loopback host names are served.
 */
export const loopbackHostOnly: RequestGuard = (req) =>
  LOOPBACK_HOST.test(req.header('host') ?? '') ? undefined : 'this local server answers only to localhost';
