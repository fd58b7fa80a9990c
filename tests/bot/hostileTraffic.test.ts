/**
 * The security review's findings against the real server with credentials configured (startBot,
 * as `retain serve` runs it, web chat in visitor mode behind a trusted loopback proxy), over real
 * HTTP and raw sockets: nothing crashes it, and nobody without a valid token spends more than a
 * refusal.
 */
import { BotMetrics } from '../../bot/metrics';
import { createAdapter } from '../../bot/adapter';
import { createServer, listen } from '../../bot/server';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { gzipBomb, metricsSize, send, sendMultipart, uploadFiles } from '../../bench/hostileTraffic';
import { APP_ID, EMULATOR_ISSUER, startSigningService } from './botFrameworkTokens';
import { message, startTestServer, type HostileTestServer } from './hostileServers';
import { abortedDownload, rawExchange, rawRequest } from './rawHttp';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Requests arrive through the trusted loopback proxy, which names the client. */
const from = (client: string) => ({ 'x-forwarded-for': client });

describe('with credentials configured: hostile traffic neither crashes the server nor costs it', () => {
  let server: HostileTestServer;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer({
      credentials: true,
      env: { RETAIN_WEBCHAT: 'on', RETAIN_TRUSTED_PROXY: 'loopback', RETAIN_WEBCHAT_MAX_MEMORY_MB: '1' },
    });
    url = server.url;
  });
  afterAll(() => server?.stop());

  const alive = async () => {
    // A crash from a refused request would come within a moment of it.
    await sleep(100);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  };
  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  describe('remote crashes', () => {
    it.each(['/webchat/webchat.js', '/webchat/app.js', '/'])(
      'survives clients that close the connection while %s downloads',
      async (path) => {
        for (let i = 0; i < 3; i++) expect(await abortedDownload(url, path)).toBeGreaterThanOrEqual(1024);
        await alive();
      },
    );

    it.each([
      ['/api/messages', 415],
      ['/webchat/session', 415],
      ['/v3/directline/conversations', 415],
      ['/v3/directline/tokens/generate', 415],
      ['/v3/directline/tokens/refresh', 415],
      // Refused for its signature before its body is looked at.
      ['/webchat/connector/v3/conversations/c/activities', 401],
    ])(
      'refuses a body that claims to be gzip but is not, on %s (%i), and keeps serving',
      async (path, status) => {
        const body = Buffer.from('this is not gzip at all');
        const answer = await rawExchange(
          url,
          [
            `POST ${path} HTTP/1.1`,
            'Host: localhost',
            'Content-Type: application/json',
            'Content-Encoding: gzip',
            'Authorization: Bearer junk',
            'X-Forwarded-For: 203.0.113.10',
            `Content-Length: ${body.length}`,
          ],
          body,
        );
        expect(answer.status).toBe(status);
        expect(answer.text).not.toMatch(/incorrect header check|zlib|Z_DATA_ERROR/i);
        await alive();
      },
    );
  });

  describe('nothing spent before authentication', () => {
    it('refuses a gzip bomb without inflating it (415)', async () => {
      const bomb = await gzipBomb(20 * 1024 * 1024);
      const statuses = await Promise.all(
        [1, 2, 3, 4].map(() =>
          send(
            url,
            '/api/messages',
            { ...from('203.0.113.11'), 'content-type': 'application/json', 'content-encoding': 'gzip' },
            bomb,
          ),
        ),
      );
      // Without a token the request is refused before its body is looked at.
      expect(statuses).toEqual([401, 401, 401, 401]);
      const signed = await send(
        url,
        '/api/messages',
        {
          ...from('203.0.113.12'),
          authorization: server.signing!.token({}),
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        },
        bomb,
      );
      expect(signed).toBe(415);
      await alive();
    });

    it('refuses forms and multipart uploads (415) and leaves nothing in the temp folder', async () => {
      const before = new Set(uploadFiles());
      const form = await rawRequest(url, '/api/messages', {
        headers: {
          ...from('203.0.113.13'),
          authorization: 'Bearer junk',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'type=message&from[id]=marketer&serviceUrl=https://attacker.example',
      });
      expect(form.status).toBe(415);
      for (const path of ['/api/messages', '/webchat/session', '/v3/directline/conversations']) {
        const small = await rawRequest(url, path, {
          headers: { ...from('203.0.113.13'), 'content-type': 'multipart/form-data; boundary=x' },
          body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\nabc\r\n--x--\r\n',
        });
        expect([401, 415]).toContain(small.status);
        // A large one is refused from its headers; the client may see the connection close first.
        expect([401, 415, 0]).toContain(await sendMultipart(url, path, 3 * 1024 * 1024));
      }
      await sleep(200);
      expect(uploadFiles().filter((f) => !before.has(f))).toEqual([]);
      await alive();
    });

    it('keeps /metrics the same size whatever channel ids unauthenticated posts claim', async () => {
      const before = await metricsSize(url);
      const statuses = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          post(message(server.channel.url, `c-${i}`, 'hi', `channel-${i}`), {
            authorization: 'Bearer junk',
            // Half from one address (soon limited), half from addresses of their own.
            ...from(i % 2 ? '203.0.113.14' : `198.18.${i >> 8}.${i & 255}`),
          }).then(async (r) => (await r.arrayBuffer(), r.status)),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([401, 429]));
      const after = await metricsSize(url);
      expect(Math.abs(after - before) / before).toBeLessThan(0.1);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).not.toMatch(/channel-\d/);
      expect(text).toMatch(
        /retain_activities_total\{channel="unknown",type="unknown",outcome="unauthorized"\} \d+/,
      );
    });

    it('lets the signed sender of a conversation through after 25 junk-token posts for it', async () => {
      const conversation = 'conversation-under-attack';
      const junk: number[] = [];
      for (let i = 0; i < 25; i++) {
        const res = await post(message(server.channel.url, conversation), {
          authorization: 'Bearer junk',
          ...from('203.0.113.7'),
        });
        junk.push(res.status);
      }
      // Refused, then limited per client address (burst 20) without the body being read.
      expect(junk.slice(0, 20)).toEqual(Array(20).fill(401));
      expect(junk.slice(20)).toEqual(Array(5).fill(429));

      const identities = server.bot.store.identities;
      expect(identities.byAccount('webchat', `user-${conversation}`)).toBeUndefined();
      const signed = await post(message(server.channel.url, conversation, 'hello'), {
        authorization: server.signing!.token({}),
        ...from('52.112.0.1'),
      });
      expect(signed.status).toBe(200);
      // Processed: the bot now knows the sender.
      expect(identities.byAccount('webchat', `user-${conversation}`)).toBeDefined();

      // The refused address stays limited, valid token or not, until its budget refills.
      const fromAttacker = await post(message(server.channel.url, 'another'), {
        authorization: server.signing!.token({}),
        ...from('203.0.113.7'),
      });
      expect(fromAttacker.status).toBe(429);
      expect(Number(fromAttacker.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('limits a flood of signed messages in one conversation (429), after authentication', async () => {
      const flood = await Promise.all(
        Array.from({ length: 30 }, () =>
          post(message(server.channel.url, 'flooded'), {
            authorization: server.signing!.token({}),
            ...from('52.112.0.2'),
          }),
        ),
      );
      const statuses = flood.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(20);
      expect(statuses).toContain(429);
      const other = await post(message(server.channel.url, 'calm'), {
        authorization: server.signing!.token({}),
        ...from('52.112.0.2'),
      });
      expect(other.status).toBe(200);
    });

    it.each([
      ['an Emulator token', { iss: EMULATOR_ISSUER, ver: '1.0', appid: 'emulator-app', aud: APP_ID }],
      [
        'a skill token',
        { iss: EMULATOR_ISSUER, ver: '2.0', azp: 'another-bot', appid: 'another-bot', aud: APP_ID },
      ],
    ])('answers %s it cannot verify with 401 or 503, telling nothing of why', async (_name, claims) => {
      const res = await post(message(server.channel.url, 'shaped-token', 'hi', 'emulator'), {
        authorization: server.signing!.token(claims, { kid: 'a-key-nobody-published' }),
        ...from('203.0.113.15'),
      });
      expect([401, 503]).toContain(res.status);
      const body = await res.text();
      expect(body).not.toMatch(
        /microsoftonline|botframework\.com|ENOTFOUND|getaddrinfo|fetch|Error|\bat \S+ \(/,
      );
    });
  });

  describe('visitor mode web chat', () => {
    const openChat = (client: string) =>
      fetch(`${url}/webchat/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...from(client) },
        body: JSON.stringify({ identity: 'visitor' }),
      });
    const chat = async (client: string) => {
      const res = await openChat(client);
      expect(res.status).toBe(200);
      const s = (await res.json()) as { token: string; conversationId: string };
      const auth = { authorization: `Bearer ${s.token}` };
      expect(
        (await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: auth })).status,
      ).toBe(201);
      const postActivity = (body: string) =>
        fetch(`${url}/v3/directline/conversations/${s.conversationId}/activities`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body,
        });
      const poll = () =>
        fetch(`${url}/v3/directline/conversations/${s.conversationId}/activities`, { headers: auth });
      return { ...s, postActivity, poll };
    };

    it('limits new chats per client behind the trusted proxy: one client cannot stop the others', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) statuses.push((await openChat('198.51.100.20')).status);
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
      expect(statuses.slice(20)).toEqual([429, 429]);
      expect((await openChat('198.51.100.21')).status).toBe(200);
      expect((await openChat('2001:db8:1:2::7')).status).toBe(200);
    });

    it('refuses channelData over 4 KB (400) and activities over 32 KB (413); the chat goes on', async () => {
      const c = await chat('198.51.100.30');
      const big = await c.postActivity(
        JSON.stringify({ type: 'message', text: 'hi', channelData: { pad: 'x'.repeat(5000) } }),
      );
      expect(big.status).toBe(400);
      expect(await big.json()).toMatchObject({ error: { message: expect.stringMatching(/channelData/) } });
      const huge = await c.postActivity(
        JSON.stringify({ type: 'event', name: 'x', value: 'x'.repeat(40_000) }),
      );
      expect(huge.status).toBe(413);
      expect((await c.postActivity(JSON.stringify({ type: 'message', text: 'hello' }))).status).toBe(200);
    });

    it('holds at most RETAIN_WEBCHAT_MAX_MEMORY_MB: the least recently active chats end first', async () => {
      const store = server.bot.webChat!.store;
      const bulky = JSON.stringify({ type: 'event', name: 'bulky', value: 'x'.repeat(30_000) });
      const chats = [];
      // Five visitors, one after the other, each leaving 300 KB in a 1 MB store.
      for (let n = 0; n < 5; n++) {
        const c = await chat(`198.51.100.${40 + n}`);
        for (let i = 0; i < 10; i++) expect((await c.postActivity(bulky)).status).toBe(200);
        chats.push(c);
      }
      expect(store.bytes).toBeLessThanOrEqual(1024 * 1024);
      expect(store.bytes).toBeGreaterThan(512 * 1024);
      // The first chats made room; the latest ones are whole.
      expect((await chats[0].poll()).status).toBe(403);
      expect((await chats[3].poll()).status).toBe(200);
      const latest = (await (await chats[4].poll()).json()) as { activities: { name?: string }[] };
      expect(latest.activities.filter((a) => a.name === 'bulky')).toHaveLength(10);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const held = Number(/^retain_webchat_stored_bytes (\d+)/m.exec(metrics)?.[1]);
      expect(held).toBe(store.bytes);
    });
  });
});

describe('when the signing keys cannot be fetched', () => {
  it.each([
    [
      'the key server answers 500',
      async () => {
        const signing = await startSigningService(() => 'http://127.0.0.1:9');
        signing.failWith(500);
        return { metadataUrl: signing.metadataUrl, token: signing.token({}), close: () => signing.close() };
      },
    ],
    [
      'nothing listens where the keys are published',
      async () => {
        const signing = await startSigningService(() => 'http://127.0.0.1:9');
        const token = signing.token({});
        await signing.close();
        return { metadataUrl: signing.metadataUrl, token, close: async () => undefined };
      },
    ],
  ])('answers 503 with Retry-After and no internals (%s)', async (_name, keys) => {
    const { metadataUrl, token, close } = await keys();
    const log = createLogger('silent');
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-used-here',
      RETAIN_BOT_OPENID_METADATA_URL: metadataUrl,
    });
    // The server startBot builds, with a bot that must never be reached.
    const server = createServer({
      adapter: createAdapter(config, log),
      bot: {
        run: async () => {
          throw new Error('an unauthenticated activity reached the bot');
        },
      },
      log,
      authenticated: true,
      metrics: new BotMetrics(),
    });
    const url = await listen(server, 0, '127.0.0.1');
    try {
      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token },
        body: JSON.stringify(message('http://127.0.0.1:9', 'c')),
      });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.text()).toBe('{"error":"the token could not be checked now; try again later"}');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await close();
    }
  });
});
