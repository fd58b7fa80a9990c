/**
 * How well a ranking by predicted uplift finds the customers a treatment changes, measured on a
 * randomised experiment: outcomes y (0/1), treatment t (1 treated, 0 control) and a score
 * (higher: more uplift expected). The definitions follow scikit-uplift 0.5 (sklift.metrics), so
 * figures can be compared with published ones:
 *
 * - Qini curve at the top k customers: treated responders - control responders x (treated /
 *   control among the k). Tied scores are one step of the curve.
 * - Qini coefficient (`qiniAucScore`, sklift's `qini_auc_score` with negative_effect=True): the
 *   area under the model's Qini curve minus the area under the random line from (0, 0) to the
 *   curve's end, divided by the same for the perfect ranking (treated responders first, control
 *   responders last). 1: perfect, 0: no better than random, negative: worse than random.
 * - Uplift curve and its normalised area (`upliftAucScore`, sklift's `uplift_auc_score`, reported
 *   as AUUC): (treated rate - control rate) among the top k, times k.
 * - uplift@k (`upliftAtK`, sklift's `uplift_at_k` with strategy='overall'): the observed treated
 *   rate minus the control rate among the first floor(k x n) customers by score.
 *
 * Customers are ranked by score, highest first; among equal scores the later row comes first
 * (numpy's stable argsort reversed, as sklift does). Non-finite scores rank last.
 */

export interface Experiment {
  /** Outcome, 0 or 1. */
  y: ArrayLike<number>;
  /** 1 treated, 0 control. */
  t: ArrayLike<number>;
}

export interface Curve {
  /** Customers targeted (0, then one point per distinct score from the highest). */
  x: number[];
  y: number[];
}

function check(e: Experiment, score: ArrayLike<number>): void {
  if (e.y.length !== score.length || e.t.length !== score.length)
    throw new Error(
      `outcomes (${e.y.length}), treatments (${e.t.length}) and scores (${score.length}) differ`,
    );
}

const finite = (v: number) => (Number.isFinite(v) ? v : -Infinity);

/** Row indices by descending score; ties by descending index (sklift's order). */
export function descendingOrder(score: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => finite(score[b]) - finite(score[a]) || b - a);
}

type Point = (treated: number, treatedHits: number, control: number, controlHits: number) => number;

/** Customers (n) and buyers (y) counted so far in the treated (t) and control (c) groups. */
interface Tally {
  nt: number;
  yt: number;
  nc: number;
  yc: number;
}

const newTally = (): Tally => ({ nt: 0, yt: 0, nc: 0, yc: 0 });

/** Counts customer `i` into its group. */
function tallyRow(t: Tally, e: Experiment, i: number): void {
  if (e.t[i] === 1) {
    t.nt++;
    t.yt += e.y[i];
  } else {
    t.nc++;
    t.yc += e.y[i];
  }
}

const qiniPoint: Point = (nt, yt, nc, yc) => yt - (nc ? (yc * nt) / nc : 0);
const upliftPoint: Point = (nt, yt, nc, yc) => ((nt ? yt / nt : 0) - (nc ? yc / nc : 0)) * (nt + nc);

/**
 * Walks the customers in `order`, calling `visit(k, value)` after each block of tied scores (every
 * customer is its own block when `score` is omitted), starting from (0, 0).
 */
function walk(
  e: Experiment,
  order: ArrayLike<number>,
  score: ArrayLike<number> | null,
  point: Point,
  visit: (k: number, value: number) => void,
): void {
  visit(0, 0);
  const t = newTally();
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    tallyRow(t, e, i);
    if (k === order.length - 1 || !score || finite(score[order[k + 1]]) !== finite(score[i]))
      visit(k + 1, point(t.nt, t.yt, t.nc, t.yc));
  }
}

function collect(
  e: Experiment,
  order: ArrayLike<number>,
  score: ArrayLike<number> | null,
  point: Point,
): Curve {
  const c: Curve = { x: [], y: [] };
  walk(e, order, score, point, (k, v) => {
    c.x.push(k);
    c.y.push(v);
  });
  return c;
}

/** Trapezoidal area under the curve `point` defines, without keeping the curve. */
function areaOf(
  e: Experiment,
  order: ArrayLike<number>,
  score: ArrayLike<number> | null,
  point: Point,
): number {
  let sum = 0;
  let lastK = 0;
  let lastV = 0;
  walk(e, order, score, point, (k, v) => {
    sum += ((k - lastK) * (v + lastV)) / 2;
    lastK = k;
    lastV = v;
  });
  return sum;
}

/**
 * The curve of a score with few distinct values (the perfect rankings), by counting: customers are
 * grouped by value (highest first) and each group is one block, as ties are.
 */
function blockCurve(e: Experiment, value: (i: number) => number, point: Point): Curve {
  const blocks = new Map<number, Tally>();
  for (let i = 0; i < e.y.length; i++) {
    const v = value(i);
    let b = blocks.get(v);
    if (!b) blocks.set(v, (b = newTally()));
    tallyRow(b, e, i);
  }
  const c: Curve = { x: [0], y: [0] };
  const t = newTally();
  for (const v of [...blocks.keys()].sort((a, b) => b - a)) {
    const b = blocks.get(v)!;
    t.nt += b.nt;
    t.yt += b.yt;
    t.nc += b.nc;
    t.yc += b.yc;
    c.x.push(t.nt + t.nc);
    c.y.push(point(t.nt, t.yt, t.nc, t.yc));
  }
  return c;
}

export function qiniCurve(e: Experiment, score: ArrayLike<number>): Curve {
  check(e, score);
  return collect(e, descendingOrder(score), score, qiniPoint);
}

export function upliftCurve(e: Experiment, score: ArrayLike<number>): Curve {
  check(e, score);
  return collect(e, descendingOrder(score), score, upliftPoint);
}

/** The best possible Qini curve: treated responders first, control responders last. */
export function perfectQiniCurve(e: Experiment): Curve {
  return blockCurve(e, (i) => (e.t[i] === 1 ? e.y[i] : -e.y[i]), qiniPoint);
}

/** sklift's perfect uplift curve (responders in the treated group and non-responders in control first). */
export function perfectUpliftCurve(e: Experiment): Curve {
  let controlResponders = 0;
  let treatedNonResponders = 0;
  for (let i = 0; i < e.y.length; i++) {
    if (e.t[i] === 0 && e.y[i] === 1) controlResponders++;
    if (e.t[i] === 1 && e.y[i] === 0) treatedNonResponders++;
  }
  const byOutcome = controlResponders > treatedNonResponders;
  return blockCurve(e, (i) => 2 * (e.y[i] === e.t[i] ? 1 : 0) + (byOutcome ? e.y[i] : e.t[i]), upliftPoint);
}

/** Trapezoidal area under a curve (x increasing), as sklearn.metrics.auc. */
export function area(c: Curve): number {
  let a = 0;
  for (let i = 1; i < c.x.length; i++) a += ((c.x[i] - c.x[i - 1]) * (c.y[i] + c.y[i - 1])) / 2;
  return a;
}

/** (model area - random area) / (perfect area - random area); NaN when the perfect curve is the random line. */
function normalised(actual: number, perfect: Curve): number {
  const end = perfect.x.length - 1;
  const random = area({ x: [0, perfect.x[end]], y: [0, perfect.y[end]] });
  return (actual - random) / (area(perfect) - random);
}

/** The Qini coefficient (sklift qini_auc_score, negative effects allowed). */
export function qiniAucScore(e: Experiment, score: ArrayLike<number>): number {
  return rankingMeasures(e, score).qini;
}

/** Normalised area under the uplift curve (sklift uplift_auc_score). */
export function upliftAucScore(e: Experiment, score: ArrayLike<number>): number {
  return rankingMeasures(e, score).auuc;
}

/**
 * Observed treated rate minus control rate among the first floor(k x n) customers by score
 * (sklift uplift_at_k, strategy 'overall'); NaN when one group has nobody there.
 */
export function upliftAtK(e: Experiment, score: ArrayLike<number>, k = 0.3): number {
  return rankingMeasures(e, score, k).upliftAtK;
}

export interface RankingMeasures {
  qini: number;
  auuc: number;
  upliftAtK: number;
}

/** The perfect curves of an experiment: they do not depend on the ranking, so they can be shared. */
export interface PerfectCurves {
  qini: Curve;
  uplift: Curve;
}

export function perfectCurves(e: Experiment): PerfectCurves {
  return { qini: perfectQiniCurve(e), uplift: perfectUpliftCurve(e) };
}

/** Qini coefficient, AUUC and uplift@k of one ranking, sorting once (for large test files). */
export function rankingMeasures(
  e: Experiment,
  score: ArrayLike<number>,
  k = 0.3,
  perfect: PerfectCurves = perfectCurves(e),
): RankingMeasures {
  check(e, score);
  return measuresInOrder(e, descendingOrder(score), score, k, perfect);
}

function measuresInOrder(
  e: Experiment,
  order: ArrayLike<number>,
  score: ArrayLike<number> | null,
  k: number,
  perfect: PerfectCurves,
): RankingMeasures {
  if (!(k > 0 && k < 1)) throw new Error(`k must be between 0 and 1, got ${k}`);
  return {
    qini: normalised(areaOf(e, order, score, qiniPoint), perfect.qini),
    auuc: normalised(areaOf(e, order, score, upliftPoint), perfect.uplift),
    upliftAtK: topRates(e, order, Math.floor(e.y.length * k)),
  };
}

/**
 * The same measures for `orders` random orders of the customers (a seeded shuffle each, so no
 * sorting): what targeting at random gets on this experiment, and how much that varies.
 */
export function randomRankingMeasures(
  e: Experiment,
  random: () => number,
  orders: number,
  k = 0.3,
  perfect: PerfectCurves = perfectCurves(e),
): RankingMeasures[] {
  const order = new Uint32Array(e.y.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const out: RankingMeasures[] = [];
  for (let r = 0; r < orders; r++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    out.push(measuresInOrder(e, order, null, k, perfect));
  }
  return out;
}

/** Treated rate minus control rate among the first `size` rows of `order`. */
export function topRates(e: Experiment, order: ArrayLike<number>, size: number): number {
  const t = newTally();
  for (let r = 0; r < size; r++) tallyRow(t, e, order[r]);
  return t.nt && t.nc ? t.yt / t.nt - t.yc / t.nc : NaN;
}

/** Treated rate minus control rate over everyone (the average treatment effect); NaN without both groups. */
export function averageEffect(e: Experiment): number {
  const all = new Uint32Array(e.y.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  return topRates(e, all, all.length);
}

/**
 * The Qini curve at shares of the customers (0 to 1), for charts: the extra responders targeting
 * that share by score gains, next to what a random share of the same size gains.
 */
export function qiniAtShares(
  e: Experiment,
  score: ArrayLike<number>,
  shares: number[],
): Array<{ share: number; model: number; random: number }> {
  const c = qiniCurve(e, score);
  const n = e.y.length;
  const total = c.y[c.y.length - 1];
  return shares.map((share) => {
    const k = share * n;
    // Between two steps of the curve (a block of ties) the Qini curve is a straight line.
    let lo = 0;
    let hi = c.x.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c.x[mid] < k) lo = mid;
      else hi = mid - 1;
    }
    const j = lo;
    const next = Math.min(j + 1, c.x.length - 1);
    const span = c.x[next] - c.x[j];
    const model = span > 0 ? c.y[j] + ((c.y[next] - c.y[j]) * (k - c.x[j])) / span : c.y[next];
    return { share, model, random: total * share };
  });
}
