/**
 * The hostile traffic of bench:hostile, as functions, so that a jest test sends the same at a
 * smaller scale: a gzip bomb, a multipart upload and a flood of distinct channel ids, all without
 * a valid token, against a real server process whose resident memory (RSS) is sampled meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const execFileAsync = promisify(execFile);

export interface HostileScale {
  /** Inflated size of each gzip bomb, and how many are sent at once. */
  bombBytes: number;
  bombs: number;
  uploadBytes: number;
  channelIds: number;
  concurrency: number;
}

export const FULL_SCALE: HostileScale = {
  bombBytes: 200 * 1024 * 1024,
  bombs: 4,
  uploadBytes: 20 * 1024 * 1024,
  channelIds: 5000,
  concurrency: 50,
};

export interface Bars {
  rssGrowthBytes: number;
  metricsGrowthShare: number;
  uploadFilesLeft: number;
}

export const BARS: Bars = { rssGrowthBytes: 50 * 1024 * 1024, metricsGrowthShare: 0.1, uploadFilesLeft: 0 };

interface AttackFigures {
  name: string;
  /** RSS right before, the highest seen while it ran, and after. */
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  /** How many answers had each status (0: the server closed the connection without one). */
  statuses: Record<number, number>;
  ms: number;
}

export interface HostileReport {
  rssBaseline: number;
  attacks: AttackFigures[];
  metricsBefore: number;
  metricsAfter: number;
  uploadFilesLeft: string[];
}

/** A running server process under attack. */
export interface ServerProcess {
  url: string;
  pid: number;
  output(): string;
  /** Resolves with the exit code when the process ends (null if killed by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts a server process and waits for the line announcing its URL ("... running at <url>" or
 * "READY <url>") on stdout.
 */
export function startServerProcess(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs?: number },
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 1_000_000) output = output.slice(-500_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the server did not start in time:\n${output.slice(-2000)}`));
    }, options.timeoutMs ?? 120_000);
    child.stdout!.on('data', () => {
      const match = /(?:running at|READY) (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ url: match[1], pid: child.pid!, output: () => output, exited, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before it started:\n${output.slice(-2000)}`));
    });
  });
}

/** Resident memory of a process, in bytes. */
export async function rssOf(pid: number): Promise<number> {
  try {
    const status = await fs.promises.readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    if (kb) return Number(kb[1]) * 1024;
  } catch {
    // Not Linux: ask ps.
  }
  const { stdout } = await execFileAsync('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Number(stdout.trim()) * 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest value seen. */
export function sampleRss(pid: number, everyMs = 25): { stop: () => Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await rssOf(pid).catch(() => 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return Math.max(peak, await rssOf(pid).catch(() => 0));
    },
  };
}

export async function metricsSize(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`);
  return (await res.arrayBuffer()).byteLength;
}

/** The multipart uploads a form parser leaves in the temp folder (formidable names them upload_*). */
export function uploadFiles(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('upload_'));
}

/** A gzip body that inflates to `inflatedBytes` of zeros (about a thousandth of that in size). */
export async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = zlib.createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  const block = Buffer.alloc(1024 * 1024);
  for (let left = inflatedBytes; left > 0; left -= block.length) {
    if (!gzip.write(left >= block.length ? block : block.subarray(0, left))) {
      await new Promise((r) => gzip.once('drain', r));
    }
  }
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

/**
 * POSTs a body (a Buffer, or chunks written as the socket takes them); resolves with the status,
 * or 0 when the server closed the connection without answering.
 */
export function send(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | (() => AsyncIterable<Buffer>),
): Promise<number> {
  const target = new URL(path, url);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (status: number) => {
      if (settled) return;
      settled = true;
      resolve(status);
    };
    const req = http.request(target, { method: 'POST', agent: false, headers }, (res) => {
      res.resume();
      settle(res.statusCode ?? 0);
    });
    // The server may answer early and close while the upload is still going: its answer counts.
    req.on('error', () => settle(0));
    if (Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      try {
        for await (const chunk of body()) {
          if (settled || req.destroyed) break;
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        }
        req.end();
      } catch {
        settle(0);
      }
    })();
  });
}

const JUNK_TOKEN = { authorization: 'Bearer junk' };

/** A multipart/form-data upload of one file of `bytes` random bytes, as `curl -F file=@...` sends it. */
export function sendMultipart(url: string, path: string, bytes: number): Promise<number> {
  const boundary = `----retainbench${crypto.randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="20mb.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* chunks() {
    yield head;
    const block = crypto.randomBytes(64 * 1024);
    for (let left = bytes; left > 0; left -= block.length)
      yield block.subarray(0, Math.min(left, block.length));
    yield tail;
  }
  return send(
    url,
    path,
    {
      ...JUNK_TOKEN,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + bytes + tail.length),
    },
    chunks,
  );
}

/** Runs `count` tasks, `concurrency` at a time; counts the statuses they resolve with. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<number>) {
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const status = await task(next++);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

function activity(channelId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      type: 'message',
      channelId,
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      conversation: { id: `conversation-${channelId}` },
      from: { id: 'attacker' },
      text: 'hello',
    }),
  );
}

async function measured(
  name: string,
  pid: number,
  attack: () => Promise<Record<number, number>>,
): Promise<AttackFigures> {
  const rssBefore = await rssOf(pid);
  const sampler = sampleRss(pid);
  const started = Date.now();
  const statuses = await attack();
  const ms = Date.now() - started;
  // Whatever the attack allocated shows within a moment of the last answer.
  await new Promise((r) => setTimeout(r, 250));
  const rssPeak = await sampler.stop();
  return { name, rssBefore, rssPeak, rssAfter: await rssOf(pid), statuses, ms };
}

/** The three attacks of the security review, one after the other, each measured. */
export async function runHostileTraffic(server: ServerProcess, scale: HostileScale): Promise<HostileReport> {
  const { url, pid } = server;
  const uploadsBefore = new Set(uploadFiles());
  // Warm-up: every code path the attacks take has run once before the baseline is taken.
  await fetch(`${url}/healthz`).then((r) => r.arrayBuffer());
  await send(url, '/api/messages', { ...JUNK_TOKEN, 'content-type': 'application/json' }, activity('warmup'));
  await metricsSize(url);
  const rssBaseline = await rssOf(pid);
  const metricsBefore = await metricsSize(url);

  const bomb = await gzipBomb(scale.bombBytes);
  const attacks: AttackFigures[] = [];
  attacks.push(
    await measured(`gzip bomb ${scale.bombs} x ${kb(bomb.length)} -> ${mb(scale.bombBytes)}`, pid, () =>
      pool(scale.bombs, scale.bombs, () =>
        send(
          url,
          '/api/messages',
          { ...JUNK_TOKEN, 'content-type': 'application/json', 'content-encoding': 'gzip' },
          bomb,
        ),
      ),
    ),
  );
  attacks.push(
    await measured(`multipart upload ${mb(scale.uploadBytes)}`, pid, () =>
      pool(1, 1, () => sendMultipart(url, '/api/messages', scale.uploadBytes)),
    ),
  );
  attacks.push(
    await measured(`${scale.channelIds} distinct channel ids`, pid, () =>
      pool(scale.channelIds, scale.concurrency, (i) =>
        send(
          url,
          '/api/messages',
          // Each from an address of its own, as a botnet would (believed only from a trusted
          // proxy): so every post reaches the token check instead of the per-client limit.
          {
            ...JUNK_TOKEN,
            'content-type': 'application/json',
            'x-forwarded-for': `198.18.${i >> 8}.${i & 255}`,
          },
          activity(`ch-${i}-${crypto.randomBytes(4).toString('hex')}`),
        ),
      ),
    ),
  );
  const metricsAfter = await metricsSize(url);
  const uploadFilesLeft = uploadFiles().filter((f) => !uploadsBefore.has(f));
  return { rssBaseline, attacks, metricsBefore, metricsAfter, uploadFilesLeft };
}

export interface BarCheck {
  what: string;
  value: string;
  bar: string;
  ok: boolean;
}

export function checkBars(report: HostileReport, bars: Bars = BARS): BarCheck[] {
  const peakGrowth = Math.max(...report.attacks.map((a) => a.rssPeak - report.rssBaseline));
  const metricsGrowth = (report.metricsAfter - report.metricsBefore) / report.metricsBefore;
  return [
    {
      what: 'RSS growth (highest peak over the baseline)',
      value: mb(peakGrowth),
      bar: `< ${mb(bars.rssGrowthBytes)}`,
      ok: peakGrowth < bars.rssGrowthBytes,
    },
    {
      what: '/metrics size',
      value: `${kb(report.metricsBefore)} -> ${kb(report.metricsAfter)} (${pct(metricsGrowth)})`,
      bar: `within ${pct(bars.metricsGrowthShare)}`,
      ok: Math.abs(metricsGrowth) <= bars.metricsGrowthShare,
    },
    {
      what: `upload_* files left in ${os.tmpdir()}`,
      value: String(report.uploadFilesLeft.length),
      bar: String(bars.uploadFilesLeft),
      ok: report.uploadFilesLeft.length <= bars.uploadFilesLeft,
    },
  ];
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const pct = (share: number) => `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%`;
