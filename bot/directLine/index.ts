/**
 * Web chat out of the box: a page at GET / with the official Bot Framework Web Chat, talking to
 * the bot through a local endpoint that speaks the Direct Line 3.0 REST protocol (polling).
 *
 *   page ──Direct Line (token)──▶ directLineRoutes ──in-process turn──▶ adapter + bot
 *     ▲                                                                     │ replies (HTTP, signed)
 *     └──────────── poll by watermark ◀── ConversationStore ◀── connector stand-in
 *
 * It never goes through /api/messages, so it cannot weaken that endpoint's authentication: with
 * credentials configured, /api/messages still takes only JWT-signed requests, and this endpoint
 * only takes activities from conversations whose token it issued, with the user fixed by the token.
 */
import type restify from 'restify';
import type { Store } from '../../data/store';
import type { Logger } from '../../lib/logger';
import type { BotMetrics } from '../metrics';
import type { RateLimiter } from '../rateLimiter';
import { InProcessBotBridge, type DirectAdapter, type TurnHandler } from './botBridge';
import { CONNECTOR_PATH, LocalConnectorFactory, newConnectorKey, registerConnectorRoutes } from './connector';
import { ConversationStore, type ConversationStoreOptions } from './conversationStore';
import { DIRECT_LINE_PATH, registerDirectLineRoutes } from './directLineRoutes';
import { registerPageRoutes, type WebChatMode } from './page';
import { routeTable } from './routeTable';
import type { ClientAddressOf } from '../clientAddress';
import { WEBCHAT_CHANNEL } from '../../data/repositories/webchatDemo';

export type WebChatSetting = 'auto' | 'on' | 'off';
export type { WebChatMode };

/**
 * Whether the web chat is served, and how:
 * - local mode (no credentials; loopback only): on unless switched off, with the demo identities;
 * - with credentials: only when switched on explicitly, and then only as an anonymous visitor.
 */
export function webChatMode(setting: WebChatSetting, authenticated: boolean): WebChatMode | 'off' {
  if (setting === 'off') return 'off';
  if (!authenticated) return 'demo';
  return setting === 'on' ? 'visitor' : 'off';
}

export interface WebChatOptions {
  adapter: DirectAdapter;
  bot: TurnHandler;
  data: Store;
  log: Logger;
  /** Whether /api/messages validates tokens (credentials configured). */
  authenticated: boolean;
  /** RETAIN_WEBCHAT: auto (default), on or off. */
  setting?: WebChatSetting;
  /** MicrosoftAppId, when configured: in-process turns run as this bot. */
  appId?: string;
  /** RETAIN_WEBCHAT_SECRET: lets a shop's backend call /v3/directline/tokens/generate. */
  secret?: string;
  metrics?: BotMetrics;
  /** Per-conversation limit on posted activities. */
  rateLimiter?: RateLimiter;
  /** Per client address limit on new chats (visitor mode). */
  clientLimiter?: RateLimiter;
  /** The client's address (X-Forwarded-For from trusted proxies); the socket's by default. */
  clientAddress?: ClientAddressOf;
  store?: ConversationStoreOptions;
  /** How many demo customers the page offers (demo mode). */
  demoCustomers?: number;
}

export interface WebChat {
  mode: WebChatMode;
  store: ConversationStore;
}

/** Registers the page, the Direct Line endpoint and the connector stand-in; undefined when off. */
export function registerWebChat(server: restify.Server, options: WebChatOptions): WebChat | undefined {
  const mode = webChatMode(options.setting ?? 'auto', options.authenticated);
  if (mode === 'off') return undefined;

  const store = new ConversationStore(options.store);
  const key = newConnectorKey();
  const bridge = new InProcessBotBridge(
    options.adapter,
    options.bot,
    new LocalConnectorFactory(key),
    options.appId,
  );
  const bot = { id: options.appId ?? 'retain', name: 'retain' };

  // In local mode the server itself refuses other host names and other web pages (../localGuard.ts).
  const routes = routeTable(server, options.log);
  registerConnectorRoutes(routes, {
    store,
    key,
    acceptUnsigned: !options.authenticated,
    channelId: WEBCHAT_CHANNEL,
  });
  registerDirectLineRoutes(routes, {
    store,
    bridge,
    log: options.log,
    channelId: WEBCHAT_CHANNEL,
    bot,
    serviceUrl: () => `${loopbackUrl(server)}${CONNECTOR_PATH}`,
    secret: options.secret,
    metrics: options.metrics,
    rateLimiter: options.rateLimiter,
    clientAddress: options.clientAddress,
  });
  registerPageRoutes(routes, {
    mode,
    data: options.data,
    store,
    log: options.log,
    clientLimiter: options.clientLimiter,
    clientAddress: options.clientAddress,
    demoCustomers: options.demoCustomers,
  });
  options.metrics?.watchWebChat(() => ({ conversations: store.size, bytes: store.bytes }));
  options.log.debug({ mode, directLine: DIRECT_LINE_PATH }, 'web chat enabled');
  return { mode, store };
}

/** This server as seen from this process: the bot's replies go to loopback whatever it is bound to. */
function loopbackUrl(server: restify.Server): string {
  const address = server.address();
  let host = address.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
