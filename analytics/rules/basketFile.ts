/**
 * Basket files: one basket per line, items separated by commas (the arules "basket" format,
 * e.g. ../shared/data/groceries/groceries.csv). Items are trimmed and de-duplicated within a
 * basket; empty lines are skipped. Quoted fields are not part of this format.
 */
import fs from 'node:fs';

export function parseBaskets(text: string): string[][] {
  const baskets: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    const items = [
      ...new Set(
        line
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      ),
    ];
    if (items.length) baskets.push(items);
  }
  return baskets;
}

export function readBasketFile(file: string): string[][] {
  return parseBaskets(fs.readFileSync(file, 'utf8'));
}
