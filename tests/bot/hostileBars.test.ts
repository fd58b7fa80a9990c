/**
 * The bars of bench:hostile at a smaller scale, so that CI guards them: the real server in its
 * own process (what `retain serve` runs), credentials configured, sent a gzip bomb, a multipart
 * upload and a flood of distinct channel ids without a valid token. Its RSS may not grow by 50 MB,
 * /metrics may not grow by 10%, and no upload may be left in the temp folder.
 */
import path from 'node:path';
import { tsNodeArgs } from '../support/tsChild';
import {
  checkBars,
  runHostileTraffic,
  startServerProcess,
  type HostileScale,
  type ServerProcess,
} from '../../bench/hostileTraffic';
import { tempDir } from '../support/files';

jest.setTimeout(180_000);

/** A bomb that inflates to 2 x 60 MB would break the RSS bar by itself if it were inflated. */
const SCALE: HostileScale = {
  bombBytes: 60 * 1024 * 1024,
  bombs: 2,
  uploadBytes: 5 * 1024 * 1024,
  channelIds: 500,
  concurrency: 20,
};

describe('hostile traffic without a valid token against the server process (bench:hostile bars)', () => {
  const tmp = tempDir('retain-bars-');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess(
      tsNodeArgs(path.join(__dirname, 'guardedServer.child.ts'), 'serve', path.join(tmp.dir, 'retain.db')),
      {
        cwd: tmp.dir,
        env: {
          ...process.env,
          MicrosoftAppId: '00000000-0000-0000-0000-00000000ba25',
          MicrosoftAppPassword: 'not-used-here',
          RETAIN_MODELS_DIR: path.join(tmp.dir, 'models'),
          RETAIN_WEBCHAT: 'on',
          RETAIN_TRUSTED_PROXY: 'loopback',
          RETAIN_LOG_LEVEL: 'error',
        },
        timeoutMs: 150_000,
      },
    );
  });
  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('keeps RSS, /metrics and the temp folder within the bars, refusing everything with 4xx', async () => {
    const report = await runHostileTraffic(server, SCALE);
    for (const bar of checkBars(report))
      expect(`${bar.what}: ${bar.value} (${bar.ok ? 'ok' : 'over'})`).toMatch(/\(ok\)$/);
    const [bombs, upload, flood] = report.attacks;
    expect(bombs.statuses).toEqual({ 415: SCALE.bombs });
    // The upload is refused from its headers; the connection may close before the client reads why.
    expect(Object.keys(upload.statuses).every((s) => s === '415' || s === '0')).toBe(true);
    // Each post from an address of its own: every one reaches the token check, and is refused there.
    expect(flood.statuses).toEqual({ 401: SCALE.channelIds });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
