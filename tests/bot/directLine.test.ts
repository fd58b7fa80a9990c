/**
 * The local Direct Line 3.0 endpoint over real HTTP, as the Web Chat client uses it (polling):
 * session → start conversation → post → poll by watermark, with the real adapter, identity
 * middleware and bot behind it, and the security cases.
 */
import { sql } from '../support/sql';
import http from 'node:http';
import { SERVER_START_TIMEOUT, startWebChatServer, type WebChatServer } from '../e2e/webChatServer';

interface Activity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; name?: string; role?: string };
  channelData?: Record<string, unknown>;
  replyToId?: string;
  conversation: { id: string };
}
interface ActivitySet {
  activities: Activity[];
  watermark: string;
}
interface Session {
  token: string;
  conversationId: string;
  user: { id: string; name: string };
  role: string;
  suggestions: string[];
}
interface Identity {
  key: string;
  role: string;
  label: string;
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const auth = (token: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
});

async function session(url: string, identity: string): Promise<Session> {
  const res = await fetch(`${url}/webchat/session`, json({ identity }));
  expect(res.status).toBe(200);
  return (await res.json()) as Session;
}

async function startConversation(url: string, s: Session): Promise<Response> {
  return fetch(`${url}/v3/directline/conversations`, auth(s.token, { method: 'POST' }));
}

async function poll(url: string, s: Session, watermark = ''): Promise<ActivitySet> {
  const res = await fetch(
    `${url}/v3/directline/conversations/${s.conversationId}/activities?watermark=${watermark}`,
    auth(s.token),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as ActivitySet;
}

async function say(url: string, s: Session, activity: Record<string, unknown>): Promise<Response> {
  return fetch(
    `${url}/v3/directline/conversations/${s.conversationId}/activities`,
    auth(s.token, json({ type: 'message', ...activity })),
  );
}

describe('local Direct Line endpoint (demo mode: no credentials)', () => {
  let server: WebChatServer;
  let identities: Identity[];

  beforeAll(async () => {
    server = await startWebChatServer();
    const res = await fetch(`${server.url}/webchat/identities`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { mode: string; identities: Identity[] };
    expect(body.mode).toBe('demo');
    identities = body.identities;
  }, SERVER_START_TIMEOUT);
  afterAll(() => server?.stop());

  it('offers the marketer and real customers with several orders from the demo data', () => {
    expect(identities[0]).toMatchObject({ key: 'marketer', role: 'marketer' });
    const customers = identities.filter((i) => i.role === 'customer');
    expect(customers.length).toBeGreaterThanOrEqual(2);
    for (const c of customers) {
      const orders = sql(server.store)
        .prepare(
          `SELECT COUNT(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id
            WHERE c.external_id = ? AND o.kind = 'purchase'`,
        )
        .get(c.key.replace('customer:', '')) as { n: number };
      expect(orders.n).toBeGreaterThanOrEqual(3);
    }
  });

  it('serves the page and the official Web Chat bundle from this server', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/webchat/webchat.js');
    const bundle = await fetch(`${server.url}/webchat/webchat.js`);
    expect(bundle.status).toBe(200);
    expect(Number(bundle.headers.get('content-length'))).toBeGreaterThan(1_000_000);
    expect((await bundle.text()).slice(0, 5000)).toMatch(/WebChat|webchat/i);
  });

  it('runs a conversation: start, greeting, post, poll by watermark, the bot answers as to a marketer', async () => {
    const s = await session(server.url, 'marketer');
    expect(s.role).toBe('marketer');
    expect(s.conversationId).toMatch(/^[\w-]{40,}$/);

    const started = await startConversation(server.url, s);
    expect(started.status).toBe(201);
    expect(await started.json()).toMatchObject({ conversationId: s.conversationId, token: s.token });
    // Opening it again is not a new conversation.
    expect((await startConversation(server.url, s)).status).toBe(200);

    const greeting = await poll(server.url, s);
    expect(greeting.activities.map((a) => a.text)).toEqual([expect.stringMatching(/^Hello! I am retain/)]);
    expect(greeting.activities[0].from.role).toBe('bot');

    const posted = await say(server.url, s, {
      text: 'which segments do we have?',
      channelData: { clientActivityID: 'client-1' },
      // A client cannot choose who it is: the token decides.
      from: { id: 'someone-else', role: 'user' },
    });
    expect(posted.status).toBe(200);
    const { id } = (await posted.json()) as { id: string };

    const after = await poll(server.url, s, greeting.watermark);
    expect(Number(after.watermark)).toBe(Number(greeting.watermark) + 2);
    const [echo, reply] = after.activities;
    expect(echo).toMatchObject({
      id,
      type: 'message',
      text: 'which segments do we have?',
      from: { id: s.user.id, role: 'user' },
      channelData: { clientActivityID: 'client-1' },
      conversation: { id: s.conversationId },
    });
    expect(reply.from.role).toBe('bot');
    expect(reply.replyToId).toBe(id);
    // The marketer gets the segment overview card (customers would be refused it).
    expect(JSON.stringify((reply as { attachments?: unknown }).attachments)).toMatch(/Customer segments/);

    // Nothing new after the latest watermark.
    expect((await poll(server.url, s, after.watermark)).activities).toEqual([]);
  });

  it('links a demo customer to their customer record and answers them as a customer', async () => {
    const customer = identities.find((i) => i.role === 'customer')!;
    const s = await session(server.url, customer.key);
    expect(s.role).toBe('customer');
    expect((await startConversation(server.url, s)).status).toBe(201);
    expect((await say(server.url, s, { text: 'recommend me something' })).status).toBe(200);
    const texts = (await poll(server.url, s)).activities.map((a) => a.text);
    // Personal picks: the customer record is linked, so the recommender knows their history.
    expect(texts[texts.length - 1]).toMatch(/Picked for you/);

    const identity = server.store.identities.byAccount('webchat', s.user.id);
    const record = sql(server.store)
      .prepare('SELECT id FROM customers WHERE external_id = ?')
      .get(customer.key.replace('customer:', '')) as { id: number };
    expect(identity).toMatchObject({ role: 'customer', customerId: record.id });

    // Picking the same customer again is the same chat user, still linked.
    const again = await session(server.url, customer.key);
    expect(again.user.id).toBe(s.user.id);
    expect(again.conversationId).not.toBe(s.conversationId);
  });

  it('delivers a proactive message sent through the adapter to the open chat (local mode)', async () => {
    const s = await session(server.url, 'marketer');
    await startConversation(server.url, s);
    const seen = await poll(server.url, s);
    const identities = server.store.identities;
    const [saved] = identities.references(identities.byAccount('webchat', s.user.id)!.id);
    expect(saved.conversationId).toBe(s.conversationId);
    await server.adapter.continueConversationAsync('', saved.reference as object, async (context) => {
      await context.sendActivity('Your weekly churn report is ready.');
    });
    const after = await poll(server.url, s, seen.watermark);
    expect(after.activities.map((a) => a.text)).toEqual(['Your weekly churn report is ready.']);
  });

  it('keeps a conversation private to its token', async () => {
    const a = await session(server.url, 'marketer');
    const b = await session(server.url, 'visitor');
    await startConversation(server.url, a);
    await startConversation(server.url, b);
    const activities = `${server.url}/v3/directline/conversations/${a.conversationId}/activities`;

    expect((await fetch(activities)).status).toBe(401);
    expect((await fetch(activities, auth('not-a-token'))).status).toBe(403);
    expect((await fetch(activities, auth(b.token))).status).toBe(403);
    expect((await fetch(activities, auth(b.token, json({ type: 'message', text: 'hi' })))).status).toBe(403);
    expect((await fetch(`${server.url}/v3/directline/conversations`, { method: 'POST' })).status).toBe(401);
    const unknown = await fetch(
      `${server.url}/v3/directline/conversations/no-such-conversation/activities`,
      auth(a.token),
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'BadArgument' } });
  });

  it.each([
    ['not JSON', '{"type": "message",'],
    ['a JSON array', '[]'],
    ['no type', JSON.stringify({ text: 'hi' })],
    ['an unsupported type', JSON.stringify({ type: 'invoke', name: 'x' })],
    ['a text over the cap', JSON.stringify({ type: 'message', text: 'x'.repeat(6000) })],
  ])('answers 400 to %s and keeps the conversation working', async (_name, body) => {
    const s = await session(server.url, 'visitor');
    await startConversation(server.url, s);
    const res = await fetch(
      `${server.url}/v3/directline/conversations/${s.conversationId}/activities`,
      auth(s.token, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    );
    expect(res.status).toBe(400);
    expect((await say(server.url, s, { text: 'still there?' })).status).toBe(200);
  });

  it('refuses a watermark that is not a number', async () => {
    const s = await session(server.url, 'visitor');
    const res = await fetch(
      `${server.url}/v3/directline/conversations/${s.conversationId}/activities?watermark=abc`,
      auth(s.token),
    );
    expect(res.status).toBe(400);
  });

  it('refreshes a token and refuses unknown identities', async () => {
    const s = await session(server.url, 'marketer');
    const refreshed = await fetch(
      `${server.url}/v3/directline/tokens/refresh`,
      auth(s.token, { method: 'POST' }),
    );
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toMatchObject({ conversationId: s.conversationId, expires_in: 1800 });

    expect((await fetch(`${server.url}/webchat/session`, json({ identity: 'customer:nobody' }))).status).toBe(
      404,
    );
    expect((await fetch(`${server.url}/webchat/session`, json({ identity: 'admin' }))).status).toBe(403);
    expect((await fetch(`${server.url}/webchat/session`, json({}))).status).toBe(400);
  });

  it('refuses requests addressed to another host name (DNS rebinding from a web page)', async () => {
    const status = (path: string, host: string, method = 'GET') =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${server.url}${path}`, { method, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(method === 'POST' ? JSON.stringify({ identity: 'marketer' }) : undefined);
      });
    const port = new URL(server.url).port;
    expect(await status('/webchat/identities', `attacker.example:${port}`)).toBe(403);
    expect(await status('/webchat/session', `attacker.example:${port}`, 'POST')).toBe(403);
    expect(await status('/', `attacker.example:${port}`)).toBe(403);
    expect(await status('/webchat/identities', `localhost:${port}`)).toBe(200);
  });

  it('does not hand out tokens for a secret when none is configured', async () => {
    const res = await fetch(`${server.url}/v3/directline/tokens/generate`, auth('guess', { method: 'POST' }));
    expect(res.status).toBe(403);
  });
});

describe('local Direct Line endpoint with credentials configured', () => {
  const env = { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'x' };

  it(
    'is off unless switched on',
    async () => {
      const server = await startWebChatServer({ env });
      try {
        expect(server.webChat).toBeUndefined();
        expect((await fetch(`${server.url}/`)).status).toBe(404);
        expect((await fetch(`${server.url}/v3/directline/conversations`, { method: 'POST' })).status).toBe(
          404,
        );
      } finally {
        await server.stop();
      }
    },
    SERVER_START_TIMEOUT,
  );

  describe('switched on (RETAIN_WEBCHAT=on)', () => {
    let server: WebChatServer;
    beforeAll(async () => {
      server = await startWebChatServer({
        env,
        setting: 'on',
        secret: 'shop-backend-secret-of-at-least-32-chars',
      });
    }, SERVER_START_TIMEOUT);
    afterAll(() => server?.stop());

    it('offers only an anonymous visitor: nobody can pick the marketer or a customer', async () => {
      const body = (await (await fetch(`${server.url}/webchat/identities`)).json()) as {
        mode: string;
        identities: Identity[];
      };
      expect(body.mode).toBe('visitor');
      expect(body.identities.map((i) => i.key)).toEqual(['visitor']);
      expect((await fetch(`${server.url}/webchat/session`, json({ identity: 'marketer' }))).status).toBe(403);
      const customer = sql(server.store).prepare('SELECT external_id AS id FROM customers LIMIT 1').get() as {
        id: string;
      };
      expect(
        (await fetch(`${server.url}/webchat/session`, json({ identity: `customer:${customer.id}` }))).status,
      ).toBe(403);
    });

    it('answers a visitor through the bot in-process, while /api/messages still refuses unsigned requests', async () => {
      const s = await session(server.url, 'visitor');
      expect((await startConversation(server.url, s)).status).toBe(201);
      expect((await say(server.url, s, { text: 'hello' })).status).toBe(200);
      const texts = (await poll(server.url, s)).activities.map((a) => a.text);
      expect(texts[texts.length - 1]).toMatch(/Hello Visitor! How can I help\?/);

      const unsigned = await fetch(
        `${server.url}/api/messages`,
        json({
          type: 'message',
          channelId: 'webchat',
          serviceUrl: `${server.url}/webchat/connector`,
          conversation: { id: s.conversationId },
          from: { id: s.user.id },
          text: 'let me in',
        }),
      );
      expect(unsigned.status).toBe(401);
    });

    it('refuses replies posted to the connector stand-in without this server’s key', async () => {
      const s = await session(server.url, 'visitor');
      const res = await fetch(
        `${server.url}/webchat/connector/v3/conversations/${s.conversationId}/activities`,
        json({ type: 'message', text: 'fake bot message' }),
      );
      expect(res.status).toBe(401);
      expect((await poll(server.url, s)).activities.map((a) => a.text)).not.toContain('fake bot message');
    });

    it('gives a shop backend holding the secret a token for its user', async () => {
      const wrong = await fetch(
        `${server.url}/v3/directline/tokens/generate`,
        auth('nope', { method: 'POST' }),
      );
      expect(wrong.status).toBe(403);
      const res = await fetch(
        `${server.url}/v3/directline/tokens/generate`,
        auth('shop-backend-secret-of-at-least-32-chars', json({ user: { id: 'shop-user-42', name: 'Ada' } })),
      );
      expect(res.status).toBe(200);
      const issued = (await res.json()) as { token: string; conversationId: string };
      const s = { ...issued, user: { id: '', name: '' }, role: '', suggestions: [] };
      expect((await startConversation(server.url, s)).status).toBe(201);
      expect((await say(server.url, s, { text: 'hi' })).status).toBe(200);
      const echo = (await poll(server.url, s)).activities.find((a) => a.text === 'hi');
      // Ids vouched for by the shop's backend are marked as such, as Direct Line does.
      expect(echo?.from).toMatchObject({ id: 'dl_shop-user-42', name: 'Ada' });
    });
  });
});
