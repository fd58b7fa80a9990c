/**
 * `retain import customers`: contact details and marketing consent, on the order import's rules
 * (one transaction, idempotent, --strict, a reason per bad row), through the real CLI where the
 * user would use it.
 */
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { importCustomers } from '../../data/import/importCustomers';
import { ImportError } from '../../data/import/importOrders';
import { tempDir, writeCsv } from '../support/files';
import { runCli } from '../support/cli';
import { sql } from '../support/sql';
import { customerId } from '../jobs/shop';
import { importOrderSpecs } from '../jobs/shop';

const NOW = new Date('2026-03-01T10:00:00.000Z');

describe('importing customers: contacts and consent', () => {
  const tmp = tempDir();
  let store: Store;
  let n = 0;
  afterAll(() => tmp.cleanup());
  beforeEach(async () => {
    store = openStore(path.join(tmp.dir, `customers-${n++}.db`));
    await importOrderSpecs(store, tmp.dir, [
      { order: 'o1', customer: '17850', at: '2025-10-05 10:00' },
      { order: 'o2', customer: '12347', at: '2025-10-05 11:00' },
    ]);
  });
  afterEach(() => store.close());

  const file = (lines: string[]) => writeCsv(tmp.dir, `c-${n}-${Math.random()}.csv`, lines);
  const contact = (external: string) => store.contacts.contact(customerId(store, external))!;
  /** Everything the import may touch, to compare before and after. */
  const snapshot = () => {
    const db = sql(store);
    return JSON.stringify([
      db.prepare('SELECT * FROM customers ORDER BY id').all(),
      db.prepare('SELECT customer_id, name, preferred_channel, consent_source FROM customer_contacts').all(),
    ]);
  };

  it('reads the smallest file (customer_id,email,marketing_consent) and records consent', async () => {
    const summary = await importCustomers(
      store,
      file(['customer_id,email,marketing_consent', '17850,Anna@Example.com,yes', '12347,bo@example.com,no']),
      { now: NOW },
    );
    expect(summary).toMatchObject({ rowsRead: 2, created: 0, updated: 2, unchanged: 0, errorCount: 0 });
    expect(summary.consent).toEqual({ granted: 1, denied: 1 });
    expect(contact('17850')).toMatchObject({
      email: 'anna@example.com',
      consentState: 'granted',
      consentUpdatedAt: NOW.toISOString(),
    });
    expect(contact('12347')).toMatchObject({ consentState: 'denied' });
  });

  it('reads every column, creates customers the orders do not know, and a second import changes nothing', async () => {
    const lines = [
      'Customer ID,E-mail,Name,Country,Time Zone,Marketing Consent,Consent At,Consent Source,Preferred Channel',
      '17850.0,anna@example.com,"Anna  Smith",United Kingdom,Europe/London,Yes,2024-05-01 12:00,checkout checkbox,email',
      '99999,new@example.com,New Person,Germany,Europe/Berlin,no,2024-06-01T08:00:00Z,"newsletter form, footer",chat',
    ];
    const first = await importCustomers(store, file(lines), { now: NOW, timeZone: 'Europe/London' });
    expect(first).toMatchObject({ created: 1, updated: 1, unchanged: 0 });
    expect(contact('17850')).toMatchObject({
      email: 'anna@example.com',
      name: 'Anna Smith',
      preferredChannel: 'email',
      consentState: 'granted',
      consentUpdatedAt: '2024-05-01T11:00:00.000Z', // 12:00 in London, summer time
      consentSource: 'checkout checkbox',
    });
    expect(contact('99999')).toMatchObject({
      email: 'new@example.com',
      consentState: 'denied',
      consentSource: 'newsletter form, footer',
      preferredChannel: 'chat',
    });
    const before = snapshot();
    const again = await importCustomers(store, file(lines), { now: new Date(NOW.getTime() + 86_400_000) });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(snapshot()).toBe(before);
    expect(store.audit.recent(1)[0]).toMatchObject({ action: 'import.customers', actor: 'cli' });
  });

  it('an empty cell leaves what is known; a later file can change consent, and says when', async () => {
    await importCustomers(
      store,
      file(['customer_id,email,marketing_consent', '17850,anna@example.com,yes']),
      {
        now: NOW,
      },
    );
    const later = new Date(NOW.getTime() + 3 * 86_400_000);
    await importCustomers(store, file(['customer_id,name,marketing_consent', '17850,Anna,']), { now: later });
    expect(contact('17850')).toMatchObject({
      email: 'anna@example.com',
      name: 'Anna',
      consentState: 'granted',
    });
    await importCustomers(store, file(['customer_id,marketing_consent', '17850,no']), { now: later });
    expect(contact('17850')).toMatchObject({ consentState: 'denied', consentUpdatedAt: later.toISOString() });
  });

  it('lists every bad row with its line and reason and imports the good ones', async () => {
    const summary = await importCustomers(
      store,
      file([
        'customer_id,email,marketing_consent,consent_at,time_zone,preferred_channel',
        '17850,anna@example.com,yes,,,',
        '12347,"a@x.com,b@y.com",yes,,,',
        '12347,not an address,yes,,,',
        '12347,bo@example.com,maybe,,,',
        '12347,bo@example.com,yes,2030-01-01,,',
        '12347,bo@example.com,yes,yesterday,,',
        '12347,bo@example.com,yes,,Mars/Olympus,',
        '12347,bo@example.com,yes,,,sms',
        ',bo@example.com,yes,,,',
        '12347,bo@example.com,,2024-01-01,,',
      ]),
      { now: NOW },
    );
    expect(summary.updated).toBe(1);
    expect(summary.errors).toEqual([
      { line: 3, reason: "email 'a@x.com,b@y.com' is not an email address" },
      { line: 4, reason: "email 'not an address' is not an email address" },
      { line: 5, reason: "marketing consent 'maybe' is not yes or no" },
      { line: 6, reason: "consent date '2030-01-01' is in the future" },
      { line: 7, reason: "consent date 'yesterday' is not a date we can read" },
      { line: 8, reason: "time zone 'Mars/Olympus' is not an IANA time zone" },
      { line: 9, reason: "preferred channel 'sms' is not chat or email" },
      { line: 10, reason: 'missing customer id' },
      { line: 11, reason: 'consent date or source without marketing_consent (yes or no)' },
    ]);
    expect(contact('12347')).toMatchObject({ email: null, consentState: 'unknown' });
  });

  it('--strict: one bad row and nothing is written', async () => {
    const before = snapshot();
    const failure = await importCustomers(
      store,
      file(['customer_id,email,marketing_consent', '17850,anna@example.com,yes', '12347,bo@,yes']),
      { strict: true, now: NOW },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ImportError);
    expect((failure as ImportError).message).toMatch(
      /--strict: 1 row\(s\).*line 3: email 'bo@' is not an email address/,
    );
    expect(snapshot()).toBe(before);
  });

  it('a wrong file is an error and writes nothing: an order file, an unknown header, an empty file', async () => {
    const before = snapshot();
    await expect(
      importCustomers(
        store,
        file(['order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country']),
      ),
    ).rejects.toThrow(/this is an order file.*retain import orders/);
    await expect(importCustomers(store, file(['customer_id']))).rejects.toThrow(/unrecognised header/);
    await expect(importCustomers(store, file(['id,mail']))).rejects.toThrow(/Expected customer_id/);
    await expect(importCustomers(store, writeCsv(tmp.dir, 'empty.csv', []))).rejects.toThrow(ImportError);
    expect(snapshot()).toBe(before);
  });

  it('never writes a forgotten customer again, and never undoes an unsubscribe', async () => {
    await importCustomers(
      store,
      file([
        'customer_id,email,name,marketing_consent',
        '17850,anna@example.com,Anna,yes',
        '12347,bo@example.com,Bo,yes',
      ]),
      { now: NOW },
    );
    const anna = customerId(store, '17850');
    store.optOuts.optOut(anna, 'unsubscribed by the link in an email', null, NOW);
    // Bo asks the bot to forget him: the erasure marks the row, and his contact details go with it.
    const bo = customerId(store, '12347');
    const identity = store.identities.seen(
      { channelId: 'webchat', channelUserId: 'bo', role: 'customer' },
      { conversationId: 'c', serviceUrl: 'http://127.0.0.1:9', reference: {} },
    );
    store.identities.linkCustomer(identity.id, bo);
    store.erasure.forgetIdentity(identity.id);
    // The record is pseudonymised: nothing is known by his id any more.
    expect(store.orders.customerByExternal('12347')).toBeUndefined();
    expect(store.contacts.contact(bo)).toMatchObject({
      name: null,
      email: null,
      forgottenAt: expect.any(String),
    });

    const summary = await importCustomers(
      store,
      file([
        'customer_id,email,name,marketing_consent',
        '12347,bo@example.com,Bo,yes',
        '17850,anna@example.com,Anna,yes',
      ]),
      { now: NOW },
    );
    // An old export does not bring him back: his address is known to be erased (as a hash only).
    expect(summary).toMatchObject({ skipped: { forgotten: 1 }, unchanged: 1 });
    expect(store.orders.customerByExternal('12347')).toBeUndefined();
    expect(store.contacts.contact(bo)).toMatchObject({ email: null, name: null, consentState: 'withdrawn' });
    expect(store.contacts.suppression('BO@example.com')).toMatchObject({ reason: 'erased' });
    // Re-importing consent does not lift Anna's unsubscribe.
    expect(store.optOuts.isOptedOut(anna, 'email')).toBe(true);
  });

  it('through the command line: a summary, --json, and --strict exiting non-zero', async () => {
    const db = path.join(tmp.dir, `cli-${n}.db`);
    const good = file(['customer_id,email,marketing_consent', '17850,anna@example.com,yes', '1,x,yes']);
    const text = await runCli(['import', 'customers', good, '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/new customers: 1/);
    expect(text.stdout).toMatch(/consent: +1 yes, 0 no/);
    expect(text.stdout).toMatch(/line 3: email 'x' is not an email address/);
    const json = await runCli(['import', 'customers', good, '--db', db, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ created: 0, unchanged: 1, errorCount: 1 });
    const strict = await runCli(['import', 'customers', good, '--db', db, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/--strict: 1 row\(s\) could not be read; nothing was imported/);
  });
});
