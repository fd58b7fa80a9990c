/**
 * Composition root: wires configuration, database, models, adapter, server (and, as they land,
 * dialogs and scheduled jobs). Nothing else constructs these.
 */
import fs from 'node:fs';
import type { Config } from '../lib/config';
import { createLogger, type Logger } from '../lib/logger';
import { openDatabase, type Db } from '../data/db';
import { OrderHistoryRepository } from '../data/repositories/orderHistory';
import { importOrders } from '../data/import/importOrders';
import { createAdapter, hasCredentials } from './adapter';
import { MinimalBot } from './minimalBot';
import { assertSafeBind, createServer, listen } from './server';
import { BotMetrics } from './metrics';
import { RateLimiter } from './rateLimiter';
import { IdentityMiddleware } from './identityMiddleware';
import { ChatIdentityRepository } from '../data/repositories/chatIdentities';
import { MarketerRepository } from '../data/repositories/marketers';

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
    if (options.demo && history.dataExtent().orders === 0) await importDemoData(db, config, log);

    const metrics = new BotMetrics();
    const adapter = createAdapter(config, log, () => metrics.turnError());
    adapter.use(new IdentityMiddleware(new ChatIdentityRepository(db), new MarketerRepository(db), log));
    const bot = new MinimalBot(() => history.dataExtent());
    const server = createServer({
      adapter,
      bot,
      log,
      authenticated,
      metrics,
      rateLimiter: new RateLimiter(config.rateLimit),
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

    let stopped = false;
    return {
      url,
      db,
      metrics,
      async stop() {
        if (stopped) return;
        stopped = true;
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
