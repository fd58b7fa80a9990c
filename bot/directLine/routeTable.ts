import type restify from 'restify';
import type { Logger } from '../../lib/logger';
import { readJsonBody } from '../jsonBody';
import { safely } from '../safeHandler';
import { directLineError } from './errors';

export type RouteHandler = (req: restify.Request, res: restify.Response) => Promise<void>;

interface BodyLimit {
  /** Largest JSON body the route reads (see DEFAULT_BODY_BYTES). */
  maxBodyBytes?: number;
  /** The handler reads the body itself (readBody), once it knows the request is worth reading. */
  readsBody?: boolean;
}

/** Where the web chat registers its routes: on the server, each behind the same safety net. */
export interface RouteTable {
  get(path: string, handler: RouteHandler): void;
  post(path: string, handler: RouteHandler, limit?: BodyLimit): void;
  put(path: string, handler: RouteHandler, limit?: BodyLimit): void;
}

/** Enough for every call that carries no activity (a user, a locale, an identity). */
const DEFAULT_BODY_BYTES = 4 * 1024;

const BODY_ERRORS = { 400: 'BadSyntax', 413: 'MessageSizeTooBig', 415: 'BadArgument' } as const;

/**
 * Handlers get `req.body` read as JSON within the route's limit (plain JSON only, see
 * ../jsonBody.ts) unless they read it themselves, and whatever they throw ends their request,
 * not the process.
 */
export function routeTable(server: restify.Server, log: Logger): RouteTable {
  const withBody =
    (handler: RouteHandler, limit?: BodyLimit): RouteHandler =>
    async (req, res) => {
      if (limit?.readsBody || (await readBody(req, res, limit?.maxBodyBytes ?? DEFAULT_BODY_BYTES))) {
        return handler(req, res);
      }
    };
  return {
    get: (path, handler) => void server.get(path, safely(log, handler)),
    post: (path, handler, limit) => void server.post(path, safely(log, withBody(handler, limit))),
    put: (path, handler, limit) => void server.put(path, safely(log, withBody(handler, limit))),
  };
}

/**
 * Reads the JSON body into `req.body`; false when it could not, the request then answered (or
 * the client gone).
 */
export async function readBody(
  req: restify.Request,
  res: restify.Response,
  maxBytes: number,
): Promise<boolean> {
  const read = await readJsonBody(req, { maxBytes });
  if (read.ok) {
    req.body = read.body;
    return true;
  }
  if (read.status === 0) return false; // the client left
  // The rest of a refused body is never read: the connection closes after the answer.
  if (!req.complete) res.setHeader('connection', 'close');
  directLineError(res, read.status, BODY_ERRORS[read.status], read.message);
  return false;
}
