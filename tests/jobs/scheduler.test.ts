import { JobScheduler } from '../../jobs/scheduler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('job scheduler', () => {
  it('never runs jobs at the same time, and never queues a job that is already running or waiting', async () => {
    let running = 0;
    let maxRunning = 0;
    const runs: string[] = [];
    const job = (name: string, ms: number) => ({
      name,
      schedule: '0 3 * * *',
      run: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs.push(name);
        await sleep(ms);
        running--;
      },
    });
    const skipped: string[] = [];
    const scheduler = new JobScheduler([job('nightly', 80), job('winback', 20)], {
      timeZone: 'Europe/London',
      onSkip: (n) => skipped.push(n),
    });
    const results = await Promise.all([
      scheduler.trigger('nightly'),
      scheduler.trigger('winback'),
      scheduler.trigger('nightly'), // still running: dropped
      scheduler.trigger('winback'), // still waiting: dropped
    ]);
    expect(results).toEqual([true, true, false, false]);
    expect(runs).toEqual(['nightly', 'winback']);
    expect(maxRunning).toBe(1);
    expect(skipped).toEqual(['nightly', 'winback']);
    expect(await scheduler.trigger('nightly')).toBe(true); // finished: may run again
    await scheduler.stop();
  });

  it('keeps running after a job fails, and reports the failure', async () => {
    const outcomes: Array<[string, boolean]> = [];
    const scheduler = new JobScheduler(
      [
        { name: 'broken', schedule: '0 3 * * *', run: () => Promise.reject(new Error('no database')) },
        { name: 'fine', schedule: '0 4 * * *', run: () => 42 },
      ],
      { timeZone: 'UTC', onRun: (name, o) => outcomes.push([name, o.ok]) },
    );
    await Promise.all([scheduler.trigger('broken'), scheduler.trigger('fine')]);
    expect(outcomes).toEqual([
      ['broken', false],
      ['fine', true],
    ]);
    await scheduler.stop();
  });

  it('refuses a schedule that is not a cron expression', () => {
    expect(
      () => new JobScheduler([{ name: 'x', schedule: 'every night', run: () => 0 }], { timeZone: 'UTC' }),
    ).toThrow(/not a cron expression/);
  });

  it('runs on its cron schedule without overlapping a slow run', async () => {
    let running = 0;
    let maxRunning = 0;
    let started = 0;
    const scheduler = new JobScheduler(
      [
        {
          name: 'slow',
          schedule: '* * * * * *', // every second
          run: async () => {
            started++;
            running++;
            maxRunning = Math.max(maxRunning, running);
            await sleep(1500);
            running--;
          },
        },
      ],
      { timeZone: 'UTC' },
    );
    scheduler.start();
    await sleep(3200);
    await scheduler.stop();
    expect(started).toBeGreaterThanOrEqual(1);
    expect(started).toBeLessThanOrEqual(2); // 3 ticks at most, each run takes 1.5 s
    expect(maxRunning).toBe(1);
  });
});
