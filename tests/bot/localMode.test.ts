/**
 * Local mode (no credentials) against the attacks of the security review, over real HTTP and raw
 * sockets: a web page the marketer visits must not be able to drive the bot (forms, other host
 * names, other origins, replies sent elsewhere), nothing crashes it, and the Bot Framework
 * Emulator and the local web chat page keep working.
 */
import { uploadFiles, sendMultipart } from '../../bench/hostileTraffic';
import { message, startTestServer, type HostileTestServer } from './hostileServers';
import { abortedDownload, rawExchange, rawRequest } from './rawHttp';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** An origin the test allows (RETAIN_LOCAL_ALLOWED_ORIGINS): a name for this machine on a LAN. */
const DEVBOX = 'http://devbox.test:8443';

describe('local mode: only this machine drives the bot', () => {
  let server: HostileTestServer;
  let url: string;
  let port: string;

  beforeAll(async () => {
    server = await startTestServer({
      credentials: false,
      env: { RETAIN_LOCAL_ALLOWED_ORIGINS: DEVBOX },
    });
    url = server.url;
    port = new URL(url).port;
  });
  afterAll(() => server?.stop());

  const alive = async () => {
    await sleep(100);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  };
  const postRaw = (path: string, headers: Record<string, string>, body: string) =>
    rawRequest(url, path, { headers: { host: `localhost:${port}`, ...headers }, body });
  const knows = (user: string) => server.bot.store.identities.byAccount('webchat', user) !== undefined;

  it.each(['/webchat/webchat.js', '/webchat/app.js', '/'])(
    'survives visitors who close the tab while %s loads',
    async (path) => {
      for (let i = 0; i < 3; i++) expect(await abortedDownload(url, path)).toBeGreaterThanOrEqual(1024);
      await alive();
    },
  );

  it.each(['/api/messages', '/webchat/session', '/v3/directline/conversations'])(
    'refuses a body that claims to be gzip but is not, on %s (415), and keeps serving',
    async (path) => {
      const body = Buffer.from('\x1f\x8bnot really gzip');
      const answer = await rawExchange(
        url,
        [
          `POST ${path} HTTP/1.1`,
          `Host: localhost:${port}`,
          'Content-Type: application/json',
          'Content-Encoding: gzip',
          `Content-Length: ${body.length}`,
        ],
        body,
      );
      expect(answer.status).toBe(415);
      await alive();
    },
  );

  it('refuses the form a web page posts in the marketer’s name, and sends nothing anywhere', async () => {
    const form =
      'type=message&channelId=webchat&text=which+segments+do+we+have%3F&conversation[id]=c-form' +
      '&from[id]=marketer-1&serviceUrl=http%3A%2F%2F127.0.0.1%3A9';
    const before = server.channel.replies.length;
    // As a browser sends it from another page: its Origin, and the Host of this server.
    const fromPage = await postRaw(
      '/api/messages',
      { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      form,
    );
    expect(fromPage.status).toBe(403);
    // Without the Origin (as from a page that hides it, or a script): still no form.
    const bare = await postRaw(
      '/api/messages',
      { 'content-type': 'application/x-www-form-urlencoded' },
      form,
    );
    expect(bare.status).toBe(415);
    const plain = await postRaw('/api/messages', { 'content-type': 'text/plain' }, form);
    expect(plain.status).toBe(415);
    expect(server.channel.replies.length).toBe(before);
    expect(knows('marketer-1')).toBe(false);
  });

  it('refuses requests addressed to another host name (DNS rebinding), on every route', async () => {
    const activity = JSON.stringify(message(server.channel.url, 'c-rebound'));
    for (const path of ['/api/messages', '/webchat/session', '/metrics', '/healthz']) {
      const answer = await rawRequest(url, path, {
        method: path.startsWith('/api') || path.startsWith('/webchat') ? 'POST' : 'GET',
        headers: { host: `attacker.example:${port}`, 'content-type': 'application/json' },
        body:
          path === '/api/messages'
            ? activity
            : path === '/webchat/session'
              ? '{"identity":"marketer"}'
              : undefined,
      });
      expect(answer.status).toBe(403);
    }
    expect(knows('user-c-rebound')).toBe(false);
  });

  it('refuses JSON posted by a page of another origin, even on localhost', async () => {
    const activity = JSON.stringify(message(server.channel.url, 'c-cross'));
    for (const origin of [
      'https://evil.example',
      'http://localhost:8080',
      'null',
      `http://127.0.0.1:${port}`,
    ]) {
      const answer = await postRaw('/api/messages', { origin, 'content-type': 'application/json' }, activity);
      expect(answer.status).toBe(403);
    }
    expect(knows('user-c-cross')).toBe(false);
  });

  it('sends replies only to a serviceUrl on this machine', async () => {
    const before = server.channel.replies.length;
    const elsewhere = await postRaw(
      '/api/messages',
      { 'content-type': 'application/json' },
      JSON.stringify(
        message('https://attacker.example/collect', 'c-elsewhere', 'which segments do we have?'),
      ),
    );
    expect(elsewhere.status).toBe(403);
    expect(JSON.parse(elsewhere.body)).toEqual({
      error: expect.stringMatching(/serviceUrl on this machine/),
    });
    expect(knows('user-c-elsewhere')).toBe(false);
    expect(server.channel.replies.length).toBe(before);
  });

  it('keeps working for the Bot Framework Emulator: JSON, no Origin, a loopback serviceUrl', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      const before = server.channel.replies.length;
      const answer = await rawRequest(url, '/api/messages', {
        headers: { host, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message(server.channel.url, `c-emulator-${host}`, 'hello', 'emulator')),
      });
      expect(answer.status).toBe(200);
      expect(server.channel.replies.length).toBeGreaterThan(before);
    }
  });

  it('keeps the local web chat working from its own page, and from an allowed origin', async () => {
    const session = (host: string, origin: string) =>
      rawRequest(url, '/webchat/session', {
        headers: { host, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ identity: 'visitor' }),
      });
    expect((await session(`localhost:${port}`, `http://localhost:${port}`)).status).toBe(200);
    expect((await session('devbox.test:8443', DEVBOX)).status).toBe(200);
    expect((await session(`localhost:${port}`, 'http://localhost:8080')).status).toBe(403);
  });

  it('refuses multipart uploads (415) and leaves nothing in the temp folder', async () => {
    const before = new Set(uploadFiles());
    expect([415, 0]).toContain(await sendMultipart(url, '/api/messages', 2 * 1024 * 1024));
    expect([415, 0]).toContain(await sendMultipart(url, '/webchat/session', 2 * 1024 * 1024));
    await sleep(200);
    expect(uploadFiles().filter((f) => !before.has(f))).toEqual([]);
    await alive();
  });
});
