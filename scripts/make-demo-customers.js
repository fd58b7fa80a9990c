#!/usr/bin/env node
'use strict';
// Builds data/demo/customers.csv: synthetic contact details for the demo customers, so that
// `npm start` can show email end to end. Every address is at example.com (reserved for examples:
// nothing sent to it reaches anyone). By a hash of the customer id, deterministically: 60% get an
// address; of those 70% said yes to marketing, 20% no, 10% were never asked; a few prefer email.
// Run from the project root: node scripts/make-demo-customers.js
const fs = require('node:fs');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const { parse } = require('csv-parse/sync');

const source = process.argv[2] ?? 'data/demo/online-retail-sample.csv.gz';
const target = process.argv[3] ?? 'data/demo/customers.csv';
const NAMES = ['Alex', 'Sam', 'Jo', 'Robin', 'Charlie', 'Kim', 'Lee', 'Max', 'Noor', 'Ana', 'Tom', 'Ines'];
const unit = (key) => crypto.createHash('sha1').update(key).digest().readUInt32BE(0) / 2 ** 32;

const rows = parse(zlib.gunzipSync(fs.readFileSync(source)), { columns: true });
// The export writes ids as spreadsheet floats (17850.0); the import reads them as 17850.
const customers = [...new Set(rows.map((r) => r.CustomerID.replace(/\.0+$/, '')).filter(Boolean))].sort();
const lines = ['customer_id,email,name,marketing_consent,consent_at,consent_source,preferred_channel'];
for (const id of customers) {
  if (unit(`email:${id}`) >= 0.6) continue;
  const u = unit(`consent:${id}`);
  const consent = u < 0.7 ? 'yes' : u < 0.9 ? 'no' : '';
  const name = `${NAMES[Math.floor(unit(`name:${id}`) * NAMES.length)]} Example`;
  const at = consent ? '2010-11-15' : '';
  const how = consent ? 'checkout checkbox' : '';
  const prefers = consent === 'yes' && unit(`prefers:${id}`) < 0.2 ? 'email' : '';
  lines.push([id, `customer-${id}@example.com`, name, consent, at, how, prefers].join(','));
}
fs.writeFileSync(target, lines.join('\n') + '\n');
console.error(`${lines.length - 1} of ${customers.length} customers in ${target}`);
