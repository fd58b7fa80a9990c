/**
 * A small shop for the job tests, built through the real import and repositories: customers and
 * orders from a generic-format CSV, scores stored as `retain train` stores them, chat accounts
 * with saved conversation references pointing at a stand-in channel.
 */
import { sql } from '../support/sql';
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { importOrders } from '../../data/import/importOrders';
import { csvField, writeCsv } from '../support/files';

export interface OrderSpec {
  order: string;
  customer: string;
  at: string;
  sku?: string;
  description?: string;
  quantity?: number;
  price?: number;
  country?: string;
  timeZone?: string;
}

let fileCounter = 0;

/** Imports orders (generic format) into the database, product names quoted as a real export would. */
export async function importOrderSpecs(store: Store, dir: string, orders: OrderSpec[]): Promise<void> {
  const lines = [
    'order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country,customer_timezone',
  ];
  for (const o of orders) {
    lines.push(
      [
        o.order,
        o.customer,
        o.sku ?? '85123A',
        csvField(o.description ?? 'WHITE HANGING HEART T-LIGHT HOLDER'),
        o.quantity ?? 1,
        o.price ?? 10,
        o.at,
        o.country ?? 'United Kingdom',
        o.timeZone ?? '',
      ].join(','),
    );
  }
  const file = writeCsv(dir, `orders-${process.pid}-${fileCounter++}.csv`, lines);
  await importOrders(store, file, { timeZone: 'UTC' });
}

export async function openShop(dir: string, name: string, orders: OrderSpec[]): Promise<Store> {
  const store = openStore(path.join(dir, name));
  await importOrderSpecs(store, dir, orders);
  return store;
}

export function customerId(store: Store, external: string): number {
  const c = store.orders.customerByExternal(external);
  if (!c) throw new Error(`no customer ${external}`);
  return c.id;
}

export interface ScoreSpec {
  customer: string;
  churn: number;
  stage: string;
  segment?: string;
  clv?: number | null;
}

export function storeScores(store: Store, asOf: string, scores: ScoreSpec[]): void {
  store.scores.saveScores(
    asOf,
    null,
    scores.map((s) => ({
      customerId: customerId(store, s.customer),
      recencyDays: 100,
      frequency: 2,
      monetary: 50,
      rfmScore: '211',
      segment: s.segment ?? 'At risk',
      cluster: 0,
      churnProbability: s.churn,
      churnDrivers: [],
      pAlive: 1 - s.churn,
      expectedPurchases: 0.1,
      clv: s.clv ?? 20,
      stage: s.stage,
    })),
  );
}

/** The customer talked to the bot on `channelId`: a linked chat account and a saved reference. */
export function connect(
  store: Store,
  external: string,
  serviceUrl: string,
  options: { channelId?: string; tenantId?: string | null; at?: Date } = {},
): { conversationId: string } {
  const channelId = options.channelId ?? 'webchat';
  const conversationId = `conv-${external}`;
  const repo = store.identities;
  const identity = repo.seen(
    { channelId, channelUserId: `user-${external}`, role: 'customer' },
    {
      conversationId,
      serviceUrl,
      tenantId: options.tenantId ?? null,
      reference: {
        channelId,
        serviceUrl,
        conversation: { id: conversationId, tenantId: options.tenantId ?? undefined },
        user: { id: `user-${external}` },
        bot: { id: 'retain-bot' },
      },
    },
    options.at,
  );
  repo.linkCustomer(identity.id, customerId(store, external), options.at);
  return { conversationId };
}

/**
 * Consent is recorded by the customer dialogs (not in this library): tests set it directly.
 * The only SQL outside the repositories, and only in tests.
 */
export function setConsent(store: Store, external: string, state: 'granted' | 'denied' | 'withdrawn'): void {
  sql(store).prepare(`UPDATE customers SET consent_state = ? WHERE external_id = ?`).run(state, external);
}
