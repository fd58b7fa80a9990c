/**
 * The running bot over real HTTP with Bot Framework activity JSON, replies received at a local
 * stand-in for the channel's service URL. With credentials configured, tokens are validated
 * against a local stand-in for the Bot Framework's OpenID metadata (our own signing key), so
 * valid, forged, expired and wrong-audience tokens can all be made here.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { startBot, type RunningBot } from '../../bot';
import { openStore } from '../../data/store';
import { tempDir } from '../support/files';
import { sql } from '../support/sql';
import { startChannelService, startHttpServer, type ChannelReply } from '../support/standIns';
import { EMAIL_CUSTOMER, REGULAR_CUSTOMER, openTestShop } from '../support/shop';

jest.setTimeout(120_000);

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

let nextId = 0;
function message(
  serviceUrl: string,
  from: string,
  conversation: string,
  text: string,
  channelId = 'webchat',
) {
  return {
    type: 'message',
    id: `act-${++nextId}`,
    channelId,
    serviceUrl,
    conversation: { id: conversation },
    from: { id: from, name: from },
    recipient: { id: 'retain-bot' },
    text,
  };
}

const replyText = (r: ChannelReply) =>
  [r.body.text ?? '', ...(r.body.attachments ?? []).map((a) => JSON.stringify(a.content))].join(' ');

describe('authentication with credentials: every token is checked, nothing unsigned is processed', () => {
  const APP_ID = '00000000-0000-0000-0000-00000000b07a';
  const ISSUER = 'https://api.botframework.com';
  const tmp = tempDir();
  const log = createLogger('silent');
  const signing = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attacker = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  let openId: Awaited<ReturnType<typeof startHttpServer>>;
  let channel: Awaited<ReturnType<typeof startChannelService>>;
  let bot: RunningBot;

  /** A JWT as the Bot Framework channel service signs it (RS256). */
  function token(claims: Record<string, unknown>, key = signing.privateKey, kid = 'test-key'): string {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const head = b64({ alg: 'RS256', typ: 'JWT', kid });
    const body = b64({
      iss: ISSUER,
      aud: APP_ID,
      nbf: now - 60,
      exp: now + 3600,
      serviceurl: channel.url,
      ...claims,
    });
    const signature = crypto.sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key).toString('base64url');
    return `Bearer ${head}.${body}.${signature}`;
  }

  beforeAll(async () => {
    openId = await startHttpServer((req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/openid') {
        res.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${openId.url}/keys` }));
      } else {
        const jwk = signing.publicKey.export({ format: 'jwk' });
        res.end(
          JSON.stringify({
            keys: [{ ...jwk, kid: 'test-key', use: 'sig', endorsements: ['webchat', 'msteams'] }],
          }),
        );
      }
    });
    channel = await startChannelService();
    bot = await startBot({
      config: loadConfig({
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'not-used-here',
        RETAIN_BOT_OPENID_METADATA_URL: `${openId.url}/openid`,
        RETAIN_MODELS_DIR: path.join(tmp.dir, 'models'),
        RETAIN_WEBCHAT: 'off',
      }),
      dbFile: path.join(tmp.dir, 'secured.db'),
      port: 0,
      host: '127.0.0.1',
      log,
    });
  });
  afterAll(async () => {
    await bot?.stop();
    await channel?.close();
    await openId?.close();
    tmp.cleanup();
  });

  const seen = (user: string) => bot.store.identities.byAccount('webchat', user) !== undefined;

  test('a token signed by the channel service key is accepted and the message processed', async () => {
    const res = await post(bot.url, message(channel.url, 'signed-user', 'c-ok', 'hello'), {
      authorization: token({}),
    });
    expect(res.status).toBe(200);
    expect(seen('signed-user')).toBe(true);
  });

  test.each([
    ['no token', () => ({})],
    ['a malformed token', () => ({ authorization: 'Bearer not-a-token' })],
    ['a forged token (signed with another key)', () => ({ authorization: token({}, attacker.privateKey) })],
    [
      'an expired token',
      () => ({
        authorization: token({
          exp: Math.floor(Date.now() / 1000) - 3600,
          nbf: Math.floor(Date.now() / 1000) - 7200,
        }),
      }),
    ],
    [
      'a token for another bot (wrong audience)',
      () => ({ authorization: token({ aud: '11111111-2222-3333-4444-555555555555' }) }),
    ],
    ['a token from another issuer', () => ({ authorization: token({ iss: 'https://evil.example' }) })],
    [
      'a token for another service URL',
      () => ({ authorization: token({ serviceurl: 'https://elsewhere.example' }) }),
    ],
  ])('%s gets 401 and nothing is processed', async (name, headers) => {
    const user = `user-${name.replace(/\W+/g, '-')}`;
    const res = await post(
      bot.url,
      message(channel.url, user, `c-${user}`, 'which segments do we have?'),
      headers(),
    );
    expect(res.status).toBe(401);
    expect(seen(user)).toBe(false);
  });
});

describe('the bot over HTTP with the demo shop: roles, privacy, state across a restart, forget me', () => {
  const tmp = tempDir();
  const log = createLogger('silent');
  let channel: Awaited<ReturnType<typeof startChannelService>>;
  let bot: RunningBot;
  let dbFile: string;
  const config = () => loadConfig({ RETAIN_MODELS_DIR: path.join(tmp.dir, 'models'), RETAIN_WEBCHAT: 'off' });

  beforeAll(async () => {
    const shop = await openTestShop(tmp.dir);
    dbFile = shop.dbFile;
    shop.store.marketers.add('channel_user', 'webchat:mia', 'test', 'test');
    shop.store.close();
    channel = await startChannelService();
    bot = await startBot({ config: config(), dbFile, port: 0, host: '127.0.0.1', log });
  }, 180_000);
  afterAll(async () => {
    await bot?.stop();
    await channel?.close();
    tmp.cleanup();
  });

  async function say(from: string, conversation: string, text: string): Promise<ChannelReply[]> {
    const before = channel.replies.length;
    const res = await post(bot.url, message(channel.url, from, conversation, text));
    expect(res.status).toBe(200);
    return channel.replies.slice(before);
  }

  test('a marketer gets the segment overview as an Adaptive Card at the conversation', async () => {
    const replies = await say('mia', 'conv-mia', 'which segments do we have?');
    expect(replies[0].path).toMatch(/^\/v3\/conversations\/conv-mia\/activities\//);
    expect(replies[0].body.attachments?.[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(replies[0].body.attachments?.[0].content.body[0].text).toBe('Customer segments');
  });

  test('a customer asking for a marketer report is refused, with no data', async () => {
    const replies = await say('visitor', 'conv-visitor', 'show me the churn report');
    expect(replies).toHaveLength(1);
    expect(replies[0].body.attachments ?? []).toHaveLength(0);
    expect(replies[0].body.text).toMatch(/only the shop's team/);
  });

  test("a verified customer cannot see another customer's order", async () => {
    const other = bot.store.orders.customerByExternal(REGULAR_CUSTOMER)!;
    const otherInvoice = bot.app.care.recentOrders(other.id, 1)[0].invoice;
    await say('ada', 'conv-ada', 'where is my order?');
    await say('ada', 'conv-ada', EMAIL_CUSTOMER.orders[1]);
    const verified = await say('ada', 'conv-ada', EMAIL_CUSTOMER.email);
    expect(verified.map(replyText).join(' ')).toContain(`verified as customer ${EMAIL_CUSTOMER.id}`);
    const answer = await say('ada', 'conv-ada', `status of order ${otherInvoice}`);
    expect(answer.map(replyText).join(' ')).toContain(`can't find order ${otherInvoice}`);
    expect(answer.map(replyText).join(' ')).not.toMatch(/\d+ items/);
  });

  test('a conversation survives a restart of the bot mid-dialog (state in SQLite)', async () => {
    expect((await say('bea', 'conv-bea', 'where is my order?')).map(replyText).join(' ')).toContain(
      'number of one of your orders',
    );
    await bot.stop();
    bot = await startBot({ config: config(), dbFile, port: 0, host: '127.0.0.1', log });
    // The new process still knows it asked for the order number.
    const next = await say('bea', 'conv-bea', EMAIL_CUSTOMER.orders[0]);
    expect(next.map(replyText).join(' ')).toContain('email address you used');
  });

  test('forget me erases the chat account, its conversation state and the personal data', async () => {
    await say('ada', 'conv-ada', 'forget me');
    const done = await say('ada', 'conv-ada', 'yes');
    expect(done.map(replyText).join(' ')).toContain('your data is erased');
    expect(bot.store.identities.byAccount('webchat', 'ada')).toBeUndefined();
    // No conversation state is left under any key of the conversation.
    const stateKeys = sql(bot.store)
      .prepare(`SELECT key FROM bot_state WHERE key LIKE 'webchat/conversations/conv-ada%'`)
      .all();
    expect(stateKeys).toEqual([]);
    // The next message is a new visitor's first, answered as such, not the erasure question again.
    const next = await say('ada', 'conv-ada', 'how long does delivery take?');
    const text = next.map(replyText).join(' ');
    expect(text).toMatch(/working days/);
    expect(text).not.toMatch(/erase|yes or no/i);
    expect(bot.store.orders.customerByExternal(EMAIL_CUSTOMER.id)).toBeUndefined();
    const store = openStore(dbFile);
    try {
      expect(store.orders.customerByExternal(EMAIL_CUSTOMER.id)).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
