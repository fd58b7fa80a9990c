/**
 * Load on the real bot server over HTTP: 50 concurrent conversations (a fifth of them marketers)
 * sending a realistic mix of marketer and customer messages, against a bare echo bot on the same
 * stack (restify + CloudAdapter + our server) measured in the same run, and a third bot that echoes
 * through a botbuilder-dialogs dialog with its state in SQLite (the floor of any dialog bot on this
 * stack, to show what our understanding and answers cost on top). Replies go to a local
 * stand-in for the channel service, as in production. Two measurements:
 *  - throughput: every conversation sends its next message as soon as the last is answered
 *    (closed loop, the machine saturated): requests per second, ours against the echo bot's;
 *  - latency: every conversation sends one message per --pace-ms (people type; a chat is not a
 *    flood): p50/p99 of the answer at that offered load, ours and the echo bot's.
 * Usage: npm run bench:server [-- --seconds 10 --connections 50 --pace-ms 1000]
 */
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ActivityHandler, ConversationState } from 'botbuilder';
import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogState,
} from 'botbuilder-dialogs';
import { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { startBot } from '../bot';
import { createAdapter } from '../bot/adapter';
import { createServer, listen } from '../bot/server';
import { BotMetrics } from '../bot/metrics';
import { openStore } from '../data/store';
import { SqliteStorage } from '../bot/sqliteStorage';
import { isMarketer, type LoadSummary } from './loadClient';

const execFileAsync = promisify(execFile);

const opts = new Command('bench:server')
  .option('--seconds <n>', 'duration of each measurement', '10')
  .option('--connections <n>', 'concurrent conversations', '50')
  .option('--pace-ms <n>', 'time between two messages of one conversation in the latency run', '1000')
  .parse()
  .opts<{ seconds: string; connections: string; paceMs: string }>();

async function channelService(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** A one-step dialog that echoes: what botbuilder-dialogs and state in SQLite cost on their own. */
class EchoDialog extends ComponentDialog {
  constructor() {
    super('echo');
    this.addDialog(
      new WaterfallDialog('echo-step', [
        async (step) => {
          await step.context.sendActivity(`echo: ${step.context.activity.text}`);
          return step.endDialog();
        },
      ]),
    );
    this.initialDialogId = 'echo-step';
  }
}

/**
 * The echo bot; with `stateFile`, the echo is answered by a dialog whose state lives in SQLite
 * (SqliteStorage, as the real bot): the floor of any botbuilder-dialogs bot on this stack.
 */
async function startEchoBot(stateFile?: string): Promise<{ url: string; stop: () => void }> {
  const config = loadConfig({});
  const log = createLogger('silent');
  const store = stateFile ? openStore(stateFile) : undefined;
  const state = store ? new ConversationState(new SqliteStorage(store.botState)) : undefined;
  const dialogs = state ? new DialogSet(state.createProperty<DialogState>('dialogState')) : undefined;
  dialogs?.add(new EchoDialog());
  const bot = new ActivityHandler().onMessage(async (context, next) => {
    if (dialogs && state) {
      const dc = await dialogs.createContext(context);
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) await dc.beginDialog('echo');
      await state.saveChanges(context);
    } else {
      await context.sendActivity(`echo: ${context.activity.text}`);
    }
    await next();
  });
  const server = createServer({
    adapter: createAdapter(config, log),
    bot,
    log,
    authenticated: false,
    metrics: new BotMetrics(),
  });
  const url = await listen(server, 0, '127.0.0.1');
  return {
    url,
    stop: () => {
      server.close();
      store?.close();
    },
  };
}

/** One measurement, by the load generator in a child process. */
async function load(
  url: string,
  serviceUrl: string,
  connections: number,
  seconds: number,
  paceMs?: number,
): Promise<LoadSummary> {
  const args = [path.join(__dirname, 'loadClient.js'), url, serviceUrl, String(connections), String(seconds)];
  if (paceMs) args.push(String(paceMs));
  const { stdout } = await execFileAsync(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as LoadSummary;
}

async function main() {
  const seconds = Number(opts.seconds);
  const connections = Number(opts.connections);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-server-'));
  const channel = await channelService();
  // Throughput is the point here, so the per-conversation limit is lifted.
  const config = loadConfig({
    RETAIN_RATE_BURST: '1000000000',
    RETAIN_RATE_PER_SECOND: '1000000000',
    RETAIN_MODELS_DIR: path.join(dir, 'models'),
    RETAIN_WEBCHAT: 'off',
  });
  const retain = await startBot({
    config,
    dbFile: path.join(dir, 'bench.db'),
    port: 0,
    host: '127.0.0.1',
    demo: true,
    log: createLogger('silent'),
  });
  const marketers = retain.store.marketers;
  for (let c = 0; c < connections; c++) {
    if (isMarketer(c)) marketers.add('channel_user', `webchat:user-${c}`, 'bench', 'bench');
  }
  const echo = await startEchoBot();
  const dialogEcho = await startEchoBot(path.join(dir, 'dialog-echo.db'));
  const paceMs = Number(opts.paceMs);
  try {
    await load(echo.url, channel.url, connections, 2); // warm-up
    await load(dialogEcho.url, channel.url, connections, 2);
    await load(retain.url, channel.url, connections, 2);
    // Echo before and after ours, so a drift of the machine shows instead of favouring one side.
    const echo1 = await load(echo.url, channel.url, connections, seconds);
    const ours = await load(retain.url, channel.url, connections, seconds);
    const floor = await load(dialogEcho.url, channel.url, connections, seconds);
    const echo2 = await load(echo.url, channel.url, connections, seconds);
    const echoRps = (echo1.requestsPerSecond + echo2.requestsPerSecond) / 2;
    const echoPaced = await load(echo.url, channel.url, connections, seconds, paceMs);
    const oursPaced = await load(retain.url, channel.url, connections, seconds, paceMs);
    const result = {
      connections,
      seconds,
      throughput: {
        echoBot: { ...echo1, second: echo2 },
        retain: ours,
        ratio: +(ours.requestsPerSecond / echoRps).toFixed(2),
        // Where the difference lies: the dialog machinery and SQLite state alone, no understanding or reports.
        dialogEchoBot: floor,
        dialogEchoRatio: +(floor.requestsPerSecond / echoRps).toFixed(2),
      },
      latency: {
        offeredPerSecond: Math.round((connections * 1000) / paceMs),
        echoBot: echoPaced,
        retain: oursPaced,
      },
      targets: { throughputRatio: '>= 0.7', p99Ms: '< 100 (paced conversations)' },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    echo.stop();
    dialogEcho.stop();
    await retain.stop();
    channel.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
