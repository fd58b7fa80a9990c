/**
 * Load on the real bot server over HTTP: 50 concurrent conversations sending a realistic mix of
 * marketer and customer messages, against a bare echo bot on the same stack (restify + CloudAdapter
 * + our middleware-free server) measured in the same run. Replies go to a local stand-in for the
 * channel service, as in production.
 * Usage: npm run bench:server [-- --seconds 10 --connections 50]
 */
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { ActivityHandler } from 'botbuilder';
import { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { startBot } from '../bot';
import { createAdapter } from '../bot/adapter';
import { createServer, listen } from '../bot/server';
import { BotMetrics } from '../bot/metrics';

const opts = new Command('bench:server')
  .option('--seconds <n>', 'duration of each measurement', '10')
  .option('--connections <n>', 'concurrent conversations', '50')
  .parse()
  .opts<{ seconds: string; connections: string }>();

const MESSAGES = [
  'which segments do we have?',
  'who is likely to churn in Germany?',
  'what is customer 12347 worth?',
  'recommend me something',
  'where is my order 536365?',
  'how do I return an item',
  'gift ideas under £20',
  'thanks!',
  'hi',
  'stop',
];

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

async function startEchoBot(): Promise<{ url: string; stop: () => void }> {
  const config = loadConfig({});
  const log = createLogger('silent');
  const bot = new ActivityHandler().onMessage(async (context, next) => {
    await context.sendActivity(`echo: ${context.activity.text}`);
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
  return { url, stop: () => server.close() };
}

function load(
  url: string,
  serviceUrl: string,
  connections: number,
  seconds: number,
): Promise<autocannon.Result> {
  let n = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/api/messages`,
        connections,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => {
              n++;
              const conversation = `conv-${n % connections}`;
              return {
                ...req,
                body: JSON.stringify({
                  type: 'message',
                  id: `a${n}`,
                  channelId: 'webchat',
                  serviceUrl,
                  conversation: { id: conversation },
                  from: { id: `user-${n % connections}` },
                  recipient: { id: 'retain' },
                  text: MESSAGES[n % MESSAGES.length],
                }),
              };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

const summary = (r: autocannon.Result) => ({
  requestsPerSecond: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors,
});

async function main() {
  const seconds = Number(opts.seconds);
  const connections = Number(opts.connections);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-server-'));
  const channel = await channelService();
  // Throughput is the point here, so the per-conversation limit is lifted.
  const config = loadConfig({ RETAIN_RATE_BURST: '1000000000', RETAIN_RATE_PER_SECOND: '1000000000' });
  const retain = await startBot({
    config,
    dbFile: path.join(dir, 'bench.db'),
    port: 0,
    host: '127.0.0.1',
    demo: true,
    log: createLogger('silent'),
  });
  const echo = await startEchoBot();
  try {
    await load(echo.url, channel.url, connections, 2); // warm-up
    await load(retain.url, channel.url, connections, 2);
    const echo1 = await load(echo.url, channel.url, connections, seconds);
    const ours = await load(retain.url, channel.url, connections, seconds);
    const echo2 = await load(echo.url, channel.url, connections, seconds);
    const echoRps = (echo1.requests.average + echo2.requests.average) / 2;
    console.log(
      JSON.stringify(
        {
          connections,
          seconds,
          echoBot: { ...summary(echo1), second: summary(echo2) },
          retain: summary(ours),
          throughputRatio: +(ours.requests.average / echoRps).toFixed(2),
          targets: { throughputRatio: '>= 0.7', p99Ms: '< 100' },
          note: 'retain still runs its placeholder bot: dialogs land with issue 6',
        },
        null,
        2,
      ),
    );
  } finally {
    echo.stop();
    await retain.stop();
    channel.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
