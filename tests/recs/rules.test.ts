import { readBasketFile, parseBaskets } from '../../analytics/rules/basketFile';
import { mineRules, completeBasket, ruleKey } from '../../analytics/rules/associationRules';
import { fpGrowth } from '../../analytics/rules/fpGrowth';
import { describeWithShared, groceriesFile } from '../support/sharedData';

/** Brute-force count of baskets containing every item, to recompute what FP-growth reports. */
function countContaining(baskets: string[][], items: string[]): number {
  return baskets.filter((b) => items.every((i) => b.includes(i))).length;
}

describeWithShared(
  [groceriesFile],
  'association rules on the groceries benchmark (arules / Lantz ch. 8)',
  () => {
    const baskets = readBasketFile(groceriesFile);
    const result = mineRules(baskets, { minSupport: 0.006, minConfidence: 0.25, minLength: 2 });

    it('reads every transaction', () => {
      expect(baskets).toHaveLength(9835);
      expect(new Set(baskets.flat()).size).toBe(169);
    });

    it('finds exactly the 463 published rules, 150/297/16 by length', () => {
      expect(result.rules).toHaveLength(463);
      const byLength = new Map<number, number>();
      for (const r of result.rules) {
        const len = r.antecedent.length + 1;
        byLength.set(len, (byLength.get(len) ?? 0) + 1);
      }
      expect(Object.fromEntries(byLength)).toEqual({ 2: 150, 3: 297, 4: 16 });
    });

    it('reports {pot plants} => {whole milk} with the published support, confidence and lift', () => {
      const rule = result.rules.find((r) => ruleKey(r) === '{pot plants} => {whole milk}');
      expect(rule).toBeDefined();
      expect(rule!.count).toBe(68);
      expect(rule!.support).toBeCloseTo(0.006914082, 8);
      expect(rule!.confidence).toBeCloseTo(0.4, 8);
      expect(rule!.lift).toBeCloseTo(1.56546, 4);
      const pasta = result.rules.find((r) => ruleKey(r) === '{pasta} => {whole milk}');
      expect(pasta!.support).toBeCloseTo(0.006100661, 8);
      expect(pasta!.confidence).toBeCloseTo(0.4054054, 6);
    });

    it('every rule recomputes from the raw baskets', () => {
      for (const r of result.rules.slice(0, 60)) {
        const all = countContaining(baskets, [...r.antecedent, ...r.consequent]);
        const lhs = countContaining(baskets, r.antecedent);
        const rhs = countContaining(baskets, r.consequent);
        expect(r.count).toBe(all);
        expect(r.confidence).toBeCloseTo(all / lhs, 12);
        expect(r.lift).toBeCloseTo(all / lhs / (rhs / baskets.length), 10);
        expect(r.support).toBeGreaterThanOrEqual(0.006);
        expect(r.confidence).toBeGreaterThanOrEqual(0.25);
      }
    });

    it('is deterministic regardless of basket order', () => {
      const reversed = mineRules([...baskets].reverse(), { minSupport: 0.006, minConfidence: 0.25 });
      expect(reversed.rules.map(ruleKey)).toEqual(result.rules.map(ruleKey));
    });
  },
);

describe('fpGrowth on small data', () => {
  it('matches brute force on a hand-made set', () => {
    const tx = [[1, 2, 3], [1, 2], [2, 3], [1, 3], [1, 2, 3, 4], [4]];
    const sets = fpGrowth(tx, { minCount: 2 });
    const got = Object.fromEntries(sets.map((s) => [s.items.join(','), s.count]));
    expect(got).toEqual({ '1': 4, '2': 4, '3': 4, '4': 2, '1,2': 3, '1,3': 3, '2,3': 3, '1,2,3': 2 });
  });

  it('parses basket files, trimming and de-duplicating items', () => {
    expect(parseBaskets('a, b,a\n\n c \n')).toEqual([['a', 'b'], ['c']]);
  });

  it('completes a basket with the strongest rules whose antecedent is present', () => {
    const baskets = parseBaskets('bread,butter\nbread,butter\nbread,butter,jam\nbread,jam\nmilk\nmilk,jam');
    const rules = mineRules(baskets, { minSupport: 0.3, minConfidence: 0.5 }).rules;
    const suggestions = completeBasket(rules, ['bread']);
    // bread => butter: confidence 3/4, lift 1.5; bread => jam: confidence 2/4, lift 1.0.
    expect(suggestions.map((r) => r.consequent[0])).toEqual(['butter', 'jam']);
    expect(completeBasket(rules, ['bread', 'butter']).map((r) => r.consequent[0])).not.toContain('butter');
  });
});
