/**
 * The customer file format (`retain import customers`): one row per customer, columns recognised
 * from the header (case, spaces, `_`, `-` and `.` ignored; any order; extra columns ignored).
 * Only `customer_id` is required, with at least one other column; the smallest useful file is
 * `customer_id,email,marketing_consent`.
 */
import { HeaderError } from './formats';

export type CustomerField =
  | 'customerId'
  | 'email'
  | 'name'
  | 'country'
  | 'timeZone'
  | 'consent'
  | 'consentAt'
  | 'consentSource'
  | 'preferredChannel';

const ALIASES: Record<CustomerField, string[]> = {
  customerId: ['customerid'],
  email: ['email', 'emailaddress', 'customeremail'],
  name: ['name', 'customername', 'fullname'],
  country: ['country'],
  timeZone: ['timezone', 'customertimezone'],
  consent: ['marketingconsent', 'consent', 'emailconsent'],
  consentAt: ['consentat', 'consentdate', 'marketingconsentat'],
  consentSource: ['consentsource', 'marketingconsentsource'],
  preferredChannel: ['preferredchannel'],
};

/** Columns only an order file has: a clear word for the file given to the wrong command. */
const ORDER_COLUMNS = ['orderid', 'invoiceno', 'invoice', 'sku', 'stockcode', 'quantity'];

export type CustomerColumns = Partial<Record<CustomerField, number>>;

const normalise = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s_\-.]/g, '');

export function detectCustomerColumns(header: string[]): CustomerColumns {
  const names = header.map(normalise);
  if (names.some((n) => ORDER_COLUMNS.includes(n)))
    throw new HeaderError(
      `this is an order file (${header.join(',')}): import it with \`retain import orders\``,
    );
  const columns: CustomerColumns = {};
  for (const [field, aliases] of Object.entries(ALIASES) as Array<[CustomerField, string[]]>) {
    const index = names.findIndex((n) => aliases.includes(n));
    if (index >= 0) columns[field] = index;
  }
  const found = header.length ? header.join(',') : '(empty file)';
  if (columns.customerId === undefined || Object.keys(columns).length < 2) {
    throw new HeaderError(
      `unrecognised header: ${found}. Expected customer_id and at least one of email, name, country, ` +
        'time_zone, marketing_consent, consent_at, consent_source, preferred_channel ' +
        '(e.g. customer_id,email,marketing_consent)',
    );
  }
  return columns;
}
