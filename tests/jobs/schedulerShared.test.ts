import { spawnTsChild } from '../support/tsChild';
import { openStore } from '../../data/store';
import { JobScheduler } from '../../jobs/scheduler';
import { projectPath } from '../../lib/paths';
import { describeEachEngine } from '../support/engines';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachEngine('scheduled jobs shared by several instances', (engine) => {
  it('runs each scheduled run once, on one instance or the other', async () => {
    const location = engine.location('shared');
    const stores = [openStore(location), openStore(location)];
    const ran: string[] = [];
    const schedulers = stores.map(
      (store, i) =>
        new JobScheduler(
          [
            {
              name: 'winback',
              schedule: '* * * * * *', // every second, on both
              run: async () => {
                ran.push(`instance-${i}`);
                await sleep(50);
              },
            },
          ],
          { timeZone: 'UTC', shared: { runs: store.jobRuns, holder: `instance-${i}`, leaseMs: 60_000 } },
        ),
    );
    try {
      schedulers.forEach((s) => s.start());
      await sleep(3500);
      await Promise.all(schedulers.map((s) => s.stop()));
      const runs = stores[0].jobRuns.recent();
      // Three or four seconds fired on both instances; each ran on exactly one of them.
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(ran).toHaveLength(runs.length);
      expect(new Set(runs.map((r) => r.runKey)).size).toBe(runs.length);
      for (const r of runs) expect(r).toMatchObject({ job: 'winback', attempts: 1, outcome: 'ok' });
      expect(runs.map((r) => r.holder).sort()).toEqual([...ran].sort());
    } finally {
      stores.forEach((s) => s.close());
    }
  });

  it('takes over a run whose instance was killed (kill -9) once its lease ran out, and runs it once', async () => {
    const location = engine.location('takeover');
    const { child, done } = spawnTsChild(projectPath('tests', 'jobs', 'sharedScheduler.child.ts'), location);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('started') && resolve());
      void done.then(({ stderr }) =>
        reject(new Error(`the child stopped before its run started: ${stderr}`)),
      );
    });
    child.kill('SIGKILL');
    await done;

    const store = openStore(location);
    const taken: string[] = [];
    const survivor = new JobScheduler(
      [{ name: 'winback', schedule: '0 0 1 1 *', run: () => void taken.push('winback') }],
      { timeZone: 'UTC', shared: { runs: store.jobRuns, holder: 'survivor', leaseMs: 1500 } },
    );
    try {
      const held = store.jobRuns.recent();
      expect(held).toHaveLength(1);
      expect(held[0]).toMatchObject({ holder: `child-${child.pid}`, finishedAt: null });
      const killedAt = Date.now();
      survivor.start();
      while (!taken.length && Date.now() - killedAt < 10_000) await sleep(50);
      expect(taken).toEqual(['winback']);
      await sleep(1000);
      expect(taken).toEqual(['winback']); // once
      expect(store.jobRuns.get(held[0].runKey)).toMatchObject({
        holder: 'survivor',
        attempts: 2,
        outcome: 'ok',
        finishedAt: expect.any(String),
      });
    } finally {
      await survivor.stop();
      store.close();
    }
  }, 30_000);
});
