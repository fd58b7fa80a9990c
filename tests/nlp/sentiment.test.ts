import { reviewCorpus, reviewCorpusFile } from '../../nlp/sentiment/data';
import { afinnScore } from '../../nlp/sentiment/lexicon';
import {
  analyseSentiment,
  fitSentimentModel,
  loadSentimentModel,
  positiveProbability,
  saveSentimentModel,
  type SentimentModel,
} from '../../nlp/sentiment/model';
import { tempDir } from '../support/files';
import { describeWithShared } from '../support/sharedData';

describeWithShared(
  [reviewCorpusFile('amazon'), reviewCorpusFile('yelp')],
  'sentiment (trained on amazon reviews, tested on yelp: another domain)',
  () => {
    let model: SentimentModel;
    const yelp = reviewCorpus('yelp');
    const tmp = tempDir();
    beforeAll(async () => {
      model = await fitSentimentModel(reviewCorpus('amazon'));
    }, 120_000);
    afterAll(() => tmp.cleanup());

    test('reads the UCI files whole (1,000 balanced sentences each)', () => {
      expect(yelp).toHaveLength(1000);
      expect(yelp.filter((s) => s.label === 1)).toHaveLength(500);
    });

    test('cross-domain accuracy beats the AFINN lexicon alone', () => {
      const acc =
        yelp.filter((s) => (positiveProbability(model, s.text) >= 0.5 ? 1 : 0) === s.label).length /
        yelp.length;
      const afinn = yelp.filter((s) => (afinnScore(s.text) > 0 ? 1 : 0) === s.label).length / yelp.length;
      expect(acc).toBeGreaterThanOrEqual(0.82);
      expect(acc).toBeGreaterThan(afinn);
    });

    test.each([
      ['I love this, works great', 'positive'],
      ['terrible, it broke after one day', 'negative'],
      ['not good at all', 'negative'],
      ['i would not recommend this to anyone', 'negative'],
    ])('%s -> %s, score in [-1, 1]', (text, label) => {
      const r = analyseSentiment(model, text);
      expect(r.label).toBe(label);
      expect(Math.abs(r.score)).toBeLessThanOrEqual(1);
    });

    test('negation flips the score', () => {
      expect(analyseSentiment(model, 'the service was good').score).toBeGreaterThan(
        analyseSentiment(model, 'the service was not good').score,
      );
    });

    test('save and load round-trip gives identical scores', () => {
      saveSentimentModel(model, tmp.dir);
      const loaded = loadSentimentModel(tmp.dir);
      for (const s of yelp.slice(0, 200))
        expect(analyseSentiment(loaded, s.text)).toEqual(analyseSentiment(model, s.text));
    });
  },
);
