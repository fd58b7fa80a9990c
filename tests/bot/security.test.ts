/**
 * The real server (startBot) over real HTTP with Bot Framework activity JSON and a stand-in for
 * the channel service: verification that cannot be guessed, erasure that erases (read back from
 * the raw bytes of the database file and its write-ahead log), questions only their addressee
 * can answer, and marketer rules on what Teams vouches for (the roster).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Channels } from 'botbuilder';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { startBot, type RunningBot } from '../../bot';
import { NOT_VERIFIED } from '../../dialogs/customer/verifyDialog';
import { KNOWN_CHANNELS } from '../../data/repositories/marketers';
import { tempDir } from '../support/files';
import { sql } from '../support/sql';
import { startChannelService, type ChannelReply, type RosterMember } from '../support/standIns';
import { EMAIL_CUSTOMER, REGULAR_CUSTOMER, openTestShop } from '../support/shop';

jest.setTimeout(120_000);

/** A customer who will ask to be forgotten; every value is distinctive, to be searched for in bytes. */
const ZELDA = {
  id: 'ZQ48213',
  email: 'zelda.quintrell@example.org',
  name: 'Zelda Quintrell',
  user: 'zq-user-77',
  conversation: 'conv-zq-77',
  orders: ['7310011', '7310012'],
};
/** A customer with an email on file, for the wording checks. */
const BOBBY = { id: 'BB55120', email: 'bobby@example.net', order: '7320011' };

const EXTRA_LINES = [
  `${ZELDA.orders[0]},${ZELDA.id},85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,2.95,2011-05-03T10:00:00Z,United Kingdom,${ZELDA.email}`,
  `${ZELDA.orders[0]},${ZELDA.id},22423,REGENCY CAKESTAND 3 TIER,2,12.75,2011-05-03T10:00:00Z,United Kingdom,${ZELDA.email}`,
  `${ZELDA.orders[1]},${ZELDA.id},20725,LUNCH BAG RED RETROSPOT,5,1.65,2011-06-11T09:00:00Z,United Kingdom,${ZELDA.email}`,
  `${BOBBY.order},${BOBBY.id},85123A,WHITE HANGING HEART T-LIGHT HOLDER,1,2.95,2011-05-20T10:00:00Z,United Kingdom,${BOBBY.email}`,
];

const TENANT = 'tenant-shop';
const MARKETER_OBJECT_ID = '6f0a2c1e-0000-4000-8000-00000000a11a';
const ROSTER = new Map<string, RosterMember | 'fail'>([
  ['29:mia-teams', { id: '29:mia-teams', name: 'Mia', userPrincipalName: 'Mia@Contoso-Shop.example' }],
  [
    '29:guest',
    // A guest from another tenant: the address after #EXT# is not vouched for by this tenant.
    {
      id: '29:guest',
      name: 'Guest',
      userPrincipalName: 'mia_contoso-shop.example#EXT#@other.onmicrosoft.com',
    },
  ],
  [
    '29:free-text',
    // The roster's "email" is free text an administrator can set; only the sign-in name counts.
    {
      id: '29:free-text',
      name: 'Free Text',
      email: 'boss@contoso-shop.example',
      userPrincipalName: 'ft@elsewhere.example',
    },
  ],
  ['29:roster-down', 'fail'],
]);

interface From {
  id: string;
  name?: string;
  aadObjectId?: string;
}

let nextId = 0;
function activity(serviceUrl: string, from: From, conversation: string, text: string, channelId: string) {
  return {
    type: 'message',
    id: `act-${++nextId}`,
    channelId,
    serviceUrl,
    conversation: { id: conversation, ...(channelId === 'msteams' ? { tenantId: TENANT } : {}) },
    from: { name: from.id, ...from },
    recipient: { id: 'retain-bot' },
    text,
  };
}

const replyText = (r: ChannelReply) =>
  [r.body.text ?? '', ...(r.body.attachments ?? []).map((a) => JSON.stringify(a.content))].join(' ');

describe('the real server: verification, erasure, shared conversations, Teams marketer rules', () => {
  const tmp = tempDir();
  const log = createLogger('silent');
  let channel: Awaited<ReturnType<typeof startChannelService>>;
  let bot: RunningBot;
  let dbFile: string;
  let modelsDir: string;

  beforeAll(async () => {
    const shop = await openTestShop(tmp.dir, {}, { extraLines: EXTRA_LINES });
    dbFile = shop.dbFile;
    modelsDir = shop.config.modelsDir;
    shop.store.marketers.add('channel_user', 'webchat:mia', 'test', 'test');
    shop.store.marketers.add('email_domain', 'contoso-shop.example', 'test', 'test');
    shop.store.marketers.add('aad_object', MARKETER_OBJECT_ID, 'test', 'test');
    shop.store.close();
    channel = await startChannelService({ roster: ROSTER });
    bot = await startBot({
      config: loadConfig({ RETAIN_MODELS_DIR: modelsDir, RETAIN_WEBCHAT: 'off' }),
      dbFile,
      port: 0,
      host: '127.0.0.1',
      log,
    });
  }, 180_000);
  afterAll(async () => {
    await bot?.stop();
    await channel?.close();
    tmp.cleanup();
  });

  async function say(
    from: From | string,
    conversation: string,
    text: string,
    channelId = 'webchat',
  ): Promise<string> {
    const who = typeof from === 'string' ? { id: from } : from;
    const before = channel.replies.length;
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(channel.url, who, conversation, text, channelId)),
    });
    expect(res.status).toBe(200);
    return channel.replies.slice(before).map(replyText).join('\n');
  }

  /** One verification attempt by a new chat user in a new conversation (a new web chat session). */
  async function attempt(user: string, invoice: string, email: string): Promise<string> {
    const conversation = `conv-${user}`;
    expect(await say(user, conversation, 'where is my order?')).toContain('number of one of your orders');
    expect(await say(user, conversation, invoice)).toContain('email address');
    return say(user, conversation, email);
  }

  const customerId = (externalId: string) => bot.store.orders.customerByExternal(externalId)!.id;
  const linkedTo = (id: number) =>
    sql(bot.store).prepare(`SELECT COUNT(*) AS n FROM chat_identities WHERE customer_id = ?`).get(id) as {
      n: number;
    };

  test('every failed verification gets the same answer: unknown order, no email on file, wrong email', async () => {
    const regularInvoice = bot.app.care.recentOrders(customerId(REGULAR_CUSTOMER), 1)[0].invoice;
    const answers = [
      await attempt('wording-1', '9999901', BOBBY.email),
      await attempt('wording-2', regularInvoice, 'someone@example.com'),
      await attempt('wording-3', BOBBY.order, 'not.bobby@example.net'),
    ];
    for (const answer of answers) expect(answer).toContain(NOT_VERIFIED);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).not.toMatch(/on file|don't match|no such order/i);
  });

  test("a guesser opening new sessions cannot take over a customer's link knowing only her email", async () => {
    const ada = customerId(EMAIL_CUSTOMER.id);
    const others = bot.store.orders
      .listCustomers()
      .slice(0, 6)
      .map((c) => bot.app.care.recentOrders(c.id, 1)[0]?.invoice)
      .filter((i): i is string => i !== undefined);
    // Order numbers that exist (other customers'), then ones that do not, then the right one.
    const guesses = [...others, '5000001', '5000002', '5000003', EMAIL_CUSTOMER.orders[0]];
    const answers: string[] = [];
    for (const [i, invoice] of guesses.entries())
      answers.push(await attempt(`guesser-${i}`, invoice, EMAIL_CUSTOMER.email));

    // Every answer is the same refusal, the right details included: the email was held by then.
    for (const answer of answers) expect(answer).toContain(NOT_VERIFIED);
    expect(linkedTo(ada).n).toBe(0);
    // The shop sees it where marketers look in chat.
    const list = await say('mia', 'conv-mia', 'handoffs');
    expect(list).toContain('Customers waiting for a person');
    expect(list).toContain(EMAIL_CUSTOMER.id);
    expect(list).toContain('Someone may be trying to take over their account');
    const locked = bot.store.audit.recent(200).filter((a) => a.action === 'verify_locked');
    expect(locked.some((a) => a.details.key === 'email' && a.subject === `customer:${ada}`)).toBe(true);
    // Nothing the guesser typed is kept readable: emails are only counted, as keyed hashes.
    const rows = sql(bot.store).prepare(`SELECT * FROM verify_attempts`).all();
    expect(JSON.stringify(rows)).not.toContain(EMAIL_CUSTOMER.email);
  });

  test('in a shared conversation only the person asked may answer "forget me"', async () => {
    const room = 'conv-shared-room';
    const alice = { id: 'alice-77', name: 'Alice' };
    const bob = { id: 'bob-77', name: 'Bob' };
    await say(bob, room, 'hello');
    const bobIdentity = bot.store.identities.byAccount('webchat', bob.id)!;
    bot.store.identities.linkCustomer(bobIdentity.id, customerId(REGULAR_CUSTOMER));

    expect(await say(alice, room, 'forget me')).toContain('Erase now?');
    const intruder = await say(bob, room, 'yes');
    expect(intruder).toContain("I'm waiting for Alice to answer my question");
    expect(bot.store.identities.byAccount('webchat', bob.id)?.customerId).toBe(customerId(REGULAR_CUSTOMER));
    expect(bot.store.identities.byAccount('webchat', alice.id)).toBeDefined();

    // Still open for Alice, who erases only herself.
    expect(await say(alice, room, 'yes')).toContain('your data is erased');
    expect(bot.store.identities.byAccount('webchat', alice.id)).toBeUndefined();
    expect(bot.store.identities.byAccount('webchat', bob.id)?.customerId).toBe(customerId(REGULAR_CUSTOMER));
    const regular = sql(bot.store)
      .prepare(`SELECT forgotten_at AS forgottenAt FROM customers WHERE external_id = ?`)
      .get(REGULAR_CUSTOMER) as { forgottenAt: string | null };
    expect(regular.forgottenAt).toBeNull();
  });

  test('forget me leaves nothing of the person in the database file, its WAL or the saved models', async () => {
    const who = { id: ZELDA.user, name: ZELDA.name };
    const feedback = 'The Quokka courier flung my parcel over the fence, dreadful and rude';
    const handoffText = 'I want to talk to a person about the quokka courier';
    expect(await say(who, ZELDA.conversation, 'where is my order?')).toContain(
      'number of one of your orders',
    );
    await say(who, ZELDA.conversation, ZELDA.orders[1]);
    expect(await say(who, ZELDA.conversation, ZELDA.email)).toContain(`verified as customer ${ZELDA.id}`);
    expect(await say(who, ZELDA.conversation, feedback)).toContain("I'm sorry");
    expect(await say(who, ZELDA.conversation, handoffText)).toMatch(/request #\d+/);

    const secrets = [ZELDA.email, ZELDA.name, ZELDA.id, ZELDA.user, ZELDA.conversation, 'Quokka', 'quokka'];
    const files = () => [dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f));
    const found = (values: string[], paths: string[]) =>
      values.filter((v) => paths.some((f) => fs.readFileSync(f).includes(Buffer.from(v, 'utf8'))));
    const modelFiles = () => fs.readdirSync(modelsDir).map((f) => path.join(modelsDir, f));
    // The search can fail: before the erasure every value is there.
    expect(found(secrets, files()).sort()).toEqual([...secrets].sort());
    expect(found([`"${ZELDA.id}"`], modelFiles())).toHaveLength(1);

    const revenue = () =>
      (
        sql(bot.store).prepare(`SELECT SUM(quantity * unit_price) AS total FROM order_lines`).get() as {
          total: number;
        }
      ).total;
    const revenueBefore = revenue();
    const topBefore = bot.app.reports.topProducts({}, 10);
    const picks = () => bot.app.recommendations.forExternalId(REGULAR_CUSTOMER, 5)!;
    const picksBefore = picks();
    expect(picksBefore.coldStart).toBe(false);
    const zelda = customerId(ZELDA.id);

    expect(await say(who, ZELDA.conversation, 'forget me')).toContain('Erase now?');
    expect(await say(who, ZELDA.conversation, 'yes')).toContain('your data is erased');
    const state = () =>
      sql(bot.store)
        .prepare(`SELECT key FROM bot_state WHERE key LIKE ?`)
        .all(`webchat/conversations/${ZELDA.conversation}%`);
    expect(state()).toEqual([]);
    // What the person sees next: a normal answer, not the erasure question again.
    const next = await say(who, ZELDA.conversation, 'how long does delivery take?');
    expect(next).toMatch(/working days/);
    expect(next).not.toMatch(/erase|yes or no/i);
    // That message made a new visitor (a new identity, new state): forgotten the same way.
    await say(who, ZELDA.conversation, 'forget me');
    expect(await say(who, ZELDA.conversation, 'yes')).toContain('your data is erased');
    expect(state()).toEqual([]);

    expect(found(secrets, files())).toEqual([]);
    expect(found([ZELDA.id], modelFiles())).toEqual([]);
    // The orders stay, for the shop's figures, under a random tombstone that names nobody.
    expect(revenue()).toBeCloseTo(revenueBefore, 6);
    expect(bot.app.reports.topProducts({}, 10)).toEqual(topBefore);
    const owners = sql(bot.store)
      .prepare(
        `SELECT DISTINCT c.id, c.external_id AS externalId, c.email, c.forgotten_at AS forgottenAt
           FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.external_id IN (?, ?)`,
      )
      .all(...ZELDA.orders) as Array<{
      id: number;
      externalId: string;
      email: string | null;
      forgottenAt: string;
    }>;
    expect(owners).toHaveLength(1);
    expect(owners[0]).toMatchObject({ id: zelda, email: null });
    expect(owners[0].externalId).toMatch(/^forgotten-[0-9a-f]{16}$/);
    expect(owners[0].forgottenAt).not.toBeNull();
    expect(linkedTo(zelda).n).toBe(0);
    // The pseudonym is not profiled again: the analytics train on customers retain may address.
    const profiled = [...bot.store.orders.iterateLines({ customersOnly: true })];
    expect(profiled.length).toBeGreaterThan(0);
    expect(profiled.some((l) => l.customerId === zelda)).toBe(false);
    // Everybody else's rows are intact in the rewritten model: the same picks, the same reasons.
    expect(picks()).toEqual(picksBefore);
    // The recommender in memory no longer knows the person either: a visitor's cold start.
    expect(bot.app.recommendations.forExternalId(ZELDA.id, 3)?.coldStart).toBe(true);
  });

  describe('marketer rules on what Teams vouches for', () => {
    const teams = (from: From, text: string) => say(from, `a:teams-${from.id}`, text, 'msteams');

    test('an email-domain rule matches the sign-in name from the Teams roster, looked up once', async () => {
      const before = channel.rosterCalls.length;
      const mia = { id: '29:mia-teams', name: 'Mia' };
      expect(await teams(mia, 'which segments do we have?')).toContain('Customer segments');
      expect(await teams(mia, 'list the at-risk customers')).toContain('Customers worth winning back');
      expect(channel.rosterCalls.slice(before)).toEqual(['29:mia-teams']);
      // A marketer's words are never a customer's complaint.
      const identity = bot.store.identities.byAccount('msteams', mia.id)!;
      const stored = sql(bot.store)
        .prepare(`SELECT COUNT(*) AS n FROM feedback WHERE chat_identity_id = ?`)
        .get(identity.id) as { n: number };
      expect(stored.n).toBe(0);
    });

    test.each([
      ['a guest account from another tenant', { id: '29:guest', name: 'Guest' }],
      ['a roster "email" field that is not the sign-in name', { id: '29:free-text', name: 'Free Text' }],
      ['a roster that cannot be read', { id: '29:roster-down', name: 'Down' }],
      ['someone not in the roster', { id: '29:stranger', name: 'Stranger' }],
    ])('%s is a customer', async (_name, from) => {
      const answer = await teams(from, 'which segments do we have?');
      expect(answer).toContain("only the shop's team");
      expect(answer).not.toContain('Customer segments');
    });

    test('an object-id rule matches on Teams only, whatever another channel claims', async () => {
      const claimed = { id: 'webchat-claimer', name: 'Claimer', aadObjectId: MARKETER_OBJECT_ID };
      expect(await say(claimed, 'conv-claimer', 'which segments do we have?')).toContain(
        "only the shop's team",
      );
      const real = { id: '29:object-id-user', name: 'Oona', aadObjectId: MARKETER_OBJECT_ID };
      expect(await teams(real, 'which segments do we have?')).toContain('Customer segments');
    });
  });
});

test("the channels a channel-user rule may name are botbuilder's channel ids", () => {
  expect([...KNOWN_CHANNELS].sort()).toEqual(Object.values(Channels).sort());
});
