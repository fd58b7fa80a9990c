/**
 * The uplift measures against hand-computed examples and against the examples scikit-uplift
 * 0.5 documents in its own tests (sklift/tests/test_metrics.py), so `retain eval uplift` figures
 * mean what the literature's mean.
 */
import {
  area,
  averageEffect,
  perfectQiniCurve,
  perfectUpliftCurve,
  qiniAtShares,
  qiniAucScore,
  qiniCurve,
  upliftAtK,
  upliftAucScore,
  upliftCurve,
} from '../../analytics/uplift/metrics';
import { seededRandom } from '../../lib/random';

describe('uplift measures', () => {
  // Six customers, best score first: treated responders at ranks 1 and 3, a control responder last.
  const six = { t: [1, 0, 1, 0, 1, 0], y: [1, 0, 1, 0, 0, 1] };
  const sixScores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];

  it('Qini curve, its perfect curve and the normalised coefficient, by hand', () => {
    // Treated responders - control responders x treated/control among the top k.
    expect(qiniCurve(six, sixScores)).toEqual({ x: [0, 1, 2, 3, 4, 5, 6], y: [0, 1, 1, 2, 2, 2, 1] });
    // Perfect: the two treated responders, then the non-responders (one block of ties), then the control responder.
    expect(perfectQiniCurve(six)).toEqual({ x: [0, 2, 5, 6], y: [0, 2, 2, 1] });
    expect(area(qiniCurve(six, sixScores))).toBeCloseTo(8.5, 12);
    // (8.5 - 3) / (9.5 - 3): areas of the model, perfect and random (0,0)-(6,1) curves.
    expect(qiniAucScore(six, sixScores)).toBeCloseTo(5.5 / 6.5, 12);
    // Reversed ranking: worse than random.
    expect(
      qiniAucScore(
        six,
        sixScores.map((s) => -s),
      ),
    ).toBeLessThan(0);
  });

  it('uplift curve, uplift@k and the average effect, by hand', () => {
    // (treated rate - control rate) x k: 1, 2, 3, 4, (2/3) x 5, (2/3 - 1/3) x 6.
    const c = upliftCurve(six, sixScores);
    expect(c.x).toEqual([0, 1, 2, 3, 4, 5, 6]);
    [0, 1, 2, 3, 4, 10 / 3, 2].forEach((v, i) => expect(c.y[i]).toBeCloseTo(v, 12));
    // Top half: treated 2/2 bought, control 0/1.
    expect(upliftAtK(six, sixScores, 0.5)).toBe(1);
    // Top 30% is floor(1.8) = 1 customer, treated only: no control rate to compare with.
    expect(upliftAtK(six, sixScores, 0.3)).toBeNaN();
    expect(averageEffect(six)).toBeCloseTo(2 / 3 - 1 / 3, 12);
  });

  it('matches scikit-uplift’s documented examples', () => {
    // test_qini_auc_score and test_uplift_auc_score.
    expect(qiniAucScore({ y: [0, 1], t: [1, 0] }, [0.1, 0.3])).toBeCloseTo(1, 12);
    expect(qiniAucScore({ y: [1, 0], t: [0, 1] }, [0.1, 0.3])).toBeCloseTo(1, 12);
    expect(upliftAucScore({ y: [0, 1], t: [1, 0] }, [0.1, 0.3])).toBeCloseTo(0, 12);
    expect(upliftAucScore({ y: [1, 0], t: [0, 1] }, [0.1, 0.3])).toBeCloseTo(1, 12);
    // make_predictions(binary=True): y [0, 1, 0], treatment [0, 1, 1], and a model that predicts
    // the same uplift for all three (one block of ties).
    const e = { y: [0, 1, 0], t: [0, 1, 1] };
    const tied = [0.5, 0.5, 0.5];
    expect(qiniCurve(e, tied)).toEqual({ x: [0, 3], y: [0, 1] });
    expect(upliftCurve(e, tied)).toEqual({ x: [0, 3], y: [0, 1.5] });
    expect(perfectQiniCurve(e)).toEqual({ x: [0, 1, 3], y: [0, 1, 1] });
    expect(perfectUpliftCurve(e)).toEqual({ x: [0, 1, 2, 3], y: [0, 1, 2, 1.5] });
  });

  it('random rankings score about 0, the true ranking far above, and ties are never lucky', () => {
    const random = seededRandom(5);
    const n = 20_000;
    const t: number[] = [];
    const y: number[] = [];
    const truth: number[] = [];
    for (let i = 0; i < n; i++) {
      const persuadable = random() < 0.3;
      t.push(random() < 0.5 ? 1 : 0);
      y.push(random() < (persuadable && t[i] ? 0.6 : 0.1) ? 1 : 0);
      truth.push(persuadable ? 0.5 : 0);
    }
    const e = { t, y };
    const noise = Array.from({ length: n }, () => random());
    expect(Math.abs(qiniAucScore(e, noise))).toBeLessThan(0.03);
    expect(qiniAucScore(e, truth)).toBeGreaterThan(0.25);
    // One constant score is one block: exactly the random line.
    expect(qiniAucScore(e, new Array(n).fill(0))).toBeCloseTo(0, 12);
    // The curve for charts starts at 0, ends at the total, and the random line is straight.
    const points = qiniAtShares(e, truth, [0, 0.5, 1]);
    expect(points[0]).toEqual({ share: 0, model: 0, random: 0 });
    expect(points[2].model).toBeCloseTo(points[2].random, 9);
    expect(points[1].random).toBeCloseTo(points[2].random / 2, 9);
    expect(points[1].model).toBeGreaterThan(points[1].random);
  });
});
