/**
 * Simulated randomised experiments with known ground truth, for developing and testing uplift
 * models. Every customer is one of the four classic types:
 *
 * - persuadable: buys mostly when treated;
 * - sure thing: buys either way;
 * - lost cause: hardly buys either way;
 * - do-not-disturb: the treatment puts them off.
 *
 * Two hidden traits decide the type (through a softmax, so every type occurs everywhere); the
 * observed features show the traits only through noise, a categorical column and a count, and
 * two columns carry no signal at all. So a model can recover the types only partly, as in real
 * data. Sure things are the most likely buyers when treated, so a response model (P(buy |
 * treated)) spends its top ranks on them, while an uplift model should find the persuadables.
 */
import { seededRandom } from '../../lib/random';

export type CustomerType = 'persuadable' | 'sure thing' | 'lost cause' | 'do-not-disturb';

export const CUSTOMER_TYPES: readonly CustomerType[] = [
  'persuadable',
  'sure thing',
  'lost cause',
  'do-not-disturb',
];

/** P(outcome | treated) and P(outcome | control) per type. */
export const OUTCOME_RATES: Record<CustomerType, { treated: number; control: number }> = {
  persuadable: { treated: 0.6, control: 0.1 },
  'sure thing': { treated: 0.7, control: 0.7 },
  'lost cause': { treated: 0.04, control: 0.04 },
  'do-not-disturb': { treated: 0.1, control: 0.45 },
};

export interface SimulatedCustomer {
  type: CustomerType;
  /** P(outcome | treated) - P(outcome | control) for the customer's type. */
  trueUplift: number;
  /** Numeric features: engagement, loyalty (noisy views of the traits), visits, noise1, noise2. */
  engagement: number;
  loyalty: number;
  visits: number;
  noise1: number;
  noise2: number;
  /** Categorical feature, related to loyalty. */
  region: 'north' | 'south' | 'east' | 'west';
  treated: 0 | 1;
  outcome: 0 | 1;
}

export interface SimulationOptions {
  customers: number;
  seed?: number;
  /** Share of customers treated (default 0.5). */
  treatedShare?: number;
  /** Noise on the two informative features, in standard deviations of the traits (default 0.6). */
  featureNoise?: number;
  /** false: every feature is drawn apart from the traits, so nothing reveals the type (a null experiment). */
  informative?: boolean;
  /**
   * true: persuadables are the customers far from average engagement in either direction with
   * ordinary loyalty, a pattern no linear score of the features can rank (a small network can).
   */
  nonlinear?: boolean;
}

function normal(random: () => number): number {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

function pick<T>(weights: number[], values: readonly T[], random: () => number): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = random() * total;
  for (let i = 0; i < values.length; i++) {
    u -= weights[i];
    if (u <= 0) return values[i];
  }
  return values[values.length - 1];
}

export function simulateExperiment(options: SimulationOptions): SimulatedCustomer[] {
  const random = seededRandom(options.seed ?? 1);
  const treatedShare = options.treatedShare ?? 0.5;
  const noise = options.featureNoise ?? 0.6;
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    // Hidden traits: how engaged the customer is, and how loyal regardless of offers.
    const a = normal(random);
    const b = normal(random);
    const logits = options.nonlinear
      ? [3 * (Math.abs(a) - 1) - 2 * Math.abs(b), 0.8 * b, -0.5, -1.5]
      : [1.2 * a - 0.6 * b, 1.5 * b, -1.4 * a - 0.3, 0.9 * a + 0.9 * b - 1.6];
    const type = pick(
      logits.map((l) => Math.exp(l)),
      CUSTOMER_TYPES,
      random,
    );
    const treated = random() < treatedShare ? 1 : 0;
    const rates = OUTCOME_RATES[type];
    const outcome = random() < (treated ? rates.treated : rates.control) ? 1 : 0;
    // What the features show: the traits themselves, or (a null experiment) unrelated draws.
    const [fa, fb] = options.informative === false ? [normal(random), normal(random)] : [a, b];
    const region = pick(
      fb > 0.5 ? [4, 2, 1, 1] : fb < -0.5 ? [1, 1, 2, 4] : [2, 2, 2, 2],
      ['north', 'south', 'east', 'west'] as const,
      random,
    );
    out.push({
      type,
      trueUplift: rates.treated - rates.control,
      engagement: fa + noise * normal(random),
      loyalty: fb + noise * normal(random),
      visits: poisson(Math.exp(0.5 * fa + 1), random),
      noise1: normal(random),
      noise2: random() * 100,
      region,
      treated,
      outcome,
    });
  }
  return out;
}

/** The numeric feature matrix of simulated customers (region one-hot), in a fixed column order. */
export const SIMULATED_FEATURES = [
  'engagement',
  'loyalty',
  'visits',
  'noise1',
  'noise2',
  'region=north',
  'region=south',
  'region=east',
  'region=west',
] as const;

export function simulatedRow(c: SimulatedCustomer): number[] {
  return [
    c.engagement,
    c.loyalty,
    c.visits,
    c.noise1,
    c.noise2,
    ...(['north', 'south', 'east', 'west'] as const).map((r) => (c.region === r ? 1 : 0)),
  ];
}

/**
 * The customers as lines of a CSV file shaped like a real e-mail experiment export: a treatment
 * column with two mail variants and a control value ("Mens E-Mail", "Womens E-Mail", "No
 * E-Mail"), outcome "visit" as 0/1, a second outcome and a spend column that must be excluded
 * from the features, quoted categories with commas inside, and some missing values.
 */
export function experimentCsvLines(customers: SimulatedCustomer[], seed = 3): string[] {
  const random = seededRandom(seed);
  const regions: Record<SimulatedCustomer['region'], string> = {
    north: '"North, upper"',
    south: 'South',
    east: 'East',
    west: '"West ""coast"""',
  };
  const lines = ['customer_id,engagement,loyalty,visits,noise1,noise2,region,segment,visit,conversion,spend'];
  customers.forEach((c, i) => {
    const segment = c.treated ? (random() < 0.5 ? 'Mens E-Mail' : 'Womens E-Mail') : 'No E-Mail';
    const converted = c.outcome === 1 && random() < 0.3;
    lines.push(
      [
        100000 + i,
        random() < 0.02 ? '' : c.engagement.toFixed(4),
        c.loyalty.toFixed(4),
        c.visits,
        random() < 0.02 ? 'NA' : c.noise1.toFixed(4),
        c.noise2.toFixed(2),
        random() < 0.01 ? '' : regions[c.region],
        segment,
        c.outcome,
        converted ? 1 : 0,
        converted ? (20 + random() * 200).toFixed(2) : '0',
      ].join(','),
    );
  });
  return lines;
}
