import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { openStore, type Store } from '../../data/store';
import { importOrders, ImportError } from '../../data/import/importOrders';
import { type OrderLineRecord } from '../../data/repositories/orderHistory';
import { tempDir, writeCsv } from '../support/files';
import { describeWithShared, onlineRetailFile } from '../support/sharedData';
import { describeEachEngine } from '../support/engines';

const ONLINE_RETAIL_HEADER =
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

/** One row per dirty-data rule of the Online Retail export; comments name the rule. */
const DIRTY_ROWS = [
  ONLINE_RETAIL_HEADER,
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom', // float id
  '536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom',
  '536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom', // duplicate line
  'C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom', // cancellation of a discount
  'C536380,71053,WHITE METAL LANTERN,-2,12/1/2010 9:49,3.39,17850,United Kingdom', // cancellation of goods
  '536381,POST,POSTAGE,3,12/1/2010 9:45,18,12583,France', // non-product code
  '536381,BANK CHARGES,Bank Charges,1,12/1/2010 9:45,15,12583,France',
  '536382,22139,,5,12/1/2010 9:50,4.25,,United Kingdom', // guest checkout, empty description
  '536383,21733,damaged,-10,12/1/2010 10:00,0,,United Kingdom', // stock write-off
  '536384,22423,,12,12/1/2010 10:05,0,,United Kingdom', // zero price, no customer
  'A563185,B,Adjust bad debt,1,8/12/2011 14:50,11062.06,,United Kingdom', // accounting entry
  '536385,22423,REGENCY CAKESTAND 3 TIER,-2,12/2/2010 10:00,12.75,13047,Unspecified', // return
  '536386,22423,REGENCY CAKESTAND 3 TIER,2,13/2/2010 10:00,12.75,13047,United Kingdom', // bad date
  '536387,22423,REGENCY CAKESTAND 3 TIER,two,12/2/2010 10:00,12.75,13047,United Kingdom', // bad quantity
  '536388,22423,REGENCY CAKESTAND 3 TIER,1,12/2/2010 10:00,-12.75,13047,United Kingdom', // negative price
  '536389,22633,HAND WARMER UNION JACK,6,12/2/2010 11:00,1.85,13047,United Kingdom',
  '536390,85123a,WHITE HANGING HEART T-LIGHT HOLDER,1,12/2/2010 11:00,2.55,13047,United Kingdom', // lower-case code
];

describeEachEngine('order import', (engine) => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = tempDir();
    store = openStore(engine.location());
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  const lines = (): OrderLineRecord[] => [...store.orders.iterateLines()];
  const extent = () => store.orders.dataExtent();

  describe('Online Retail format with dirty rows', () => {
    it('applies every rule and reports skips and errors by reason and line number', async () => {
      const file = writeCsv(tmp.dir, 'dirty.csv', DIRTY_ROWS);
      const summary = await importOrders(store, file);

      expect(summary.format).toBe('online-retail');
      expect(summary.rowsRead).toBe(DIRTY_ROWS.length - 1);
      expect(summary.skipped).toEqual({
        duplicate_line: 1,
        stock_adjustment: 1,
        no_price_no_customer: 1,
        accounting_adjustment: 1,
      });
      // Line numbers are those of the file (header is line 1).
      expect(summary.errors.map((e) => e.line)).toEqual([14, 15, 16]);
      expect(summary.errors[0].reason).toMatch(/date '13\/2\/2010 10:00'/);
      expect(summary.errors[1].reason).toMatch(/quantity 'two'/);
      expect(summary.errors[2].reason).toMatch(/negative/);
      expect(summary.imported).toBe(10);
      expect(summary.created).toEqual({ orders: 8, orderLines: 10, customers: 4, products: 8 });

      const all = lines();
      const byOrder = (id: string) => all.filter((l) => l.orderExternalId === id);
      // Cancellations are kept with negative quantities, not dropped.
      expect(byOrder('C536379')).toMatchObject([
        { orderKind: 'cancellation', quantity: -1, productKind: 'discount' },
      ]);
      expect(byOrder('C536380')).toMatchObject([
        { orderKind: 'cancellation', quantity: -2, productKind: 'product' },
      ]);
      // A customer's negative quantity on an ordinary invoice is a return.
      expect(byOrder('536385')).toMatchObject([{ orderKind: 'return', quantity: -2, country: null }]);
      // Guest checkout: the order is kept, with no customer.
      expect(byOrder('536382')).toMatchObject([{ customerId: null, orderKind: 'purchase', quantity: 5 }]);
      // Non-product codes are kept and marked.
      expect(
        byOrder('536381')
          .map((l) => l.productKind)
          .sort(),
      ).toEqual(['fee', 'postage']);

      const customers = store.orders
        .listCustomers()
        .map((c) => c.externalId)
        .sort();
      expect(customers).toEqual(['12583', '13047', '14527', '17850']); // '17850.0' became '17850'
      const products = store.orders.listProducts();
      expect(products.find((p) => p.sku === '22139')?.description).toBeNull();
      // '85123a' is the same product as '85123A'.
      expect(products.filter((p) => p.sku.toUpperCase() === '85123A').map((p) => p.sku)).toEqual(['85123A']);
      // The write-off note "damaged" never named a product: that line was skipped.
      expect(products.find((p) => p.sku === '21733')).toBeUndefined();
    });

    it('counts line numbers across blank lines and quoted fields spanning lines', async () => {
      const file = writeCsv(tmp.dir, 'multiline.csv', [
        ONLINE_RETAIL_HEADER,
        '',
        '536365,85123A,"WHITE HANGING HEART',
        'T-LIGHT HOLDER",6,12/1/2010 8:26,2.55,17850,United Kingdom',
        '536366,22633,HAND WARMER,x,12/1/2010 8:28,1.85,17851,United Kingdom',
      ]);
      const summary = await importOrders(store, file);
      expect(summary.imported).toBe(1);
      expect(summary.errors).toEqual([{ line: 5, reason: expect.stringMatching(/quantity 'x'/) }]);
    });

    it('reads timestamps as shop-local time (Europe/London by default) and stores UTC', async () => {
      const file = writeCsv(tmp.dir, 'summer.csv', [
        ONLINE_RETAIL_HEADER,
        '540001,22423,REGENCY CAKESTAND 3 TIER,1,6/15/2011 10:30,12.75,13047,United Kingdom',
        '540002,22423,REGENCY CAKESTAND 3 TIER,1,1/15/2011 10:30,12.75,13047,United Kingdom',
      ]);
      await importOrders(store, file);
      const times = lines().map((l) => l.orderedAt);
      expect(times).toEqual(['2011-01-15T10:30:00.000Z', '2011-06-15T09:30:00.000Z']);
    });

    it('is idempotent: importing the same file again adds nothing', async () => {
      const file = writeCsv(tmp.dir, 'dirty.csv', DIRTY_ROWS);
      const first = await importOrders(store, file);
      const before = extent();
      const second = await importOrders(store, file);
      expect(second.imported).toBe(0);
      expect(second.skipped.already_imported).toBe(first.imported);
      expect(second.created).toEqual({ orders: 0, orderLines: 0, customers: 0, products: 0 });
      expect(extent()).toEqual(before);
    });

    it('adds only the new lines of an overlapping later export', async () => {
      await importOrders(store, writeCsv(tmp.dir, 'a.csv', DIRTY_ROWS.slice(0, 6)));
      const summary = await importOrders(store, writeCsv(tmp.dir, 'b.csv', DIRTY_ROWS));
      expect(summary.skipped.already_imported).toBe(4);
      expect(extent().orderLines).toBe(10);
    });
  });

  it('reads the Online Retail II spellings (Invoice, Price, Customer ID) and ISO dates', async () => {
    const file = writeCsv(tmp.dir, 'ii.csv', [
      'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country',
      '489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom',
      'C489449,22087,PAPER BUNTING WHITE LACE,-12,2009-12-01 10:33:00,2.95,16321.0,Australia',
    ]);
    const summary = await importOrders(store, file);
    expect(summary).toMatchObject({ format: 'online-retail', imported: 2, errorCount: 0 });
    expect(lines()).toMatchObject([
      { orderExternalId: '489434', orderedAt: '2009-12-01T07:45:00.000Z', quantity: 12 },
      { orderExternalId: 'C489449', orderKind: 'cancellation', quantity: -12, country: 'Australia' },
    ]);
  });

  describe('generic format', () => {
    const HEADER =
      'order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country,customer_email,customer_timezone';

    it('imports orders with offsets, emails and time zones, and validates them', async () => {
      const file = writeCsv(tmp.dir, 'generic.csv', [
        HEADER,
        'W-1001,c-42,MUG-RED,"Red mug, large",2,9.5,2024-03-05T14:00:00+01:00,Germany,Anna@Example.com,Europe/Berlin',
        'W-1001,c-42,POST,Shipping,1,4.9,2024-03-05T14:00:00+01:00,Germany,,',
        'W-1002,,MUG-RED,"Red mug, large",1,9.5,2024-03-06T08:00:00Z,Germany,,',
        'W-1003,c-43,MUG-RED,"Red mug, large",-1,9.5,2024-03-07T08:00:00Z,France,,',
        'W-1004,c-44,MUG-RED,Red mug,1,9.5,2024-03-07T08:00:00Z,France,not-an-email,',
        'W-1005,c-45,MUG-RED,Red mug,1,9.5,2024-03-07T08:00:00Z,France,,Mars/Olympus',
      ]);
      const summary = await importOrders(store, file);
      expect(summary.format).toBe('generic');
      expect(summary.imported).toBe(4);
      expect(summary.errors).toEqual([
        { line: 6, reason: expect.stringMatching(/email/) },
        { line: 7, reason: expect.stringMatching(/time zone/) },
      ]);
      expect(lines()).toMatchObject([
        { orderExternalId: 'W-1001', orderedAt: '2024-03-05T13:00:00.000Z', productKind: 'product' },
        { orderExternalId: 'W-1001', productKind: 'postage' },
        { orderExternalId: 'W-1002', customerId: null },
        { orderExternalId: 'W-1003', orderKind: 'return', quantity: -1 },
      ]);
      const anna = store.orders.customerByExternal('c-42');
      expect(anna).toMatchObject({
        email: 'anna@example.com',
        timeZone: 'Europe/Berlin',
        country: 'Germany',
      });
    });

    it('reads a gzip-compressed file whatever its name', async () => {
      const file = writeCsv(
        tmp.dir,
        'orders.dat',
        [HEADER, 'W-1,c-1,SKU-1,Thing,1,1,2024-01-01T00:00:00Z,France,,'],
        true,
      );
      expect((await importOrders(store, file)).imported).toBe(1);
    });
  });

  describe('bad input leaves the database unchanged', () => {
    const seed = async () => {
      await importOrders(store, writeCsv(tmp.dir, 'seed.csv', DIRTY_ROWS.slice(0, 3)));
      return extent();
    };

    it('--strict aborts on unreadable rows, naming them, and writes nothing', async () => {
      const before = await seed();
      const file = writeCsv(tmp.dir, 'dirty.csv', DIRTY_ROWS);
      const failure = await importOrders(store, file, { strict: true }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ImportError);
      expect((failure as ImportError).message).toMatch(/3 row\(s\).*line 14/);
      expect((failure as ImportError).errors).toHaveLength(3);
      expect(extent()).toEqual(before);
    });

    it('a truncated gzip is a clear error', async () => {
      const before = await seed();
      const whole = zlib.gzipSync(DIRTY_ROWS.join('\n').repeat(50));
      const file = path.join(tmp.dir, 'cut.csv.gz');
      fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
      await expect(importOrders(store, file)).rejects.toThrow(/truncated or not valid gzip/);
      expect(extent()).toEqual(before);
    });

    it('a wrong header is a clear error naming what is missing', async () => {
      const before = await seed();
      const file = writeCsv(tmp.dir, 'wrong.csv', ['InvoiceNo,StockCode,Quantity,InvoiceDate', '1,2,3,4']);
      await expect(importOrders(store, file)).rejects.toThrow(
        /unrecognised header.*missing description.*unitprice/,
      );
      const other = writeCsv(tmp.dir, 'other.csv', ['name,age', 'bob,3']);
      await expect(importOrders(store, other)).rejects.toThrow(/unrecognised header: name,age/);
      expect(extent()).toEqual(before);
    });

    it('missing, unreadable and empty files are clear errors', async () => {
      const before = await seed();
      await expect(importOrders(store, path.join(tmp.dir, 'nope.csv'))).rejects.toThrow(/no such file/);
      await expect(importOrders(store, tmp.dir)).rejects.toThrow(/is not a file/);
      const empty = path.join(tmp.dir, 'empty.csv');
      fs.writeFileSync(empty, '');
      await expect(importOrders(store, empty)).rejects.toThrow(/empty/);
      if (process.getuid?.() !== 0) {
        const locked = writeCsv(tmp.dir, 'locked.csv', DIRTY_ROWS);
        fs.chmodSync(locked, 0o000);
        await expect(importOrders(store, locked)).rejects.toThrow(/permission denied/);
      }
      expect(extent()).toEqual(before);
    });

    it('malformed CSV (an unclosed quote) is a clear error', async () => {
      const before = await seed();
      const file = writeCsv(tmp.dir, 'quote.csv', [
        ONLINE_RETAIL_HEADER,
        '536365,85123A,"WHITE HEART,6,12/1/2010 8:26,2.55,17850,UK',
      ]);
      await expect(importOrders(store, file)).rejects.toThrow(/not valid CSV/);
      expect(extent()).toEqual(before);
    });
  });
});

describeWithShared([onlineRetailFile], 'import of the real Online Retail file (Dec 2010 – Jun 2011)', () => {
  const tmp = tempDir();
  let store: Store;
  beforeAll(() => {
    store = openStore(path.join(tmp.dir, 'retail.db'));
  });
  afterAll(() => {
    store.close();
    tmp.cleanup();
  });

  it('imports every usable row, keeps cancellations, and is idempotent', async () => {
    const summary = await importOrders(store, onlineRetailFile);
    expect(summary.rowsRead).toBe(245_903);
    expect(summary.errorCount).toBe(0);
    const skippedTotal = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
    expect(summary.imported + skippedTotal).toBe(summary.rowsRead);
    // The file's own documentation: ~3,000 customers in 6 months of a UK gift retailer.
    expect(summary.created.customers).toBe(3002);
    expect(summary.created.orders).toBe(11_666);
    const history = store.orders;
    const extent = history.dataExtent();
    expect(extent.firstOrderAt?.slice(0, 10)).toBe('2010-12-01');
    expect(extent.lastOrderAt?.slice(0, 7)).toBe('2011-06');
    let cancellations = 0;
    for (const line of history.iterateLines()) if (line.orderKind === 'cancellation') cancellations++;
    expect(cancellations).toBeGreaterThan(2000);

    const again = await importOrders(store, onlineRetailFile);
    expect(again.imported).toBe(0);
    expect(history.dataExtent()).toEqual(extent);
  }, 120_000);
});
