/**
 * An instance's scheduler as its own process, for the takeover test: one job on a schedule of
 * every second whose run never ends (it says "started" and waits). The test kills the process
 * with SIGKILL while the run is held. Run with: node -r ./tests/jobs/tsRegister.js <this> LOCATION
 */
import { openStore } from '../../data/store';
import { JobScheduler } from '../../jobs/scheduler';

const store = openStore(process.argv[2]);
const scheduler = new JobScheduler(
  [
    {
      name: 'winback',
      schedule: '* * * * * *',
      run: () => {
        process.stdout.write('started\n');
        return new Promise(() => undefined);
      },
    },
  ],
  { timeZone: 'UTC', shared: { runs: store.jobRuns, holder: `child-${process.pid}`, leaseMs: 1500 } },
);
scheduler.start();
