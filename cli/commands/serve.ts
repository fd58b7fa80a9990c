import type { Command } from 'commander';
import { createLogger } from '../../lib/logger';
import { config, databaseLocation, parseNumberOption, withDbOption, type DbOption } from '../context';

interface ServeOptions extends DbOption {
  port?: number;
  host?: string;
  demo?: boolean;
}

export function registerServe(program: Command): void {
  withDbOption(
    program
      .command('serve')
      .description('start the bot server (POST /api/messages, GET /healthz)')
      .option('--port <n>', 'port to listen on (default: PORT or 3978)', parseNumberOption('port', 0, 65535))
      .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
      .option('--demo', 'import the bundled demo data first if the database has no orders'),
  ).action(async (opts: ServeOptions) => {
    // Loaded on demand: the server stack (botbuilder, restify) is heavy and other commands need none of it.
    const { startBot } = await import('../../bot/index.js');
    const { installProcessGuards } = await import('../../bot/processGuards.js');
    const settings = config();
    const log = createLogger(settings.logLevel);
    // An error in one request ends that request, not the server (bot/processGuards.ts).
    installProcessGuards(log);
    const running = await startBot({
      config: settings,
      log,
      dbFile: databaseLocation(opts),
      port: opts.port,
      host: opts.host,
      demo: opts.demo,
    });
    process.stdout.write(`retain is running at ${running.url} — press Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      const shutdown = () => {
        process.stdout.write('\nstopping...\n');
        running.stop().then(resolve, resolve);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
  });
}
