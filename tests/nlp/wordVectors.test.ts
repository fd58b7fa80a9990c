import { fitIntentClassifier } from '../../nlp/intents/classifier';
import fs from 'node:fs';
import path from 'node:path';
import {
  loadWordVectorsFrom,
  sentenceVector,
  wordVectorPackageDir,
  wordVectors,
  type WordVectors,
} from '../../nlp/text/wordVectors';
import { tokenize } from '../../nlp/text/normalize';
import { evaluateIntentModel } from '../../nlp/intents/evaluate';
import { readLabelledFile } from '../../nlp/corpus';
import { tempDir } from '../support/files';
import { sharedData, testWithShared } from '../support/sharedData';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('pre-trained word vectors', () => {
  let vectors: WordVectors;
  beforeAll(() => {
    const v = wordVectors();
    if (!v) throw new Error('the word-vector package is a dependency and must be installed');
    vectors = v;
  }, 120_000);

  test('know words by meaning: a message is nearer to its paraphrase than to another request', () => {
    const message = (t: string) => sentenceVector(tokenize(t), vectors);
    const deleteAccount = message('delete my account');
    expect(cosine(deleteAccount, message('erase my profile'))).toBeGreaterThan(
      cosine(deleteAccount, message('find an alternative to this app')),
    );
    const refund = message('refund my order');
    expect(cosine(refund, message('money back for my purchase'))).toBeGreaterThan(
      cosine(refund, message('show me some jumpers')),
    );
    expect(vectors.dim).toBe(100);
  });

  test('frequent words rank first, unknown words add nothing, a message vector has length 1', () => {
    expect(vectors.rank('the')).toBeLessThan(vectors.rank('refund'));
    expect(vectors.rank('xqzvvtt')).toBe(-1);
    const into = new Float32Array(vectors.dim);
    expect(vectors.addTo('xqzvvtt', into, 1)).toBe(false);
    expect(into.every((v) => v === 0)).toBe(true);
    const v = sentenceVector(['refund', 'please'], vectors);
    expect(Math.sqrt(cosine(v, v))).toBeCloseTo(1, 5);
    expect(sentenceVector(['xqzvvtt'], vectors).every((x) => x === 0)).toBe(true);
  });

  test('build their cache where they can write (node_modules may be read-only) and read it back', () => {
    const tmp = tempDir();
    try {
      // A path under a regular file cannot be created, even by root: the first place fails.
      const blocker = path.join(tmp.dir, 'not-a-folder');
      fs.writeFileSync(blocker, '');
      const unwritable = path.join(blocker, 'cache', 'vectors.bin');
      const writable = path.join(tmp.dir, 'cache', 'vectors.bin');
      const built = loadWordVectorsFrom(wordVectorPackageDir()!, [unwritable, writable]);
      expect(fs.existsSync(unwritable)).toBe(false);
      expect(fs.statSync(writable).size).toBeGreaterThan(10_000_000);
      const reread = loadWordVectorsFrom('/nonexistent-package-is-not-needed-with-a-cache', [
        unwritable,
        writable,
      ]);
      for (const word of ['delete', 'refund', 'jumper'])
        expect(Array.from(sentenceVector([word], reread))).toEqual(Array.from(sentenceVector([word], built)));
      expect(reread.rank('delete')).toBe(vectors.rank('delete'));
    } finally {
      tmp.cleanup();
    }
  }, 120_000);

  const hwu64 = { train: sharedData('hwu64', 'train.csv'), val: sharedData('hwu64', 'val.csv') };
  testWithShared(
    [hwu64.train, hwu64.val],
    'let a classifier trained on a few examples per intent understand unseen wording (HWU64)',
    async () => {
      // Five training examples for each of HWU64's 64 intents; scored on its validation file.
      const perIntent = new Map<string, number>();
      const train = readLabelledFile(hwu64.train).filter((t) => {
        const n = perIntent.get(t.intent) ?? 0;
        perIntent.set(t.intent, n + 1);
        return n < 5;
      });
      const val = readLabelledFile(hwu64.val);
      const accuracy = async (weight: number) => {
        const m = await fitIntentClassifier(train, {
          wordVectors: weight,
          architecture: 'linear',
          ensemble: 1,
        });
        return evaluateIntentModel(m, val).accuracy;
      };
      const without = await accuracy(0);
      const withVectors = await accuracy(1);
      expect(train.length).toBe(320);
      expect(withVectors).toBeGreaterThan(without + 0.03);
    },
    300_000,
  );
});
