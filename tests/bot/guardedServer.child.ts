/**
 * A server process for the tests of the process guards and of the hostile-traffic bars, run with
 * `node -r tests/jobs/tsRegister.js`. Prints "READY <url>" once it listens.
 *
 *   serve <db file>   what `retain serve` does: the process guards, then startBot (settings from
 *                     the environment).
 *   faulty            the process guards, the TensorFlow.js backend loaded (its WASM build adds
 *                     listeners that rethrow unhandled rejections, as in the real server), and
 *                     the server startBot builds, in local mode, around a bot whose turns fail
 *                     where no handler's try/catch reaches: in a timer, in a stream, in a promise
 *                     nobody awaits, as the message text asks. SIGUSR2 throws outside any request.
 */
import { Readable } from 'node:stream';
import type { TurnContext } from 'botbuilder';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { loadTf } from '../../lib/tf';
import { installProcessGuards } from '../../bot/processGuards';
import { startBot } from '../../bot';
import { createAdapter } from '../../bot/adapter';
import { createServer, listen } from '../../bot/server';
import { BotMetrics } from '../../bot/metrics';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function faultyTurn(context: TurnContext): Promise<void> {
  switch (context.activity.text) {
    case 'throw in a timer':
      setTimeout(() => {
        throw new Error('secret detail from a timer');
      }, 5);
      break;
    case 'reject unawaited':
      void Promise.reject(new Error('secret detail from a promise'));
      break;
    case 'throw in a stream': {
      const stream = new Readable({ read: () => undefined });
      stream.on('data', () => {
        throw new Error('secret detail from a stream');
      });
      setTimeout(() => stream.push('x'), 5);
      break;
    }
    default:
      return;
  }
  // The turn is still under way when its stray error arrives.
  await sleep(500);
}

async function main(): Promise<void> {
  const [mode, dbFile] = process.argv.slice(2);
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  installProcessGuards(log);
  if (mode === 'serve') {
    const running = await startBot({ config, dbFile, port: 0, host: '127.0.0.1', log });
    process.once('SIGTERM', () => void running.stop().then(() => process.exit(0)));
    process.stdout.write(`READY ${running.url}\n`);
    return;
  }
  await loadTf();
  const server = createServer({
    adapter: createAdapter(config, log),
    bot: { run: faultyTurn },
    log,
    authenticated: false,
    metrics: new BotMetrics(),
  });
  const url = await listen(server, 0, '127.0.0.1');
  process.on('SIGUSR2', () =>
    setImmediate(() => {
      throw new Error('an error outside any request');
    }),
  );
  process.stdout.write(
    `READY ${url} (rejection listeners: ${process.listenerCount('unhandledRejection')})\n`,
  );
}

void main();
