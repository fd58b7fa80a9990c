/**
 * The bot's side of the local web chat: a stand-in for the Bot Framework connector service (the
 * `serviceUrl` of every activity the local Direct Line hands to the bot). The bot's replies arrive
 * here over HTTP exactly as they would at Azure Bot Service, and are stored in the conversation
 * for the page to poll.
 *
 * Only this process may post here: every call must carry a random key made at start, which the
 * ConnectorClients of in-process turns send (LocalConnectorFactory). Without credentials (local
 * mode, loopback only) unsigned calls are accepted too, so that proactive messages sent through
 * the adapter's own connector reach open web chats.
 */
import crypto from 'node:crypto';
import type restify from 'restify';
import type { Activity } from 'botbuilder';
import { ConnectorClient, ConnectorFactory, TokenCredentials } from 'botframework-connector';
import type { ConversationStore } from './conversationStore';
import { directLineError } from './errors';
import { readBody, type RouteTable } from './routeTable';

/** Path of the connector stand-in under the server; the serviceUrl is the server's URL plus this. */
export const CONNECTOR_PATH = '/webchat/connector';
/** The bot's own replies: report cards carry their chart images inline. */
const MAX_BOT_ACTIVITY_BYTES = 1024 * 1024;

/** Creates the ConnectorClients of in-process turns: they call our stand-in, signed with our key. */
export class LocalConnectorFactory extends ConnectorFactory {
  constructor(private readonly key: string) {
    super();
  }

  async create(serviceUrl: string): Promise<ConnectorClient> {
    return new ConnectorClient(new TokenCredentials(this.key), { baseUri: serviceUrl });
  }
}

export function newConnectorKey(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export interface ConnectorRoutesOptions {
  store: ConversationStore;
  key: string;
  /** Accept calls without the key (only when the whole server is unauthenticated, loopback only). */
  acceptUnsigned: boolean;
  channelId: string;
}

/** Whatever is left of an unsigned request's body is not read: the connection closes. */
function refuseUnsigned(req: restify.Request, res: restify.Response): void {
  if (!req.complete) res.setHeader('connection', 'close');
  directLineError(res, 401, 'Unauthorized', 'not signed by this server');
}

export function registerConnectorRoutes(routes: RouteTable, options: ConnectorRoutesOptions): void {
  const { store } = options;
  const expected = Buffer.from(`Bearer ${options.key}`);

  const authorised = (req: restify.Request): boolean => {
    const header = req.header('authorization');
    if (!header) return options.acceptUnsigned;
    const given = Buffer.from(header);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  };

  const receive = (replyTo: boolean) => async (req: restify.Request, res: restify.Response) => {
    if (!authorised(req)) return refuseUnsigned(req, res);
    const conversation = store.byId(String(req.params.conversationId));
    if (!conversation) return directLineError(res, 404, 'BadArgument', 'no such conversation');
    if (!(await readBody(req, res, MAX_BOT_ACTIVITY_BYTES))) return;
    const body = req.body as Partial<Activity> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.type !== 'string') {
      return directLineError(res, 400, 'BadArgument', 'the body must be an activity with a type');
    }
    const stored = store.append(conversation, {
      ...body,
      channelId: options.channelId,
      conversation: { ...(body.conversation ?? {}), id: conversation.id } as Activity['conversation'],
      from: { id: 'retain', name: 'retain', ...body.from, role: 'bot' },
      recipient: { id: conversation.user.id, name: conversation.user.name, role: 'user' },
      ...(replyTo ? { replyToId: body.replyToId ?? String(req.params.activityId) } : {}),
    });
    res.send(200, { id: stored.id });
  };

  const base = `${CONNECTOR_PATH}/v3/conversations/:conversationId/activities`;
  // Each handler reads the body itself, once it knows the caller is this process.
  const limit = { readsBody: true };
  routes.post(base, receive(false), limit);
  routes.post(`${base}/:activityId`, receive(true), limit);
  // An update is shown as a new activity with the same id: Web Chat replaces what it showed.
  routes.put(
    `${base}/:activityId`,
    async (req, res) => {
      if (!authorised(req)) return refuseUnsigned(req, res);
      const conversation = store.byId(String(req.params.conversationId));
      const activityId = String(req.params.activityId);
      if (!conversation || store.indexOf(conversation, activityId) < 0) {
        return directLineError(res, 404, 'BadArgument', 'no such activity');
      }
      if (!(await readBody(req, res, MAX_BOT_ACTIVITY_BYTES))) return;
      const body = req.body as Partial<Activity> | undefined;
      if (!body || typeof body !== 'object' || typeof body.type !== 'string') {
        return directLineError(res, 400, 'BadArgument', 'the body must be an activity with a type');
      }
      store.append(
        conversation,
        {
          ...body,
          channelId: options.channelId,
          conversation: { id: conversation.id } as Activity['conversation'],
          from: { id: 'retain', name: 'retain', ...body.from, role: 'bot' },
          recipient: { id: conversation.user.id, name: conversation.user.name, role: 'user' },
        },
        activityId,
      );
      res.send(200, { id: activityId });
    },
    limit,
  );
}
