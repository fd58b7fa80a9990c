/**
 * Association rules ("frequently bought together") from baskets of item names.
 *
 * Definitions follow arules' apriori, so results can be checked against published outputs:
 *   support(X => Y)    = |baskets containing X and Y| / |baskets|
 *   confidence(X => Y) = support(X and Y) / support(X)
 *   lift(X => Y)       = confidence(X => Y) / support(Y)
 * Rules have exactly one item on the right-hand side (arules' default) and at least
 * `minLength` items in total (antecedent plus consequent).
 */
import { fpGrowth } from './fpGrowth';

export const RULES_MODEL_VERSION = 'rules-fpgrowth-1';

export interface RuleOptions {
  /** Fraction of baskets (0..1]. */
  minSupport: number;
  /** 0..1. */
  minConfidence: number;
  /** Smallest rule (antecedent + consequent item count); default 2, as in arules minlen = 2. */
  minLength?: number;
  /** Largest rule; default 10 (arules' maxlen). */
  maxLength?: number;
}

export interface AssociationRule {
  antecedent: string[];
  consequent: string[];
  support: number;
  confidence: number;
  lift: number;
  /** Baskets that contain the whole rule. */
  count: number;
}

export interface RuleSet {
  version: string;
  baskets: number;
  options: Required<RuleOptions>;
  rules: AssociationRule[];
}

/** Tolerance for comparing against thresholds, so 0.25 written as a decimal still means 0.25. */
const EPS = 1e-9;

export function mineRules(baskets: string[][], options: RuleOptions): RuleSet {
  const opts: Required<RuleOptions> = { minLength: 2, maxLength: 10, ...options };
  if (!(opts.minSupport > 0 && opts.minSupport <= 1)) throw new RangeError('minSupport must be in (0, 1]');
  if (!(opts.minConfidence >= 0 && opts.minConfidence <= 1))
    throw new RangeError('minConfidence must be in [0, 1]');
  const names: string[] = [];
  const ids = new Map<string, number>();
  const encoded = baskets.map((b) =>
    b.map((name) => {
      let id = ids.get(name);
      if (id === undefined) {
        id = names.length;
        names.push(name);
        ids.set(name, id);
      }
      return id;
    }),
  );
  const n = baskets.length;
  const rules: AssociationRule[] = [];
  if (n === 0) return { version: RULES_MODEL_VERSION, baskets: 0, options: opts, rules };
  const minCount = Math.ceil(opts.minSupport * n - EPS);
  const itemsets = fpGrowth(encoded, { minCount, maxLength: opts.maxLength });
  const countOf = new Map<string, number>();
  for (const s of itemsets) countOf.set(s.items.join(','), s.count);

  for (const s of itemsets) {
    if (s.items.length < Math.max(2, opts.minLength)) continue;
    for (const rhs of s.items) {
      const lhs = s.items.filter((i) => i !== rhs);
      // Every subset of a frequent itemset is frequent, so both counts are known.
      const lhsCount = countOf.get(lhs.join(','))!;
      const rhsCount = countOf.get(String(rhs))!;
      const confidence = s.count / lhsCount;
      if (confidence < opts.minConfidence - EPS) continue;
      rules.push({
        antecedent: lhs.map((i) => names[i]).sort(),
        consequent: [names[rhs]],
        support: s.count / n,
        confidence,
        lift: confidence / (rhsCount / n),
        count: s.count,
      });
    }
  }
  rules.sort(compareRules);
  return { version: RULES_MODEL_VERSION, baskets: n, options: opts, rules };
}

/** Strongest first: lift, then confidence, then support; ties by text so output is stable. */
export function compareRules(a: AssociationRule, b: AssociationRule): number {
  return (
    b.lift - a.lift ||
    b.confidence - a.confidence ||
    b.support - a.support ||
    ruleKey(a).localeCompare(ruleKey(b))
  );
}

export function ruleKey(r: Pick<AssociationRule, 'antecedent' | 'consequent'>): string {
  return `{${r.antecedent.join(', ')}} => {${r.consequent.join(', ')}}`;
}

/**
 * Basket completion: rules whose antecedent is inside the basket and whose consequent is not,
 * best first, one suggestion per consequent.
 */
export function completeBasket(rules: AssociationRule[], basket: string[], k = 10): AssociationRule[] {
  const inBasket = new Set(basket);
  const seen = new Set<string>();
  const out: AssociationRule[] = [];
  for (const r of [...rules].sort(compareRules)) {
    const item = r.consequent[0];
    if (inBasket.has(item) || seen.has(item)) continue;
    if (!r.antecedent.every((a) => inBasket.has(a))) continue;
    seen.add(item);
    out.push(r);
    if (out.length >= k) break;
  }
  return out;
}
