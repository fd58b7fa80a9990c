/**
 * Customer lifetime value over a horizon: expected purchases per month from BG/NBD, times the
 * expected value per purchase from Gamma-Gamma, discounted monthly. Same recipe as the lifetimes
 * library's customer_lifetime_value, so results can be checked against its published numbers.
 */
import { expectedPurchases, type BgNbdParams } from './bgnbd';
import { expectedAverageValue, type GammaGammaParams } from './gammaGamma';

export interface ClvOptions {
  /** Horizon in months (default 12). */
  months?: number;
  /** Discount rate per month (default 0.01). */
  monthlyDiscount?: number;
  /** Length of a month in the data's time unit: 30 for days, 4.345 for weeks. */
  unitsPerMonth: number;
}

export function customerLifetimeValue(
  bg: BgNbdParams,
  gg: GammaGammaParams,
  customer: { x: number; tx: number; T: number; m: number },
  options: ClvOptions,
): number {
  const months = options.months ?? 12;
  const d = options.monthlyDiscount ?? 0.01;
  const value = expectedAverageValue(gg, customer.x, customer.m);
  let clv = 0;
  let previous = 0;
  for (let i = 1; i <= months; i++) {
    const cumulative = expectedPurchases(bg, i * options.unitsPerMonth, customer.x, customer.tx, customer.T);
    clv += (value * (cumulative - previous)) / Math.pow(1 + d, i);
    previous = cumulative;
  }
  return clv;
}
