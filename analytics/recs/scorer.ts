/**
 * Scores every product for one customer with each part of the hybrid, scaled to [0, 1]; the
 * weight search (train.ts) and serving (recommend.ts) blend these. Scratch arrays are allocated
 * once per model.
 */
import { scoreFromNeighbours } from './neighbours';
import { scoreAls } from './als';
import { popularityScores } from './popularity';
import type { RecsModel } from './model';

/** Per-component scores of every product for one customer, each scaled to [0, 1]. */
export interface ComponentScores {
  knn: Float64Array;
  als: Float64Array;
  content: Float64Array;
  popularity: Float64Array;
  knnSource: Int32Array;
  contentSource: Int32Array;
}

export class Scorer {
  private readonly s: ComponentScores;
  private readonly knnBest: Float64Array;
  private readonly contentBest: Float64Array;
  private readonly popularity: Float64Array;
  /** Scratch for serving: the blended scores, and a mark on each product the customer bought. */
  readonly blended: Float64Array;
  private readonly bought: Uint8Array;

  constructor(
    private readonly c: Pick<RecsModel, 'knn' | 'als' | 'content' | 'popularity'>,
    nItems: number,
  ) {
    this.s = {
      knn: new Float64Array(nItems),
      als: new Float64Array(nItems),
      content: new Float64Array(nItems),
      popularity: new Float64Array(nItems),
      knnSource: new Int32Array(nItems),
      contentSource: new Int32Array(nItems),
    };
    this.knnBest = new Float64Array(nItems);
    this.contentBest = new Float64Array(nItems);
    this.popularity = new Float64Array(nItems);
    this.blended = new Float64Array(nItems);
    this.bought = new Uint8Array(nItems);
    popularityScores(c.popularity, this.popularity);
    scaleToUnit(this.popularity);
  }

  markBought(items: Int32Array): Uint8Array {
    for (let h = 0; h < items.length; h++) this.bought[items[h]] = 1;
    return this.bought;
  }

  unmarkBought(items: Int32Array): void {
    for (let h = 0; h < items.length; h++) this.bought[items[h]] = 0;
  }

  /**
   * Fills the component scores; `user` is -1 for a customer with no history. `alsRow`: the
   * customer's ALS scores when they were computed in a batch (recommendMany).
   */
  score(
    user: number,
    histItems: Int32Array,
    histWeights: Float32Array,
    alsRow?: Float32Array,
  ): ComponentScores {
    const s = this.s;
    s.knn.fill(0);
    s.content.fill(0);
    this.knnBest.fill(0);
    this.contentBest.fill(0);
    s.knnSource.fill(-1);
    s.contentSource.fill(-1);
    s.popularity.set(this.popularity);
    if (user < 0 || histItems.length === 0) {
      s.als.fill(0);
      return s;
    }
    scoreFromNeighbours(this.c.knn, histItems, histWeights, s.knn, s.knnSource, this.knnBest);
    scoreFromNeighbours(this.c.content, histItems, histWeights, s.content, s.contentSource, this.contentBest);
    if (alsRow) s.als.set(alsRow);
    else scoreAls(this.c.als, user, s.als);
    scaleToUnit(s.knn);
    scaleToUnit(s.content);
    scaleToUnit(s.als);
    return s;
  }
}

/** Divides by the maximum; negative values (ALS) become 0: "no evidence for". */
function scaleToUnit(a: Float64Array): void {
  let max = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > max) max = a[i];
  if (max <= 0) {
    a.fill(0);
    return;
  }
  const inv = 1 / max;
  for (let i = 0; i < a.length; i++) a[i] = a[i] > 0 ? a[i] * inv : 0;
}
