/**
 * The real bot (startBot, as `npm start` runs it) with the bundled demo data, its web chat on,
 * over real HTTP on a free loopback port, in a temporary folder of its own.
 */
import path from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import type { Store } from '../../data/store';
import { startBot } from '../../bot';
import type { WebChat, WebChatSetting } from '../../bot/directLine';
import { tempDir } from '../support/files';

/**
 * Time allowed for a start: it imports the demo data and trains the analytics models, about
 * 25 s alone on 2 cores and over a minute while the other jest worker trains models too.
 */
export const SERVER_START_TIMEOUT = 180_000;

export interface WebChatServer {
  url: string;
  store: Store;
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
  const config = loadConfig({
    ...options.env,
    RETAIN_MODELS_DIR: path.join(tmp.dir, 'models'),
    ...(options.setting ? { RETAIN_WEBCHAT: options.setting } : {}),
    ...(options.secret ? { RETAIN_WEBCHAT_SECRET: options.secret } : {}),
  });
  const bot = await startBot({
    config,
    dbFile: path.join(tmp.dir, 'retain.db'),
    port: 0,
    host: '127.0.0.1',
    demo: true,
    log: createLogger('silent'),
  });
  return {
    url: bot.url,
    store: bot.store,
    adapter: bot.adapter,
    webChat: bot.webChat,
    async stop() {
      await bot.stop();
      tmp.cleanup();
    },
  };
}
