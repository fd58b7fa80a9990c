/**
 * bench:hostile — the real server (`retain serve`, built, in its own process, credentials
 * configured, web chat in visitor mode) under the hostile traffic of the security review, without
 * a valid token: a gzip bomb (4 x 199 KB that inflate to 200 MB each), a 20 MB multipart upload,
 * 5,000 posts with distinct channel ids, each from an address of its own (named in
 * X-Forwarded-For by a trusted loopback proxy), so that every one reaches the token check. Prints the server process's RSS (baseline after warm-up,
 * peak during each attack), the size of /metrics before and after, and the upload_* files left in
 * the temp folder, against the bars: RSS growth under 50 MB, /metrics within 10%, no file left.
 * Then, for information, one visitor flooding the web chat with bulky activities for a while.
 *
 * Usage: npm run bench:hostile [-- --visitor-seconds 20]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { projectPath } from '../lib/paths';
import {
  FULL_SCALE,
  checkBars,
  mb,
  rssOf,
  runHostileTraffic,
  sampleRss,
  startServerProcess,
  type ServerProcess,
} from './hostileTraffic';

const opts = new Command('bench:hostile')
  .option('--visitor-seconds <n>', 'how long one visitor floods the web chat (0: skip)', '20')
  .parse()
  .opts<{ visitorSeconds: string }>();

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-hostile-'));
  const server = await startServerProcess(
    [projectPath('bin', 'retain.js'), 'serve', '--db', path.join(dir, 'retain.db'), '--port', '0'],
    {
      cwd: dir,
      env: {
        ...process.env,
        MicrosoftAppId: '00000000-0000-0000-0000-0000000bench',
        MicrosoftAppPassword: 'not-used-here',
        HOST: '127.0.0.1',
        RETAIN_MODELS_DIR: path.join(dir, 'models'),
        RETAIN_WEBCHAT: 'on',
        // The flood of channel ids comes "through" a proxy on loopback, each post from its own address.
        RETAIN_TRUSTED_PROXY: 'loopback',
        RETAIN_LOG_LEVEL: 'error',
      },
    },
  );
  let failed = false;
  try {
    console.log(`retain serve (credentials configured) at ${server.url}, pid ${server.pid}\n`);
    const report = await runHostileTraffic(server, FULL_SCALE);
    console.log(`baseline RSS after warm-up: ${mb(report.rssBaseline)}\n`);
    const rows = report.attacks.map((a) => [
      a.name,
      mb(a.rssBefore),
      mb(a.rssPeak),
      `${sign(a.rssPeak - report.rssBaseline)}${mb(a.rssPeak - report.rssBaseline)}`,
      Object.entries(a.statuses)
        .map(([status, n]) => `${status === '0' ? 'closed' : status} x${n}`)
        .join(', '),
      `${a.ms} ms`,
    ]);
    table(['attack (no valid token)', 'RSS before', 'RSS peak', 'vs baseline', 'answers', 'time'], rows);
    console.log('');
    const bars = checkBars(report);
    table(
      ['bar', 'measured', 'bar', ''],
      bars.map((b) => [b.what, b.value, b.bar, b.ok ? 'ok' : 'FAILED']),
    );
    failed = bars.some((b) => !b.ok);

    const seconds = Number(opts.visitorSeconds);
    if (seconds > 0) await visitorFlood(server, seconds);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

/**
 * One client, from one address, opening chats and posting 30 KB activities (near the 32 KB cap)
 * as fast as the server lets it. The web chat keeps what it accepted in memory until the chats
 * end: bounded per client by the limit on new chats, per conversation (1 MB) and in all
 * (RETAIN_WEBCHAT_MAX_MEMORY_MB). What it holds is read from /metrics; RSS shows, besides, the
 * garbage of processing the activities, which the garbage collector frees in its own time.
 */
async function visitorFlood(server: ServerProcess, seconds: number): Promise<void> {
  const { url, pid } = server;
  const before = await rssOf(pid);
  const sampler = sampleRss(pid);
  const bulky = JSON.stringify({ type: 'event', name: 'flood', value: 'x'.repeat(30_000) });
  const statuses: Record<string, number> = {};
  const count = (key: string) => (statuses[key] = (statuses[key] ?? 0) + 1);
  const conversations: { token: string; id: string }[] = [];
  const deadline = Date.now() + seconds * 1000;
  const json = { 'content-type': 'application/json' };
  let accepted = 0;
  const worker = async (n: number) => {
    while (Date.now() < deadline) {
      if (n === 0 || conversations.length === 0) {
        const res = await fetch(`${url}/webchat/session`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ identity: 'visitor' }),
        });
        count(`session ${res.status}`);
        if (res.ok) {
          const s = (await res.json()) as { token: string; conversationId: string };
          conversations.push({ token: s.token, id: s.conversationId });
        } else await res.arrayBuffer();
        if (conversations.length === 0) continue;
      }
      const c = conversations[Math.floor(Math.random() * conversations.length)];
      const res = await fetch(`${url}/v3/directline/conversations/${c.id}/activities`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${c.token}` },
        body: bulky,
      });
      await res.arrayBuffer();
      count(`post ${res.status}`);
      if (res.ok) accepted += bulky.length;
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, n) => worker(n)));
  const peak = await sampler.stop();
  const held = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(held)?.[1] ?? NaN);
  console.log(
    `\nvisitor flood, one client for ${seconds} s (information; bounded by the limits above):\n` +
      `  accepted ${mb(accepted)} of activities in ${conversations.length} chats; ` +
      `answers: ${Object.entries(statuses)
        .map(([k, n]) => `${k} x${n}`)
        .join(', ')}\n` +
      `  held by the web chat at the end: ${gauge('retain_webchat_conversations')} chats, ` +
      `${mb(gauge('retain_webchat_stored_bytes'))} (cap per chat 1 MB, in all 64 MB)\n` +
      `  RSS ${mb(before)} -> peak ${mb(peak)} (${sign(peak - before)}${mb(peak - before)}), ` +
      `${mb(await rssOf(pid))} at the end`,
  );
}

const sign = (n: number) => (n >= 0 ? '+' : '');

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
