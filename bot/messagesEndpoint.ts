/**
 * POST /api/messages: one activity from a channel. The checks run cheapest first, so that a
 * request without a valid token costs a refusal and nothing more (docs/security.md):
 *
 *   1. the client's budget of refused requests (429, nothing read);
 *   2. an Authorization header, with credentials (401, nothing read);
 *   3. the body: plain JSON, at most 256 KB (415/413/400);
 *   4. the token, checked by the Bot Framework SDK (401, or 503 when its keys cannot be fetched);
 *      every refusal so far counts against the client's address;
 *   5. once the sender is authenticated: the activity's shape (400), in local mode a serviceUrl on
 *      this machine (403), the conversation's own rate limit (429), and the turn.
 *
 * Metrics take the activity's channel and type only from an authenticated sender.
 */
import type restify from 'restify';
import type { Activity } from 'botbuilder';
import { describeInvalidActivity } from './activityShape';
import { AuthenticationRefused } from './adapter';
import { clientKey, type ClientAddressOf } from './clientAddress';
import { readJsonBody } from './jsonBody';
import { isLocalServiceUrl, type LocalAccess } from './localGuard';
import type { ActivityOutcome } from './metrics';
import type { ServerOptions } from './server';

/** No chat activity needs more; the Bot Framework's own limit on a message is smaller still. */
const MAX_ACTIVITY_BYTES = 256 * 1024;

export function receiveActivity(
  options: ServerOptions & { local: LocalAccess; clientAddress: ClientAddressOf },
): (req: restify.Request, res: restify.Response) => Promise<void> {
  const { authenticated, local, clientAddress, log } = options;
  return async (req, res) => {
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
      if (err.status === 503) {
        // Nothing the sender did: the operator should know the keys are out of reach.
        log.warn({ err: err.cause, client }, 'could not check a token: the signing keys are out of reach');
        res.setHeader('retry-after', '30');
      } else {
        log.debug({ err: err.cause, client }, 'refused an activity: its token is not valid');
      }
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
  };
}
