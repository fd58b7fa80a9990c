/**
 * The subset of the Direct Line 3.0 REST protocol that the official Web Chat client uses when it
 * polls (`createDirectLine({ token, domain, webSocket: false })`):
 *
 *   POST /v3/directline/tokens/generate                  secret → token for a user (optional)
 *   POST /v3/directline/tokens/refresh                   token → same token, longer life
 *   POST /v3/directline/conversations                    token → the token's conversation (201 first time)
 *   GET  /v3/directline/conversations/{id}               token → reconnect (no stream: polling only)
 *   POST /v3/directline/conversations/{id}/activities    token → activity id; the bot answers meanwhile
 *   GET  /v3/directline/conversations/{id}/activities?watermark=N   token → { activities, watermark }
 *
 * Every call needs `Authorization: Bearer <token>`; a token opens exactly one conversation and
 * fixes who the user is: the `from` of posted activities is always the token's user.
 */
import crypto from 'node:crypto';
import type restify from 'restify';
import type { Activity } from 'botbuilder';
import type { Logger } from '../../lib/logger';
import { describeInvalidActivity } from '../activityShape';
import type { BotMetrics } from '../metrics';
import type { RateLimiter } from '../rateLimiter';
import type { InProcessBotBridge } from './botBridge';
import type { ConversationStore, DirectLineUser, StoredConversation } from './conversationStore';
import { directLineError } from './errors';
import { clientKey, type ClientAddressOf } from '../clientAddress';
import { readBody, type RouteTable } from './routeTable';

export const DIRECT_LINE_PATH = '/v3/directline';
/**
 * A chat message (at most 5,000 characters), a card's submitted values: less than this. Every
 * accepted activity is kept until its chat ends, so the cap is not generous.
 */
const MAX_CLIENT_ACTIVITY_BYTES = 32 * 1024;
/** Web Chat puts a client id and timestamp here; a client has no use for more. */
const MAX_CHANNEL_DATA_BYTES = 4 * 1024;

/** Activity types a client may send; the bot receives them as they are. */
const CLIENT_TYPES = new Set(['message', 'event', 'typing']);
/** Fields a client may set; everything that says who, where or when is set by the server. */
const CLIENT_FIELDS = [
  'type',
  'text',
  'textFormat',
  'locale',
  'localTimestamp',
  'localTimezone',
  'attachments',
  'entities',
  'channelData',
  'value',
  'name',
  'speak',
  'inputHint',
] as const;

export interface DirectLineRoutesOptions {
  store: ConversationStore;
  bridge: InProcessBotBridge;
  log: Logger;
  channelId: string;
  bot: { id: string; name: string };
  /** Where the bot sends its replies (the connector stand-in), known once the server listens. */
  serviceUrl: () => string;
  /** A Direct Line secret for `tokens/generate` (a shop's own backend); without it that call is refused. */
  secret?: string;
  metrics?: BotMetrics;
  rateLimiter?: RateLimiter;
  /** Who posts, for per-client limits in the dialogs (verification); see dialogs/turn.ts. */
  clientAddress?: ClientAddressOf;
}

export function registerDirectLineRoutes(routes: RouteTable, options: DirectLineRoutesOptions): void {
  const { store, log } = options;
  const clientOf = (req: restify.Request) =>
    clientKey(options.clientAddress?.(req) ?? req.socket.remoteAddress ?? '');

  /** The conversation the request's token opens; answers 401/403 itself when there is none. */
  const tokenConversation = (req: restify.Request, res: restify.Response): StoredConversation | undefined => {
    const token = bearer(req);
    if (!token) {
      directLineError(res, 401, 'MissingToken', 'an Authorization: Bearer <token> header is required');
      return undefined;
    }
    const conversation = store.byToken(token);
    if (!conversation) directLineError(res, 403, 'TokenExpired', 'the token is unknown or has expired');
    return conversation;
  };

  /** The conversation named in the path, if the token opens it. */
  const pathConversation = (req: restify.Request, res: restify.Response): StoredConversation | undefined => {
    const conversation = tokenConversation(req, res);
    if (!conversation) return undefined;
    const id = String(req.params.conversationId);
    if (conversation.id === id) return conversation;
    if (store.byId(id)) directLineError(res, 403, 'Forbidden', 'the token does not open this conversation');
    else directLineError(res, 404, 'BadArgument', 'no such conversation');
    return undefined;
  };

  const conversationResponse = (conversation: StoredConversation, token: string, expiresIn: number) => ({
    conversationId: conversation.id,
    token,
    expires_in: expiresIn,
  });

  /** The first time a conversation is opened the bot hears that the user (and itself) joined. */
  const ensureStarted = async (conversation: StoredConversation): Promise<void> => {
    if (conversation.started) return;
    conversation.started = true;
    const user = { id: conversation.user.id, name: conversation.user.name, role: 'user' };
    const update: Partial<Activity> = {
      type: 'conversationUpdate',
      id: crypto.randomUUID(),
      timestamp: new Date(),
      channelId: options.channelId,
      serviceUrl: options.serviceUrl(),
      conversation: { id: conversation.id } as Activity['conversation'],
      from: user,
      recipient: { ...options.bot, role: 'bot' },
      membersAdded: [{ ...options.bot, role: 'bot' }, user],
    };
    try {
      await options.bridge.deliver(update);
    } catch (err) {
      // The conversation works without a greeting; the user should still be able to talk.
      log.error({ err, conversation: conversation.id }, 'the bot failed to greet a web chat conversation');
    }
  };

  routes.post(`${DIRECT_LINE_PATH}/tokens/generate`, async (req, res) => {
    if (!options.secret) {
      return directLineError(res, 403, 'Forbidden', 'no Direct Line secret is configured on this server');
    }
    if (!sameSecret(bearer(req) ?? '', options.secret)) {
      return directLineError(res, 403, 'Forbidden', 'wrong Direct Line secret');
    }
    const user = parseUser((req.body as { user?: unknown } | undefined)?.user);
    if (typeof user === 'string') return directLineError(res, 400, 'BadArgument', user);
    const issued = store.issue(user);
    res.send(200, {
      conversationId: issued.conversationId,
      token: issued.token,
      expires_in: issued.expiresIn,
    });
  });

  routes.post(`${DIRECT_LINE_PATH}/tokens/refresh`, async (req, res) => {
    const conversation = tokenConversation(req, res);
    if (!conversation) return;
    res.send(200, conversationResponse(conversation, bearer(req)!, store.refresh(conversation)));
  });

  routes.post(`${DIRECT_LINE_PATH}/conversations`, async (req, res) => {
    const conversation = tokenConversation(req, res);
    if (!conversation) return;
    const created = !conversation.started;
    await ensureStarted(conversation);
    const expiresIn = Math.max(0, Math.round((conversation.expiresAt - Date.now()) / 1000));
    res.send(created ? 201 : 200, conversationResponse(conversation, bearer(req)!, expiresIn));
  });

  routes.get(`${DIRECT_LINE_PATH}/conversations/:conversationId`, async (req, res) => {
    const conversation = pathConversation(req, res);
    if (!conversation) return;
    const expiresIn = Math.max(0, Math.round((conversation.expiresAt - Date.now()) / 1000));
    res.send(200, conversationResponse(conversation, bearer(req)!, expiresIn));
  });

  routes.get(`${DIRECT_LINE_PATH}/conversations/:conversationId/activities`, async (req, res) => {
    const conversation = pathConversation(req, res);
    if (!conversation) return;
    const raw = new URL(req.url ?? '', 'http://localhost').searchParams.get('watermark') ?? '';
    if (raw !== '' && raw !== 'null' && !/^\d{1,9}$/.test(raw)) {
      return directLineError(res, 400, 'BadArgument', 'watermark must be a number from an earlier answer');
    }
    const watermark = raw === '' || raw === 'null' ? 0 : Number(raw);
    res.send(200, store.since(conversation, watermark));
  });

  routes.post(
    `${DIRECT_LINE_PATH}/conversations/:conversationId/activities`,
    async (req, res) => {
      const done = options.metrics?.startActivity();
      const conversation = pathConversation(req, res);
      // Not this conversation's token: nothing the sender says is believed, not even for a label.
      if (!conversation) return done?.('unauthorized');
      // The conversation's budget is checked before its body is read: a flood costs no reading.
      const retryAfter = options.rateLimiter?.take(`${options.channelId}:${conversation.id}`) ?? 0;
      if (retryAfter > 0) {
        if (!req.complete) res.setHeader('connection', 'close');
        res.setHeader('retry-after', String(retryAfter));
        directLineError(res, 429, 'TooManyRequests', `too many messages; retry in ${retryAfter} s`);
        return done?.('limited', options.channelId);
      }
      if (!(await readBody(req, res, MAX_CLIENT_ACTIVITY_BYTES))) return done?.('invalid', options.channelId);

      const body = req.body as Record<string, unknown> | undefined;
      const type = body && typeof body.type === 'string' ? body.type : undefined;
      const finish = (outcome: Parameters<NonNullable<typeof done>>[0]) =>
        done?.(outcome, options.channelId, type);
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        directLineError(res, 400, 'BadArgument', 'the body must be an activity (a JSON object)');
        return finish('invalid');
      }
      if (!type || !CLIENT_TYPES.has(type)) {
        directLineError(
          res,
          400,
          'BadArgument',
          `activity type must be one of ${[...CLIENT_TYPES].join(', ')}`,
        );
        return finish('invalid');
      }
      const activity: Partial<Activity> = {
        ...pick(body, CLIENT_FIELDS),
        channelId: options.channelId,
        serviceUrl: options.serviceUrl(),
        conversation: { id: conversation.id } as Activity['conversation'],
        from: { id: conversation.user.id, name: conversation.user.name, role: 'user' },
        recipient: { ...options.bot, role: 'bot' },
      };
      const invalid = describeInvalidActivity(activity);
      if (invalid) {
        directLineError(res, 400, 'BadArgument', `invalid activity: ${invalid}`);
        return finish('invalid');
      }
      if (
        activity.channelData !== undefined &&
        Buffer.byteLength(JSON.stringify(activity.channelData)) > MAX_CHANNEL_DATA_BYTES
      ) {
        directLineError(
          res,
          400,
          'BadArgument',
          `channelData is larger than ${MAX_CHANNEL_DATA_BYTES / 1024} KB`,
        );
        return finish('invalid');
      }
      await ensureStarted(conversation);
      // Echoed to the conversation first, as Direct Line does: Web Chat marks a message sent when it
      // sees it come back (matched by channelData.clientActivityID).
      const stored = store.append(conversation, activity);
      try {
        await options.bridge.deliver({ ...stored }, { clientAddress: clientOf(req) });
        res.send(200, { id: stored.id });
        finish('ok');
      } catch (err) {
        log.error({ err, conversation: conversation.id }, 'the bot failed on a web chat activity');
        directLineError(res, 502, 'BotError', 'the bot could not process the activity');
        finish('error');
      }
    },
    { readsBody: true },
  );
}

function bearer(req: restify.Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
  return match?.[1];
}

function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** The user a shop's backend asks a token for; ids vouched for by a secret start with "dl_". */
function parseUser(raw: unknown): DirectLineUser | string {
  if (raw === undefined || raw === null) return { id: `dl_${crypto.randomUUID()}`, name: 'Guest' };
  if (typeof raw !== 'object') return 'user must be an object with an id';
  const { id, name } = raw as { id?: unknown; name?: unknown };
  if (id !== undefined && (typeof id !== 'string' || !/^[\w.:@|-]{1,128}$/.test(id))) {
    return 'user.id must be 1-128 letters, digits or ._:@|-';
  }
  if (name !== undefined && (typeof name !== 'string' || name.length > 200)) {
    return 'user.name must be a string of at most 200 characters';
  }
  const userId =
    typeof id === 'string' ? (id.startsWith('dl_') ? id : `dl_${id}`) : `dl_${crypto.randomUUID()}`;
  return { id: userId, name: typeof name === 'string' ? name : 'Guest' };
}

function pick(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (body[field] !== undefined) out[field] = body[field];
  return out;
}
