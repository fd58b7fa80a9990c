/**
 * Composition root: wires configuration, database, models, adapter, server (and, as they land,
 * dialogs and scheduled jobs). Nothing else constructs these.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../lib/config';
import { createLogger, type Logger } from '../lib/logger';
import { openDatabase, type Db } from '../data/db';
import { OrderHistoryRepository } from '../data/repositories/orderHistory';
import { importOrders } from '../data/import/importOrders';
import { createAdapter, hasCredentials } from './adapter';
import { AssistantBot } from './assistantBot';
import { SqliteStorage } from './sqliteStorage';
import { UnderstandingMiddleware } from './understandingMiddleware';
import { registerWebChat, type WebChat } from './directLine';
import type { CloudAdapter } from 'botbuilder';
import { registerChartRoutes } from './charts';
import { ChartStore } from '../dialogs/reports/chartStore';
import { adapterSend } from './proactive/adapterSend';
import { createJobRuntime } from '../jobs';
import { assertSafeBind, createServer, listen } from './server';
import { BotMetrics } from './metrics';
import { RateLimiter } from './rateLimiter';
import { clientAddressOf } from './clientAddress';
import { IdentityMiddleware } from './identityMiddleware';
import { ChatIdentityRepository } from '../data/repositories/chatIdentities';
import { MarketerRepository } from '../data/repositories/marketers';
import { BotStateRepository } from '../data/repositories/botState';
import { CustomerScoreRepository } from '../data/repositories/customerScores';
import { trainAndStore } from '../analytics/store';
import { loadOrTrainRecsModel } from '../analytics/recs/service';
import type { RecsModel } from '../analytics/recs/hybrid';
import { loadOrTrainNlu, type Nlu } from '../nlp/nlu';
import { Assistant } from '../dialogs/assistant';
import { readFaq } from '../dialogs/faq';

export interface StartOptions {
  config: Config;
  /** Overrides config.dbFile / port / host (command-line flags). */
  dbFile?: string;
  port?: number;
  host?: string;
  /** Import the bundled demo data when the database has no orders. */
  demo?: boolean;
  log?: Logger;
}

export interface RunningBot {
  url: string;
  db: Db;
  metrics: BotMetrics;
  assistant: Assistant;
  nlu: Nlu;
  adapter: CloudAdapter;
  /** The browser chat page, when it is on (RETAIN_WEBCHAT). */
  webChat: WebChat | undefined;
  stop(): Promise<void>;
}

export async function startBot(options: StartOptions): Promise<RunningBot> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const dbFile = options.dbFile ?? config.dbFile;
  const host = options.host ?? config.host;
  const port = options.port ?? config.port;
  const authenticated = hasCredentials(config);
  // Before anything is opened or imported: a refused start should cost nothing.
  assertSafeBind(host, authenticated);

  const db = openDatabase(dbFile);
  try {
    const history = new OrderHistoryRepository(db);
    let orders = history.dataExtent().orders;
    if (options.demo && orders === 0) {
      await importDemoData(db, config, log);
      orders = history.dataExtent().orders;
    }

    const faq = readFaq(config.faqFile);
    const hasOrders = orders > 0;
    if (hasOrders && !new CustomerScoreRepository(db).latestAsOf()) await trainAnalytics(db, log);
    let recsModel: RecsModel | null = hasOrders ? loadRecs(db, config, log) : null;
    const assistant = new Assistant(db, {
      faq,
      complaintQuietDays: config.jobs.suppression.complaintDays,
      recsModel: () => recsModel,
    });
    const nlu = await loadOrTrainNlu(config.modelsDir, {
      gazetteer: assistant.gazetteer(),
      referenceDate: () => assistant.referenceDate(),
    });

    const metrics = new BotMetrics();
    const adapter = createAdapter(config, log, () => metrics.turnError());
    adapter.use(new IdentityMiddleware(new ChatIdentityRepository(db), new MarketerRepository(db), log));
    adapter.use(new UnderstandingMiddleware(nlu, assistant));
    // Chart specs sit next to the database, so links in cards already sent survive a restart.
    const charts = new ChartStore({ dir: path.join(path.dirname(dbFile), 'charts') });
    const bot = new AssistantBot(
      new SqliteStorage(new BotStateRepository(db)),
      assistant,
      (text) => nlu.understandSentiment(text),
      {
        charts,
        publicBaseUrl: config.publicUrl,
        onChartError: (err) => log.warn({ err }, 'a report chart could not be drawn; sent without it'),
      },
    );
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
    const webChat = registerWebChat(server, {
      adapter,
      bot,
      db,
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
      { db: dbFile },
      `retain is listening on ${url} (messages: ${url}/api/messages, health: ${url}/healthz)`,
    );
    if (webChat) log.info(`web chat (${webChat.mode} mode): open ${url}/ in a browser`);

    const jobs = createJobRuntime(db, config.jobs, {
      send: adapterSend(adapter, config.bot.appId),
      modelsDir: config.modelsDir,
      importTimeZone: config.importTimeZone,
      onRun: (name, outcome) => {
        if (!outcome.ok) return log.error({ err: outcome.error }, `scheduled job ${name} failed`);
        log.info({ ms: outcome.ms }, `scheduled job ${name} done`);
        if (name === 'nightly') {
          // New data and models: answer from them from now on.
          recsModel = loadRecs(db, config, log) ?? recsModel;
          nlu.setGazetteer(assistant.gazetteer());
        }
      },
      onSenderError: (err) => log.error({ err }, 'the outbox sender failed'),
    });
    jobs.start();

    let stopped = false;
    return {
      url,
      db,
      metrics,
      assistant,
      nlu,
      adapter,
      webChat,
      async stop() {
        if (stopped) return;
        stopped = true;
        await jobs.stop();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        db.close();
        log.info('retain stopped');
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

async function importDemoData(db: Db, config: Config, log: Logger): Promise<void> {
  if (!fs.existsSync(config.demoDataFile)) {
    log.warn(
      `the database has no orders and the demo data ${config.demoDataFile} is missing; starting empty`,
    );
    return;
  }
  log.info(`the database has no orders: importing demo data from ${config.demoDataFile}`);
  const summary = await importOrders(db, config.demoDataFile, {
    timeZone: config.importTimeZone,
    actor: 'demo',
  });
  log.info(
    `demo data imported: ${summary.created.orders} orders, ${summary.created.customers} customers, ` +
      `${summary.created.products} products in ${summary.seconds.toFixed(1)} s`,
  );
}

/** First start on a database with orders: the dialogs need segments, churn and CLV scores. */
async function trainAnalytics(db: Db, log: Logger): Promise<void> {
  log.info(
    'no analytics yet: training segments, churn and lifetime value (once; later the nightly job retrains)',
  );
  try {
    const { summary } = await trainAndStore(db);
    log.info(`analytics trained as of ${summary.asOf.slice(0, 10)} for ${summary.customers} customers`);
  } catch (err) {
    // The bot still answers customers; marketers are told the reports are not ready.
    log.warn(
      { err },
      'could not train the analytics; reports stay unavailable until `retain train` succeeds',
    );
  }
}

function loadRecs(db: Db, config: Config, log: Logger): RecsModel | null {
  try {
    const loaded = loadOrTrainRecsModel(db, { modelsDir: config.modelsDir });
    if (loaded.trained) log.info(`recommender trained (${loaded.run.version})`);
    return loaded.model;
  } catch (err) {
    log.warn({ err }, 'could not load or train the recommender; recommendations are unavailable');
    return null;
  }
}
