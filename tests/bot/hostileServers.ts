/**
 * The real bot (startBot, as `retain serve` runs it) on a free loopback port, with an empty
 * database of its own, for the hostile-traffic tests: with credentials configured (tokens checked
 * against a local signing stand-in, replies to a local channel stand-in), or in local mode.
 */
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { startBot, type RunningBot } from '../../bot';
import { tempDir } from '../support/files';
import { startChannelService } from '../support/standIns';
import { APP_ID, startSigningService, type SigningService } from './botFrameworkTokens';

export interface HostileTestServer {
  url: string;
  bot: RunningBot;
  channel: Awaited<ReturnType<typeof startChannelService>>;
  /** With credentials only. */
  signing?: SigningService;
  stop(): Promise<void>;
}

export async function startTestServer(options: {
  credentials: boolean;
  env?: Record<string, string>;
}): Promise<HostileTestServer> {
  const tmp = tempDir('retain-hostile-');
  const channel = await startChannelService();
  const signing = options.credentials ? await startSigningService(() => channel.url) : undefined;
  const bot = await startBot({
    config: loadConfig({
      RETAIN_MODELS_DIR: path.join(tmp.dir, 'models'),
      ...(signing
        ? {
            MicrosoftAppId: APP_ID,
            MicrosoftAppPassword: 'not-used-here',
            RETAIN_BOT_OPENID_METADATA_URL: signing.metadataUrl,
          }
        : {}),
      ...options.env,
    }),
    dbFile: path.join(tmp.dir, 'retain.db'),
    port: 0,
    host: '127.0.0.1',
    log: createLogger('silent'),
  });
  return {
    url: bot.url,
    bot,
    channel,
    signing,
    async stop() {
      await bot.stop();
      await signing?.close();
      await channel.close();
      tmp.cleanup();
    },
  };
}

let nextId = 0;

/** A message activity as a channel sends it. */
export function message(serviceUrl: string, conversation: string, text = 'hello', channelId = 'webchat') {
  return {
    type: 'message',
    id: `act-${++nextId}`,
    channelId,
    serviceUrl,
    conversation: { id: conversation },
    from: { id: `user-${conversation}`, name: 'Mia' },
    recipient: { id: 'retain-bot' },
    text,
  };
}
