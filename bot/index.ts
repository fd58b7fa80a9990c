/**
 * Composition root of the server: opens the store, composes the application (services/app.ts),
 * and wires the bot on top of it: adapter, middleware, dialogs, HTTP server, web chat and the
 * scheduled jobs. Nothing else constructs these.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../lib/config';
import { createLogger, type Logger } from '../lib/logger';
import { configuredStoreLocation, isPostgresUrl, openStore, type Store } from '../data/store';
import { importOrders } from '../data/import/importOrders';
import { importCustomers } from '../data/import/importCustomers';
import { composeApp, type App } from '../services/app';
import { createAdapter, hasCredentials } from './adapter';
import { AssistantBot } from './assistantBot';
import { SqliteStorage } from './sqliteStorage';
import { UnderstandingMiddleware } from './understandingMiddleware';
import { registerWebChat, type WebChat } from './directLine';
import type { CloudAdapter, Middleware } from 'botbuilder';
import { registerChartRoutes } from './charts';
import { registerExportRoutes } from './exports';
import { ExportStore } from '../reports/exportStore';
import { ChartStore } from '../reports/chartStore';
import { adapterSend } from './proactive/adapterSend';
import { createEmailChannel, createJobRuntime, type EmailChannel } from '../jobs';
import { EmailPreferenceService } from '../services/emailPreferences';
import { registerUnsubscribeRoutes } from './unsubscribe';
import { assertSafeBind, createServer, listen } from './server';
import { BotMetrics } from './metrics';
import { RateLimiter } from './rateLimiter';
import { clientAddressOf } from './clientAddress';
import { IdentityMiddleware } from './identityMiddleware';
import { MemoryMiddleware } from './memoryMiddleware';
import { ErasureCompletionMiddleware } from './erasureMiddleware';
import type { ReportRenderOptions } from '../dialogs/reportActivity';

export interface StartOptions {
  config: Config;
  /** Overrides the configured store (a SQLite file or a postgres:// URL), port and host (command-line flags). */
  dbFile?: string;
  port?: number;
  host?: string;
  /** Import the bundled demo data when the database has no orders. */
  demo?: boolean;
  log?: Logger;
}

export interface RunningBot {
  url: string;
  store: Store;
  app: App;
  metrics: BotMetrics;
  adapter: CloudAdapter;
  /** The browser chat page, when it is on (RETAIN_WEBCHAT). */
  webChat: WebChat | undefined;
  stop(): Promise<void>;
}

/**
 * What runs around the dialogs on every turn, in order: the completion of an erasure (outermost,
 * so it acts after everything else in the turn), who is talking (and their saved conversation
 * reference), then what they said. Tests that drive the dialogs use the same list.
 */
export function turnMiddleware(app: App, log: Logger): Middleware[] {
  return [
    new ErasureCompletionMiddleware(app.care),
    new IdentityMiddleware(app.store.identities, app.store.marketers, log),
    new UnderstandingMiddleware(app.nlu, app),
    new MemoryMiddleware(new SqliteStorage(app.store.botState)),
  ];
}

/** The bot itself: dialogs over the application, with conversation state in the store. */
export function createChatBot(app: App, render: ReportRenderOptions = {}): AssistantBot {
  return new AssistantBot(
    new SqliteStorage(app.store.botState),
    app,
    (text) => app.nlu.understandSentiment(text),
    render,
  );
}

export async function startBot(options: StartOptions): Promise<RunningBot> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const dbFile = options.dbFile ?? configuredStoreLocation(config);
  const host = options.host ?? config.host;
  const port = options.port ?? config.port;
  const authenticated = hasCredentials(config);
  // Before anything is opened or imported: a refused start should cost nothing.
  assertSafeBind(host, authenticated);

  // Before anything is opened: a broken email template or setting stops the start.
  const email: EmailChannel | undefined = config.mail
    ? createEmailChannel(config.mail, { maxConnections: config.jobs.send.concurrency })
    : undefined;
  const store = openStore(dbFile);
  try {
    if (options.demo && store.orders.dataExtent().orders === 0) await importDemoData(store, config, log);
    const app = await composeApp(store, config, {
      log,
      trainIfMissing: true,
      // With an email channel, chat verification mails a one-time code to the address on file.
      codeMailer: email
        ? {
            send: (m) =>
              email.sendVerificationCode(m).catch((err: unknown) => {
                log.warn({ err }, 'email: a verification code could not be sent (the customer was told)');
                throw err;
              }),
          }
        : undefined,
    });

    const metrics = new BotMetrics();
    const adapter = createAdapter(config, log, () => metrics.turnError());
    for (const middleware of turnMiddleware(app, log)) adapter.use(middleware);
    // Chart specs sit next to the database, so links in cards already sent survive a restart.
    // With PostgreSQL, next to where the SQLite file would be (var/ by default): several
    // instances share them only through a folder every instance mounts (docs/deployment.md).
    const filesDir = path.dirname(isPostgresUrl(dbFile) ? config.dbFile : dbFile);
    const charts = new ChartStore({ dir: path.join(filesDir, 'charts') });
    // Exported tables are offered by link only where the bot has a public address (Teams, Slack).
    const exports = config.publicUrl ? new ExportStore({ dir: path.join(filesDir, 'exports') }) : undefined;
    const bot = createChatBot(app, {
      charts,
      exports,
      publicBaseUrl: config.publicUrl,
      onChartError: (err) => log.warn({ err }, 'a report chart could not be drawn; sent without it'),
    });
    const rateLimiter = new RateLimiter(config.rateLimit);
    const clientLimiter = new RateLimiter(config.clientRateLimit);
    const clientAddress = clientAddressOf(config.trustedProxies, log);
    const server = createServer({
      adapter,
      bot,
      log,
      authenticated,
      metrics,
      rateLimiter,
      clientLimiter,
      clientAddress,
      local: config.local,
    });
    registerChartRoutes(server, charts, log);
    if (exports) registerExportRoutes(server, exports);
    if (config.unsubscribe) {
      registerUnsubscribeRoutes(server, {
        preferences: new EmailPreferenceService(store),
        secret: config.unsubscribe.secret,
        shopName: config.unsubscribe.shopName,
        log,
        clientAddress,
        clientLimiter,
      });
    }
    const webChat = registerWebChat(server, {
      adapter,
      bot,
      data: store,
      log,
      authenticated,
      setting: config.webChat.setting,
      appId: config.bot.appId,
      secret: config.webChat.secret,
      metrics,
      rateLimiter,
      clientLimiter,
      clientAddress,
      store: { maxBytes: config.webChat.maxMemoryBytes },
    });
    const url = await listen(server, port, host);
    if (!authenticated) {
      log.warn(
        `no MicrosoftAppId/MicrosoftAppPassword set: local mode, listening on ${host} only, without authentication`,
      );
    }
    log.info(
      { db: store.info().location },
      `retain is listening on ${url} (messages: ${url}/api/messages, health: ${url}/healthz)`,
    );
    if (webChat) log.info(`web chat (${webChat.mode} mode): open ${url}/ in a browser`);

    if (email) {
      // Worth knowing at once; the outbox retries anyway, so a relay that is down is no reason to stop.
      email.verify().then(
        () => log.info('email: the SMTP relay accepted the connection'),
        (err: unknown) =>
          log.warn({ err }, 'email: cannot reach or log in to the SMTP relay (RETAIN_SMTP_URL)'),
      );
    }
    const jobs = createJobRuntime(store, config.jobs, {
      send: adapterSend(adapter, config.bot.appId),
      email: email && config.mail ? { sender: email, rate: config.mail.rate } : undefined,
      modelsDir: config.modelsDir,
      importTimeZone: config.importTimeZone,
      onRun: (name, outcome) => {
        if (!outcome.ok) return log.error({ err: outcome.error }, `scheduled job ${name} failed`);
        log.info({ ms: outcome.ms }, `scheduled job ${name} done`);
        // New data and models: answer from them from now on.
        if (name === 'nightly') app.refresh();
      },
      onSenderError: (err) => log.error({ err }, 'the outbox sender failed'),
      onSkip: (name, reason) => {
        if (reason === 'elsewhere') log.info(`scheduled job ${name}: run by another instance`);
      },
      // Trained by another instance (or `retain train`): answer from them from now on.
      onNewModels: () => app.refresh(),
    });
    jobs.start();

    let stopped = false;
    return {
      url,
      store,
      app,
      metrics,
      adapter,
      webChat,
      async stop() {
        if (stopped) return;
        stopped = true;
        await jobs.stop();
        email?.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        store.close();
        log.info('retain stopped');
      },
    };
  } catch (err) {
    email?.close();
    store.close();
    throw err;
  }
}

async function importDemoData(store: Store, config: Config, log: Logger): Promise<void> {
  if (!fs.existsSync(config.demoDataFile)) {
    log.warn(
      `the database has no orders and the demo data ${config.demoDataFile} is missing; starting empty`,
    );
    return;
  }
  log.info(`the database has no orders: importing demo data from ${config.demoDataFile}`);
  const summary = await importOrders(store, config.demoDataFile, {
    timeZone: config.importTimeZone,
    actor: 'demo',
  });
  log.info(
    `demo data imported: ${summary.created.orders} orders, ${summary.created.customers} customers, ` +
      `${summary.created.products} products in ${summary.seconds.toFixed(1)} s`,
  );
  // Synthetic example.com addresses and consent for some demo customers, so email can be tried.
  const contacts = config.demoCustomersFile;
  if (contacts && fs.existsSync(contacts)) {
    const c = await importCustomers(store, contacts, { timeZone: config.importTimeZone, actor: 'demo' });
    log.info(
      `demo contacts imported: ${c.updated + c.created} customers, ${c.consent.granted} with email consent`,
    );
  }
}
