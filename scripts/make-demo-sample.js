#!/usr/bin/env node
'use strict';
// Builds data/demo/online-retail-sample.csv.gz from the shared UCI Online Retail file:
// every invoice line of a deterministic 20% of customers (and of guest invoices), whole period,
// original order. Run from the project root: node scripts/make-demo-sample.js
const fs = require('node:fs');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const readline = require('node:readline');
const { parse } = require('csv-parse/sync');

const source = process.argv[2] ?? '../shared/data/online-retail/online_retail_2010-12_2011-06.csv.gz';
const target = process.argv[3] ?? 'data/demo/online-retail-sample.csv.gz';
const share = 0.2;
const keep = (key) => crypto.createHash('sha1').update(key).digest().readUInt32BE(0) / 2 ** 32 < share;

(async () => {
  const out = zlib.createGzip({ level: 9 });
  out.pipe(fs.createWriteStream(target));
  const lines = readline.createInterface({ input: fs.createReadStream(source).pipe(zlib.createGunzip()) });
  let header = true;
  let kept = 0;
  for await (const line of lines) {
    if (header) {
      out.write(line + '\n');
      header = false;
      continue;
    }
    const [fields] = parse(line);
    const customer = fields[6];
    if (keep(customer ? `c:${customer}` : `i:${fields[0]}`)) {
      out.write(line + '\n');
      kept++;
    }
  }
  out.end();
  console.error(`kept ${kept} lines in ${target}`);
})();
