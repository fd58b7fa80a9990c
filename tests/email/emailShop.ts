/**
 * A small shop for the email tests, built through the real imports: orders (generic format),
 * scores as `retain train` stores them, contacts and consent through `importCustomers`, and
 * the email settings a shop would configure, pointing at a local SMTP server.
 */
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { importCustomers } from '../../data/import/importCustomers';
import { DEFAULT_JOBS_CONFIG, type JobsConfig } from '../../jobs/config';
import type { MailConfig } from '../../lib/mailConfig';
import { projectPath } from '../../lib/paths';
import { csvField, writeCsv } from '../support/files';
import { importOrderSpecs, storeScores } from '../jobs/shop';

export const SECRET = 'a-test-secret-of-at-least-32-characters!';
export const AS_OF = '2026-03-01T00:00:00.000Z';
/** 10:00 in London: outside quiet hours. */
export const NOW = new Date('2026-03-01T10:00:00.000Z');

export function mailConfig(smtpUrl: string, overrides: Partial<MailConfig> = {}): MailConfig {
  return {
    smtpUrl,
    from: { name: 'Shop & Co', address: 'news@shop.example' },
    replyTo: { name: 'Shop help', address: 'help@shop.example' },
    unsubscribe: { secret: SECRET, linkDays: 90, baseUrl: 'https://shop.example' },
    rate: { perSecond: 1000, burst: 1000 },
    templatesDir: projectPath('data', 'templates', 'email'),
    ...overrides,
  };
}

/** The jobs' defaults with email on, no control group and no quiet hours. */
export function jobsConfig(overrides: Partial<JobsConfig> = {}): JobsConfig {
  return {
    ...DEFAULT_JOBS_CONFIG,
    controlShare: 0,
    quietHours: null,
    channels: { ...DEFAULT_JOBS_CONFIG.channels, email: true },
    ...overrides,
  };
}

export interface CustomerSpec {
  id: string;
  email?: string;
  name?: string;
  consent?: 'yes' | 'no' | '';
  preferred?: 'chat' | 'email' | '';
  timeZone?: string;
  /** Product bought (for recommendations and escaping tests). */
  product?: { sku: string; description: string; price: number };
}

let files = 0;

/**
 * Customers who all crossed into win-back at AS_OF (churn 0.3 → 0.8), with the contact details
 * and consent given, imported as a shop would.
 */
export async function emailShop(dir: string, customers: CustomerSpec[]): Promise<Store> {
  const store = openStore(path.join(dir, `email-${process.pid}-${files++}.db`));
  await importOrderSpecs(
    store,
    dir,
    customers.map((c, i) => ({
      order: `o-${c.id}-${i}`,
      customer: c.id,
      at: '2025-10-05 10:00',
      sku: c.product?.sku,
      description: c.product?.description,
      price: c.product?.price,
      timeZone: c.timeZone,
    })),
  );
  storeScores(
    store,
    '2026-02-01T00:00:00.000Z',
    customers.map((c) => ({ customer: c.id, churn: 0.3, stage: 'active' })),
  );
  storeScores(
    store,
    AS_OF,
    customers.map((c) => ({ customer: c.id, churn: 0.8, stage: 'at risk' })),
  );
  const csv = [
    'customer_id,email,name,marketing_consent,preferred_channel',
    ...customers.map((c) =>
      [c.id, c.email ?? '', csvField(c.name ?? ''), c.consent ?? '', c.preferred ?? ''].join(','),
    ),
  ];
  await importCustomers(store, writeCsv(dir, `customers-${files++}.csv`, csv), { now: NOW });
  return store;
}

export const dbPath = (store: Store) => path.resolve(store.info().location);
