/**
 * BG/NBD and Gamma-Gamma on shop data: the per-customer summaries come from CustomerFacts
 * (time in days, one purchase per day), and CLV is predicted per customer.
 */
import type { CustomerFacts } from '../features/customerFacts';
import { MAX_FIT_CUSTOMERS } from '../features/churnFeatures';
import { sampleAtMost } from '../../lib/random';
import { expectedPurchases, fitBgNbd, pAlive, type BgNbdModel } from './bgnbd';
import { fitGammaGamma, type GammaGammaModel } from './gammaGamma';
import { customerLifetimeValue } from './clv';

export interface ClvModels {
  bgnbd: BgNbdModel;
  gammaGamma: GammaGammaModel | null;
  warnings: string[];
}

export function fitClvModels(allFacts: CustomerFacts[]): ClvModels {
  const facts = sampleAtMost(allFacts, MAX_FIT_CUSTOMERS);
  const bgnbd = fitBgNbd({
    x: facts.map((f) => f.repeatPurchases),
    tx: facts.map((f) => f.recencySpanDays),
    T: facts.map((f) => f.ageDays),
  });
  let gammaGamma: GammaGammaModel | null = null;
  const warnings = [...bgnbd.warnings];
  try {
    gammaGamma = fitGammaGamma(
      facts.map((f) => f.repeatPurchases),
      facts.map((f) => f.meanRepeatValue),
    );
    warnings.push(...gammaGamma.warnings);
  } catch (err) {
    warnings.push(`no spend model: ${(err as Error).message}`);
  }
  return { bgnbd, gammaGamma, warnings };
}

export interface ClvScore {
  pAlive: number;
  expectedPurchases: number;
  /** Null when there is no trustworthy spend model. */
  clv: number | null;
}

export function scoreClv(models: ClvModels, f: CustomerFacts, horizonDays: number, months = 12): ClvScore {
  const { bgnbd, gammaGamma } = models;
  const x = f.repeatPurchases;
  const tx = f.recencySpanDays;
  const T = f.ageDays;
  const usable = gammaGamma && gammaGamma.q > 1;
  return {
    pAlive: pAlive(bgnbd, x, tx, T),
    expectedPurchases: expectedPurchases(bgnbd, horizonDays, x, tx, T),
    clv: usable
      ? customerLifetimeValue(
          bgnbd,
          gammaGamma,
          { x, tx, T, m: f.meanRepeatValue },
          { months, unitsPerMonth: 30 },
        )
      : null,
  };
}
