/**
 * Two bot processes (`retain serve`, as an operator runs them) on one PostgreSQL database: the
 * win-back job scheduled on both, one of them killed with SIGKILL while the outbox is being sent.
 * Every message reaches the de-duplicating stand-in channel exactly once, each scheduled run ran
 * on one instance only, conversation state written through one instance is read by the other,
 * and the recommender trained by the first is loaded, not retrained, by the second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { projectPath } from '../../lib/paths';
import { tempDir } from '../support/files';
import { postgresDatabases, postgresTestUrl } from '../support/engines';
import { startChannelService } from '../support/standIns';
import { connect, importOrderSpecs, storeScores } from './shop';
import { StandInChannel } from './standInChannel';

const CUSTOMERS = 90;
const SEND_TIMEOUT_MS = 1000;
// What a surviving sender waits before it resends a dead sender's claims (jobs/index.ts).
const SENDER_LEASE_MS = SEND_TIMEOUT_MS + 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Instance {
  name: string;
  child: ChildProcess;
  url: Promise<string>;
  log: () => string;
  exited: Promise<number | null>;
}

function startInstance(name: string, env: NodeJS.ProcessEnv): Instance {
  const child = spawn(process.execPath, [projectPath('bin', 'retain.js'), 'serve', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(`${name} stopped: ${stderr}`)));
  });
  return { name, child, url, log: () => stderr, exited };
}

const lines = (log: string, pattern: RegExp) => log.split('\n').filter((l) => pattern.test(l)).length;

const url = postgresTestUrl('two bot instances on one PostgreSQL');
const describePg = url ? describe : describe.skip;

describePg('two bot instances on one PostgreSQL database', () => {
  const tmp = tempDir();
  const databases = postgresDatabases();
  const proactive = new StandInChannel();
  let chat: Awaited<ReturnType<typeof startChannelService>>;
  const instances: Instance[] = [];
  let store: Store;

  afterAll(async () => {
    for (const i of instances) if (i.child.exitCode === null) i.child.kill('SIGKILL');
    await Promise.all(instances.map((i) => i.exited));
    store?.close();
    await proactive.stop();
    await chat?.close();
    databases.dropAll();
    tmp.cleanup();
  });

  it('sends every message exactly once across a kill -9, runs each job once, shares state and models', async () => {
    await proactive.start();
    // Each answer takes a while, so the kill lands while messages are in flight.
    proactive.defaultDelayMs = 150;
    chat = await startChannelService();
    const location = databases.create();
    store = openStore(location);
    const names = Array.from({ length: CUSTOMERS }, (_, i) => `k${i}`);
    await importOrderSpecs(
      store,
      tmp.dir,
      names.flatMap((c, i) => [
        { order: `a-${c}`, customer: c, at: '2025-06-05 10:00', sku: `SKU${i % 7}` },
        { order: `b-${c}`, customer: c, at: '2025-07-05 10:00', sku: `SKU${(i + 3) % 7}` },
      ]),
    );
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) + 'T00:00:00.000Z';
    storeScores(
      store,
      yesterday,
      names.map((customer) => ({ customer, churn: 0.9, stage: 'at risk' })),
    );

    const env = {
      RETAIN_DATABASE_URL: location,
      RETAIN_LOG_LEVEL: 'info',
      RETAIN_SHOP_TIMEZONE: 'UTC',
      RETAIN_SCHEDULE_WINBACK: '*/10 * * * * *',
      RETAIN_SCHEDULE_NIGHTLY: '0 0 1 1 *',
      RETAIN_SCHEDULE_WELCOME: '0 0 1 1 *',
      RETAIN_JOB_LEASE_SECONDS: '5',
      RETAIN_QUIET_HOURS: '',
      RETAIN_CONTROL_SHARE: '0',
      RETAIN_WINBACK_CHURN_THRESHOLD: '0.5',
      RETAIN_SEND_POLL_SECONDS: '1',
      RETAIN_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
      RETAIN_SEND_RATE_PER_SECOND: '1000',
      RETAIN_SEND_BURST: '100',
      RETAIN_SEND_CONCURRENCY: '3',
      RETAIN_SEND_BACKOFF_BASE_MS: '10',
      RETAIN_DB: path.join(tmp.dir, 'must-not-exist.db'),
    };
    // The first trains the recommender at start; the second, started after, finds it in the database.
    instances.push(startInstance('a', { ...env, RETAIN_MODELS_DIR: path.join(tmp.dir, 'models-a') }));
    const urlA = await instances[0].url;
    instances.push(startInstance('b', { ...env, RETAIN_MODELS_DIR: path.join(tmp.dir, 'models-b') }));
    const urlB = await instances[1].url;
    expect(lines(instances[0].log(), /recommender trained/)).toBe(1);
    expect(lines(instances[1].log(), /recommender trained/)).toBe(0);

    // Conversation state: a question asked through one instance is answered through the other.
    const say = async (base: string, text: string, id: string) => {
      const before = chat.replies.length;
      const res = await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id,
          channelId: 'webchat',
          serviceUrl: chat.url,
          conversation: { id: 'visitor-conversation' },
          from: { id: 'visitor-1', name: 'Vic' },
          recipient: { id: 'retain-bot' },
          text,
        }),
      });
      expect(res.status).toBe(200);
      return chat.replies.slice(before).map((r) => JSON.stringify(r.body));
    };
    expect((await say(urlA, 'forget me', 'm1')).join()).toMatch(/Erase now\?/);
    expect((await say(urlB, 'no', 'm2')).join()).toMatch(/OK, nothing was erased/);

    // The win-back job fires on both every 10 s. Until the customers have talked to the bot (a
    // saved conversation reference), it has nobody to write to: from now on it has.
    for (const c of names) connect(store, c, proactive.url);
    // Once the outbox is being sent, kill one instance.
    while (proactive.deliveries.length < 20) await sleep(20);
    const victim = instances[0];
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    const killedAt = Date.now();
    const sentAtKill = store.outbox.countsByStatus();
    expect(sentAtKill.sent).toBeLessThan(CUSTOMERS);

    // The survivor sends the rest at once, and what was in flight at the kill after the lease.
    while (store.outbox.countsByStatus().sent < CUSTOMERS && Date.now() - killedAt < SENDER_LEASE_MS + 30_000)
      await sleep(250);
    const counts = store.outbox.countsByStatus();
    expect(counts).toMatchObject({ sent: CUSTOMERS, queued: 0, sending: 0, failed: 0, dead: 0 });
    const ids = proactive.deliveries.map((d) => d.messageId);
    expect(ids).toHaveLength(CUSTOMERS);
    expect(new Set(ids).size).toBe(CUSTOMERS);
    // The kill interrupted sends in flight: those were sent again by the survivor with the same
    // id, and the channel's de-duplication kept them from showing twice (jobs/README.md).
    expect(proactive.requests.length).toBeGreaterThan(CUSTOMERS);
    // One campaign, one message per customer, however many times the job ran.
    expect(store.campaigns.list().map((c) => c.name)).toEqual(['Automatic win-back']);
    expect(store.outbox.list({ limit: 1000 })).toHaveLength(CUSTOMERS);

    // Each scheduled run finished once, on one instance; the other skipped it.
    await sleep(1000);
    const runs = store.jobRuns.recent(1000).filter((r) => r.finishedAt !== null);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const r of runs) expect(r).toMatchObject({ job: 'winback', outcome: 'ok' });
    const done = instances.reduce((n, i) => n + lines(i.log(), /scheduled job winback done/), 0);
    expect(done).toBe(runs.length);
    // The run that queued the messages fired on both instances: one ran it, the other skipped it.
    const skipped = instances.reduce((n, i) => n + lines(i.log(), /winback: run by another instance/), 0);
    expect(skipped).toBeGreaterThanOrEqual(1);
    // PostgreSQL only: no SQLite file was created or read.
    expect(fs.existsSync(env.RETAIN_DB)).toBe(false);
  }, 180_000);
});
