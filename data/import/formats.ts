/**
 * The order file formats we read, recognised from the header row.
 *
 * 1. UCI Online Retail: InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
 *    (and the Online Retail II spellings Invoice, Price, Customer ID).
 * 2. retain's generic format: order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country
 *    with optional customer_email and customer_timezone columns.
 *
 * Header names are compared case-insensitively, ignoring spaces, underscores and dashes.
 */

export type FormatName = 'online-retail' | 'generic';

export type Field =
  | 'orderId'
  | 'customerId'
  | 'sku'
  | 'description'
  | 'quantity'
  | 'unitPrice'
  | 'orderedAt'
  | 'country'
  | 'customerEmail'
  | 'customerTimeZone';

interface FormatSpec {
  name: FormatName;
  /** For each field, the header spellings that mean it. */
  aliases: Partial<Record<Field, string[]>>;
  required: Field[];
}

const FORMATS: FormatSpec[] = [
  {
    name: 'online-retail',
    aliases: {
      orderId: ['invoiceno', 'invoice'],
      sku: ['stockcode'],
      description: ['description'],
      quantity: ['quantity'],
      orderedAt: ['invoicedate'],
      unitPrice: ['unitprice', 'price'],
      customerId: ['customerid'],
      country: ['country'],
    },
    required: [
      'orderId',
      'sku',
      'description',
      'quantity',
      'orderedAt',
      'unitPrice',
      'customerId',
      'country',
    ],
  },
  {
    name: 'generic',
    aliases: {
      orderId: ['orderid'],
      customerId: ['customerid'],
      sku: ['sku'],
      description: ['description'],
      quantity: ['quantity'],
      unitPrice: ['unitprice'],
      orderedAt: ['orderedat'],
      country: ['country'],
      customerEmail: ['customeremail', 'email'],
      customerTimeZone: ['customertimezone', 'timezone'],
    },
    required: [
      'orderId',
      'customerId',
      'sku',
      'description',
      'quantity',
      'unitPrice',
      'orderedAt',
      'country',
    ],
  },
];

export interface DetectedFormat {
  name: FormatName;
  /** Column index of each field present in the file. */
  columns: Partial<Record<Field, number>>;
}

export class HeaderError extends Error {}

const normalise = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s_\-.]/g, '');

export function detectFormat(header: string[]): DetectedFormat {
  const names = header.map(normalise);
  const misses: string[] = [];
  for (const spec of FORMATS) {
    const columns: Partial<Record<Field, number>> = {};
    for (const [field, aliases] of Object.entries(spec.aliases) as Array<[Field, string[]]>) {
      const index = names.findIndex((n) => aliases.includes(n));
      if (index >= 0) columns[field] = index;
    }
    const missing = spec.required.filter((f) => columns[f] === undefined);
    // A format is recognised by its distinctive columns; then every required one must be there.
    const distinctive =
      spec.name === 'online-retail' ? columns.sku !== undefined : columns.orderedAt !== undefined;
    if (distinctive && missing.length === 0) return { name: spec.name, columns };
    if (distinctive)
      misses.push(`${spec.name} format is missing ${missing.map((f) => spec.aliases[f]![0]).join(', ')}`);
  }
  const found = header.length ? header.join(',') : '(empty file)';
  const detail = misses.length ? `; ${misses.join('; ')}` : '';
  throw new HeaderError(
    `unrecognised header: ${found}${detail}. Expected Online Retail ` +
      `(InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country) or generic ` +
      `(order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country[,customer_email,customer_timezone])`,
  );
}
