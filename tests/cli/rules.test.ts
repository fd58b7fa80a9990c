/**
 * `retain rules` as a marketer reads it: products by name, and the rules of one product found by
 * its name as people type it, on the bundled demo orders.
 */
import path from 'node:path';
import { runCli } from '../support/cli';
import { tempDir } from '../support/files';
import { DEMO_DATA } from '../support/shop';

describe('retain rules --product', () => {
  const tmp = tempDir();
  const db = ['--db', path.join(tmp.dir, 'demo.db')];

  beforeAll(async () => {
    expect((await runCli(['import', 'orders', DEMO_DATA, ...db])).code).toBe(0);
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('keeps the rules with the product named, and prints names beside the codes', async () => {
    const all = JSON.parse((await runCli(['rules', '--json', ...db])).stdout);
    const text = await runCli(['rules', '--product', 'regency cakstand', '--limit', '3', ...db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/rules with Regency cakestand 3 tier \(22423\)/);
    const lines = text.stdout.trim().split('\n').slice(1);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toContain('Regency cakestand 3 tier (22423)');
      // No bare code: every code on the line is in brackets after its name.
      expect(line).not.toMatch(/(^|\+ |=> {2})\d{5}[A-Z]?( |$)/);
    }
    const json = JSON.parse((await runCli(['rules', '--product', '22423', '--json', ...db])).stdout);
    expect(json.productDescription).toBe('REGENCY CAKESTAND 3 TIER');
    expect(json.rules.length).toBeGreaterThan(0);
    expect(json.rules.length).toBeLessThan(all.totalRules);
    for (const r of json.rules) expect([...r.antecedent, ...r.consequent]).toContain('22423');
    const unknown = await runCli(['rules', '--product', 'zzzz qqqq', ...db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no product matches 'zzzz qqqq'");
  }, 120_000);
});
