/**
 * The public data sets in ../shared/data (next to the checkout, see README "Tests"). Tests on
 * them run where the files are and are skipped elsewhere (a fresh clone), each with one line
 * naming what is missing, so `npm test` passes on a clone alone and still checks the published
 * figures where the data is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectPath, projectRoot } from '../../lib/paths';

export const sharedData = (...parts: string[]) => projectPath('..', 'shared', 'data', ...parts);

export const onlineRetailFile = sharedData('online-retail', 'online_retail_2010-12_2011-06.csv.gz');
export const groceriesFile = sharedData('groceries', 'groceries.csv');

function missing(paths: readonly string[]): string[] {
  return paths.filter((p) => !fs.existsSync(p));
}

function announceSkip(absent: string[], name: string): void {
  // Straight to stderr: jest's console.warn would add a stack trace to every skip.
  const files = absent.map((p) => path.relative(projectRoot, p)).join(', ');
  process.stderr.write(`skipped: needs ${files} (${name})\n`);
}

/**
 * `describe(name, fn)` when every path exists. Otherwise `fn` is not even called (so its body may
 * read the data), and the block shows as one skipped test.
 */
export function describeWithShared(paths: readonly string[], name: string, fn: () => void): void {
  const absent = missing(paths);
  if (absent.length === 0) {
    describe(name, fn);
    return;
  }
  announceSkip(absent, name);
  describe(name, () => {
    test.skip(`needs ${absent.map((p) => path.basename(p)).join(', ')}`, () => undefined);
  });
}

/** `test(name, fn, timeout)` when every path exists; a skipped test otherwise. */
export function testWithShared(
  paths: readonly string[],
  name: string,
  fn: jest.ProvidesCallback,
  timeout?: number,
): void {
  const absent = missing(paths);
  if (absent.length > 0) announceSkip(absent, name);
  (absent.length === 0 ? test : test.skip)(name, fn, timeout);
}
