/** Special functions the lifetime-value models need, in plain double precision. */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, about 15 significant digits). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log(exp(a) + exp(b)) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Gauss hypergeometric 2F1(a, b; c; z) by its power series, for 0 <= z < 1 (all the BG/NBD
 * conditional expectation needs: z = t / (alpha + T + t)).
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (z < 0 || z >= 1) throw new Error(`hyp2f1 series needs 0 <= z < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 100_000; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (Math.abs(term) < 1e-14 * Math.abs(sum)) return sum;
  }
  return sum;
}
