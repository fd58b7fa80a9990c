/**
 * Starts the bot server the way bot/index.ts does (adapter, identity middleware, bot, server) plus
 * the web chat, over real HTTP on a free loopback port, with the bundled demo data imported.
 * Until startBot registers the web chat itself, tests use this.
 */
import path from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { openDatabase, type Db } from '../../data/db';
import { importOrders } from '../../data/import/importOrders';
import { OrderHistoryRepository } from '../../data/repositories/orderHistory';
import { ChatIdentityRepository } from '../../data/repositories/chatIdentities';
import { MarketerRepository } from '../../data/repositories/marketers';
import { createAdapter, hasCredentials } from '../../bot/adapter';
import { IdentityMiddleware } from '../../bot/identityMiddleware';
import { MinimalBot } from '../../bot/minimalBot';
import { BotMetrics } from '../../bot/metrics';
import { RateLimiter } from '../../bot/rateLimiter';
import { createServer, listen } from '../../bot/server';
import { registerWebChat, type WebChat, type WebChatSetting } from '../../bot/directLine';
import { tempDir } from '../support/files';

export interface WebChatServer {
  url: string;
  db: Db;
  adapter: CloudAdapter;
  webChat: WebChat | undefined;
  stop(): Promise<void>;
}

export interface WebChatServerOptions {
  env?: Record<string, string>;
  setting?: WebChatSetting;
  secret?: string;
}

export async function startWebChatServer(options: WebChatServerOptions = {}): Promise<WebChatServer> {
  const tmp = tempDir('retain-webchat-');
  const config = loadConfig(options.env ?? {});
  const log = createLogger('silent');
  const db = openDatabase(path.join(tmp.dir, 'retain.db'));
  await importOrders(db, config.demoDataFile, { timeZone: config.importTimeZone, actor: 'demo' });

  const history = new OrderHistoryRepository(db);
  const metrics = new BotMetrics();
  const authenticated = hasCredentials(config);
  const adapter = createAdapter(config, log, () => metrics.turnError());
  adapter.use(new IdentityMiddleware(new ChatIdentityRepository(db), new MarketerRepository(db), log));
  const bot = new MinimalBot(() => history.dataExtent());
  const rateLimiter = new RateLimiter(config.rateLimit);
  const server = createServer({ adapter, bot, log, authenticated, metrics, rateLimiter });
  const webChat = registerWebChat(server, {
    adapter,
    bot,
    db,
    log,
    authenticated,
    setting: options.setting,
    appId: config.bot.appId,
    secret: options.secret,
    metrics,
    rateLimiter,
  });
  const url = await listen(server, 0, '127.0.0.1');
  return {
    url,
    db,
    adapter,
    webChat,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
      tmp.cleanup();
    },
  };
}
