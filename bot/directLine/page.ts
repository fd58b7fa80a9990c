/**
 * The web chat page: GET / with the official Web Chat bundle (served from node_modules, no CDN),
 * the identities a visitor may pick (GET /webchat/identities) and the session call that turns a
 * pick into a Direct Line token (POST /webchat/session) — the part a shop's own website backend
 * plays with a real Direct Line secret.
 *
 * In demo mode (local, unauthenticated, loopback only) the picker offers the demo marketer and a
 * few real customers from the order history. In visitor mode (credentials configured and the web
 * chat switched on) it offers only an anonymous visitor: nobody can pick a role on a public server.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import type restify from 'restify';
import type { Logger } from '../../lib/logger';
import { projectPath } from '../../lib/paths';
import type { Store } from '../../data/store';
import type { RateLimiter } from '../rateLimiter';
import { clientKey, type ClientAddressOf } from '../clientAddress';
import type { ConversationStore, DirectLineUser } from './conversationStore';
import { directLineError } from './errors';
import type { RouteTable } from './routeTable';
import { customerSuggestions, marketerSuggestions, visitorSuggestions } from './suggestions';

export type WebChatMode = 'demo' | 'visitor';

export interface PageIdentity {
  /** What the page sends back to start a session: "marketer", "customer:<number>" or "visitor". */
  key: string;
  role: 'marketer' | 'customer';
  label: string;
  detail: string;
  suggestions: string[];
}

export interface PageRoutesOptions {
  mode: WebChatMode;
  data: Store;
  store: ConversationStore;
  log: Logger;
  /** Per client address limit on new chats (visitor mode). */
  clientLimiter?: RateLimiter;
  /** The client's address (X-Forwarded-For from trusted proxies); the socket's by default. */
  clientAddress?: ClientAddressOf;
  /** How many demo customers the picker offers. */
  demoCustomers?: number;
}

const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/webchat/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/webchat/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** Web Chat's own page-ready bundle; the package's exports map hides dist/, so find it from lib/. */
export function webChatBundlePath(): string {
  try {
    return path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
  } catch {
    return projectPath('node_modules', 'botframework-webchat', 'dist', 'webchat.js');
  }
}

// Scripts only from this server; Web Chat injects its styles at run time, and cards may show
// images from data: URLs.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function registerPageRoutes(routes: RouteTable, options: PageRoutesOptions): void {
  const demo = options.data.webChatDemo;
  const bundle = webChatBundlePath();

  const sendFile = async (res: restify.Response, file: string, type: string, cacheSeconds: number) => {
    let size: number;
    try {
      size = (await fs.promises.stat(file)).size;
    } catch (err) {
      options.log.error({ err, file }, 'a web chat page file is missing');
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      ...PAGE_HEADERS,
      'content-type': type,
      'content-length': size,
      'cache-control': cacheSeconds > 0 ? `public, max-age=${cacheSeconds}` : 'no-cache',
    });
    try {
      await pipeline(fs.createReadStream(file), res);
    } catch (err) {
      // A visitor who closes the tab mid-download is no error; the connection is already gone.
      if (res.destroyed && !res.writableFinished) return;
      options.log.error({ err, file }, 'a web chat page file could not be sent');
      res.destroy();
    }
  };

  routes.get('/', async (_req, res) =>
    sendFile(res, projectPath('web', 'index.html'), 'text/html; charset=utf-8', 0),
  );
  for (const [route, { file, type }] of Object.entries(STATIC_FILES)) {
    routes.get(route, async (_req, res) => sendFile(res, projectPath('web', file), type, 0));
  }
  // Browsers ask for it; there is none, and a 404 would be noise in the console.
  routes.get('/favicon.ico', async (_req, res) => {
    res.writeHead(204, { 'cache-control': 'public, max-age=86400' });
    res.end();
  });
  routes.get('/webchat/webchat.js', async (_req, res) =>
    sendFile(res, bundle, 'text/javascript; charset=utf-8', 24 * 3600),
  );

  const identities = (): PageIdentity[] => {
    if (options.mode === 'visitor') {
      return [
        {
          key: 'visitor',
          role: 'customer',
          label: 'Visitor',
          detail: 'Chat as a guest of the shop',
          suggestions: visitorSuggestions(),
        },
      ];
    }
    const customers = demo.demoCustomers(options.demoCustomers ?? 4);
    return [
      {
        key: 'marketer',
        role: 'marketer',
        label: 'Marketer',
        detail: 'Reports on segments, churn, lifetime value and campaigns',
        suggestions: marketerSuggestions(customers[0]?.externalId),
      },
      ...customers.map((c) => ({
        key: `customer:${c.externalId}`,
        role: 'customer' as const,
        label: `Customer ${c.externalId}`,
        detail:
          `${c.country ?? 'unknown country'} · ${c.orders} orders` +
          (c.firstOrderAt && c.lastOrderAt
            ? ` from ${c.firstOrderAt.slice(0, 10)} to ${c.lastOrderAt.slice(0, 10)}`
            : ''),
        suggestions: customerSuggestions(),
      })),
    ];
  };

  routes.get('/webchat/identities', async (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.send(200, { mode: options.mode, identities: identities() });
  });

  routes.post('/webchat/session', async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    // Each session holds memory until it expires: on a public server, one client may not open
    // conversations without limit. (Locally, loopback is trusted and tests open many.)
    const client = clientKey(options.clientAddress?.(req) ?? req.socket.remoteAddress ?? '');
    const retryAfter =
      options.mode === 'visitor' ? (options.clientLimiter?.take(`webchat-session:${client}`) ?? 0) : 0;
    if (retryAfter > 0) {
      res.setHeader('retry-after', String(retryAfter));
      return directLineError(res, 429, 'TooManyRequests', `too many new chats; retry in ${retryAfter} s`);
    }
    const key = (req.body as { identity?: unknown } | undefined)?.identity;
    if (typeof key !== 'string' || key.length > 100) {
      return directLineError(
        res,
        400,
        'BadArgument',
        'identity must be "marketer", "customer:<number>" or "visitor"',
      );
    }
    const resolved = resolveIdentity(key);
    if (typeof resolved === 'string') {
      const missing = resolved.startsWith('no ');
      return directLineError(res, missing ? 404 : 403, missing ? 'NotFound' : 'Forbidden', resolved);
    }
    const issued = options.store.issue(resolved.user);
    res.send(200, {
      token: issued.token,
      conversationId: issued.conversationId,
      expiresIn: issued.expiresIn,
      user: resolved.user,
      role: resolved.role,
      suggestions: resolved.suggestions,
    });
  });

  const resolveIdentity = (
    key: string,
  ): { user: DirectLineUser; role: 'marketer' | 'customer'; suggestions: string[] } | string => {
    if (key === 'visitor') {
      return {
        user: { id: `dl_visitor-${crypto.randomBytes(16).toString('hex')}`, name: 'Visitor' },
        role: 'customer',
        suggestions: visitorSuggestions(),
      };
    }
    if (options.mode !== 'demo') return 'only the visitor identity is offered on this server';
    if (key === 'marketer') {
      const user = demo.demoMarketer();
      const example = demo.demoCustomers(1)[0]?.externalId;
      return {
        user: { id: user.channelUserId, name: 'Demo marketer' },
        role: 'marketer',
        suggestions: marketerSuggestions(example),
      };
    }
    const match = /^customer:(.{1,64})$/.exec(key);
    if (match) {
      const customer = demo.customerByExternalId(match[1]);
      if (!customer) return `no customer ${match[1]}`;
      const user = demo.demoCustomerUser(customer);
      return {
        user: { id: user.channelUserId, name: `Customer ${customer.externalId}` },
        role: 'customer',
        suggestions: customerSuggestions(),
      };
    }
    return 'identity must be "marketer", "customer:<number>" or "visitor"';
  };
}
