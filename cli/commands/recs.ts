import type { Command } from 'commander';
import {
  config,
  printJson,
  withDatabase,
  withDbOption,
  parseNumberOption,
  parseDateOption,
  CliError,
  type DbOption,
} from '../context';
import { evalGroup } from './groups';
import { resolveUserPath } from '../../lib/paths';
import { loadOrTrainRecsModel } from '../../analytics/recs/service';
import { recommend, similarItems, evaluateRecs, type Reason } from '../../analytics/recs';
import { mineRules } from '../../analytics/rules/associationRules';
import { ProductCatalogue } from '../../nlp/entities/catalogue';
import { sentenceCase } from '../../lib/text';
import { readBasketFile } from '../../analytics/rules/basketFile';
import { basketsFromPurchases } from '../../analytics/rules/orderBaskets';

interface RecommendOptions extends DbOption {
  customer: string;
  k: number;
  includeBought?: boolean;
  minPrice?: number;
  maxPrice?: number;
  country?: string;
  retrain?: boolean;
  json?: boolean;
}

interface SimilarOptions extends DbOption {
  sku: string;
  k: number;
  retrain?: boolean;
  json?: boolean;
}

interface RulesOptions extends DbOption {
  product?: string;
  minSupport: number;
  minConfidence: number;
  minLength: number;
  maxLength: number;
  file?: string;
  limit?: number;
  json?: boolean;
}

interface EvalRecsOptions extends DbOption {
  asOf: Date;
  until?: Date;
  json?: boolean;
}

/** Registers: recommend, similar, rules, eval recs. */
export function registerRecs(program: Command): void {
  withDbOption(
    program
      .command('recommend')
      .description(
        'recommend products for a customer, each with the reason (trains and saves the model when the data changed)',
      )
      .requiredOption('--customer <id>', "the shop's customer id, e.g. 12347")
      .option('--k <n>', 'how many products', parseNumberOption('k', 1, 1000), 10)
      .option('--include-bought', 'also recommend products the customer already bought')
      .option(
        '--min-price <amount>',
        'only products at or above this unit price',
        parseNumberOption('min-price', 0),
      )
      .option(
        '--max-price <amount>',
        'only products at or below this unit price (e.g. gifts under 20)',
        parseNumberOption('max-price', 0),
      )
      .option('--country <name>', "ship-to country for availability (default: the customer's country)")
      .option('--retrain', 'train a new model even if the saved one matches the data')
      .option('--json', 'print JSON'),
  ).action((opts: RecommendOptions) =>
    withDatabase(opts, (store) => {
      const { model, run } = loadOrTrainRecsModel(store, {
        modelsDir: config().modelsDir,
        retrain: opts.retrain,
      });
      const known = store.recsData.hasCustomer(opts.customer);
      const result = recommend(model, opts.customer, {
        k: opts.k,
        excludeBought: !opts.includeBought,
        minPrice: opts.minPrice,
        maxPrice: opts.maxPrice,
        country: opts.country,
      });
      const out = { ...result, knownCustomer: known, model: { version: run.version, asOf: run.asOf } };
      if (opts.json) return printJson(out);
      const who = known ? `customer ${opts.customer}` : `unknown customer ${opts.customer}`;
      process.stdout.write(
        `${result.items.length} recommendations for ${who}${result.coldStart ? ' (no history: popular products)' : ''}\n`,
      );
      for (const r of result.items) process.stdout.write(formatItem(r.rank, r.sku, r.description, r.reason));
    }),
  );

  withDbOption(
    program
      .command('similar')
      .description('products like a given one: bought by the same customers, or with a similar description')
      .requiredOption('--sku <sku>', 'the product code, e.g. 85123A')
      .option('--k <n>', 'how many products', parseNumberOption('k', 1, 1000), 10)
      .option('--retrain', 'train a new model even if the saved one matches the data')
      .option('--json', 'print JSON'),
  ).action((opts: SimilarOptions) =>
    withDatabase(opts, (store) => {
      const { model, run } = loadOrTrainRecsModel(store, {
        modelsDir: config().modelsDir,
        retrain: opts.retrain,
      });
      const items = similarItems(model, opts.sku, opts.k);
      if (!items) throw new CliError(`unknown product '${opts.sku}' (or not a product, e.g. postage)`, 1);
      const i = model.itemIndex.get(opts.sku)!;
      const out = {
        sku: opts.sku,
        description: model.items.descriptions[i],
        items,
        model: { version: run.version, asOf: run.asOf },
      };
      if (opts.json) return printJson(out);
      process.stdout.write(`products like ${opts.sku} ${out.description ?? ''}\n`);
      for (const r of items) process.stdout.write(formatItem(r.rank, r.sku, r.description, r.reason));
    }),
  );

  withDbOption(
    program
      .command('rules')
      .description(
        'association rules ("frequently bought together") with support, confidence and lift, from the orders or a basket file',
      )
      .option(
        '--min-support <s>',
        'minimum fraction of baskets with the whole rule',
        parseNumberOption('min-support', 0, 1),
        0.01,
      )
      .option('--min-confidence <c>', 'minimum confidence', parseNumberOption('min-confidence', 0, 1), 0.25)
      .option(
        '--min-length <n>',
        'minimum items in a rule (both sides)',
        parseNumberOption('min-length', 2, 10),
        2,
      )
      .option(
        '--max-length <n>',
        'maximum items in a rule (both sides)',
        parseNumberOption('max-length', 2, 10),
        10,
      )
      .option(
        '--file <baskets.csv>',
        'one basket per line, items comma-separated (instead of the database orders)',
      )
      .option(
        '--product <code or name>',
        'only rules with this product on either side (a stock code, or a name: "regency cakestand")',
      )
      .option('--limit <n>', 'print only the strongest n rules', parseNumberOption('limit', 1))
      .option('--json', 'print JSON'),
  ).action(async (opts: RulesOptions) => {
    if (!(opts.minSupport > 0)) throw new CliError('--min-support must be greater than 0', 2);
    let baskets: string[][];
    let names = new Map<string, string | null>();
    if (opts.file) {
      try {
        baskets = readBasketFile(resolveUserPath(opts.file));
      } catch (err) {
        throw new CliError(`cannot read ${opts.file}: ${(err as Error).message}`, 1);
      }
    } else {
      baskets = await withDatabase(opts, (store) => {
        const repo = store.recsData;
        const catalogue = repo.catalogue();
        names = new Map(catalogue.map((c) => [c.sku, c.description]));
        return basketsFromPurchases(repo.purchases(), catalogue);
      });
    }
    const set = mineRules(baskets, {
      minSupport: opts.minSupport,
      minConfidence: opts.minConfidence,
      minLength: opts.minLength,
      maxLength: opts.maxLength,
    });
    const product = opts.product ? findProduct(opts.product, names, baskets) : undefined;
    const matching = product
      ? set.rules.filter((r) => r.antecedent.includes(product) || r.consequent.includes(product))
      : set.rules;
    const rules = (opts.limit ? matching.slice(0, opts.limit) : matching).map((r) => ({
      antecedent: r.antecedent,
      consequent: r.consequent,
      support: r.support,
      confidence: r.confidence,
      lift: r.lift,
      count: r.count,
      ...(names.size
        ? {
            antecedentDescriptions: r.antecedent.map((s) => names.get(s) ?? null),
            consequentDescriptions: r.consequent.map((s) => names.get(s) ?? null),
          }
        : {}),
    }));
    const out = {
      source: opts.file ? 'file' : 'orders',
      ...(product ? { product, productDescription: names.get(product) ?? null } : {}),
      baskets: set.baskets,
      minSupport: opts.minSupport,
      minConfidence: opts.minConfidence,
      totalRules: set.rules.length,
      rules,
    };
    if (opts.json) return printJson(out);
    const label = (sku: string) => {
      const name = names.get(sku);
      return name ? `${sentenceCase(name)} (${sku})` : sku;
    };
    process.stdout.write(
      `${matching.length} rules${product ? ` with ${label(product)}` : ''} from ${set.baskets} baskets\n`,
    );
    for (const r of rules) {
      process.stdout.write(
        `${r.antecedent.map(label).join(' + ')}  =>  ${r.consequent.map(label).join(' + ')}` +
          `  (support ${(r.support * 100).toFixed(2)}%, confidence ${(r.confidence * 100).toFixed(1)}%, lift ${r.lift.toFixed(2)})\n`,
      );
    }
  });

  withDbOption(
    evalGroup(program)
      .command('recs')
      .description(
        'train the recommender on orders before --as-of and measure top-10 quality on the products customers first bought after it, against popularity and plain item-kNN',
      )
      .requiredOption(
        '--as-of <date>',
        'train on orders strictly before this date (YYYY-MM-DD, UTC)',
        parseDateOption('as-of'),
      )
      .option(
        '--until <date>',
        'only count purchases before this date (default: all after --as-of)',
        parseDateOption('until'),
      )
      .option('--json', 'print JSON'),
  ).action((opts: EvalRecsOptions) =>
    withDatabase(opts, (store) => {
      const data = store.recsData.trainingData();
      const asOf = opts.asOf.getTime();
      const { evaluation, model } = evaluateRecs(data, asOf, opts.until ? opts.until.getTime() : Infinity);
      if (evaluation.customers === 0) {
        throw new CliError(
          `no customer bought both before and after ${opts.asOf.toISOString().slice(0, 10)}`,
          1,
        );
      }
      const out = { ...evaluation, asOf: opts.asOf.toISOString(), weights: model.weights };
      if (opts.json) return printJson(out);
      const row = (name: string, m: typeof evaluation.baselines.popularity) =>
        `${name.padEnd(12)} hitRate@10 ${m['hitRate@10'].toFixed(4)}  precision@10 ${m['precision@10'].toFixed(4)}  recall@10 ${m['recall@10'].toFixed(4)}  ndcg@10 ${m['ndcg@10'].toFixed(4)}\n`;
      process.stdout.write(
        `${evaluation.customers} customers; blend weights ${JSON.stringify(model.weights)}\n`,
      );
      process.stdout.write(row('hybrid', evaluation));
      process.stdout.write(row('popularity', evaluation.baselines.popularity));
      process.stdout.write(row('itemKnn', evaluation.baselines.itemKnn));
    }),
  );
}

function formatItem(rank: number, sku: string, description: string | null, reason: Reason): string {
  return `${String(rank).padStart(3)}. ${sku.padEnd(8)} ${(description ?? '').padEnd(36)} ${reason.text}\n`;
}

/** The stock code a --product value names: a code as it is, else the best match by name. */
function findProduct(wanted: string, names: Map<string, string | null>, baskets: string[][]): string {
  const known = names.size ? [...names.keys()] : [...new Set(baskets.flat())];
  const code = known.find((sku) => sku.toLowerCase() === wanted.trim().toLowerCase());
  if (code) return code;
  const catalogue = new ProductCatalogue(known.map((sku) => ({ code: sku, name: names.get(sku) ?? sku })));
  const best = catalogue.match(wanted, { limit: 1 })[0];
  if (!best) throw new CliError(`no product matches '${wanted}'`, 1);
  return best.code;
}
