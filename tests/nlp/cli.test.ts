import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../support/cli';
import { tempDir } from '../support/files';

// Runs the compiled `retain` (npm test builds first; alone: `npm run build`).
describe('retain nlp commands', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const file = (name: string, lines: string[]) => {
    const f = path.join(tmp.dir, name);
    fs.writeFileSync(f, lines.join('\n') + '\n');
    return f;
  };
  const intents: Record<string, string[]> = {
    order: [
      'where is my order',
      'track my order',
      'order status please',
      'has my parcel shipped',
      'when does my order come',
      'my package is late',
    ],
    refund: [
      'i want a refund',
      'money back please',
      'refund my order',
      'how do i return this',
      'send it back for a refund',
      'return policy',
    ],
    hello: ['hi', 'hello there', 'good morning', 'hey', 'hiya', 'hello bot'],
  };

  test('eval-intents prints accuracy, macro-F1, per-intent scores, training time, p99 and the confusion matrix', async () => {
    const rows = Object.entries(intents).flatMap(([intent, texts]) =>
      texts.map((text) => ({ text, intent })),
    );
    const train = file(
      'train.jsonl',
      rows.map((r) => JSON.stringify(r)),
    );
    const test = file('test.csv', [
      'text,intent',
      'wheres my order,order',
      'i would like a refund,refund',
      'hello!,hello',
      'track order,order',
    ]);
    const r = await runCli([
      'nlp',
      'eval-intents',
      '--train',
      train,
      '--test',
      test,
      '--json',
      '--confusion',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual([
      'accuracy',
      'macroF1',
      'perIntent',
      'trainSeconds',
      'p99Ms',
      'confusion',
    ]);
    expect(out.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(Object.keys(out.perIntent).sort()).toEqual(['hello', 'order', 'refund']);
    expect(out.perIntent.order).toEqual(expect.objectContaining({ support: 2 }));
    expect(out.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(4);
  }, 120_000);

  test('eval-intents takes the word-vector weight (0 = none) and rejects a bad one with exit code 2', async () => {
    const rows = Object.entries(intents).flatMap(([intent, texts]) =>
      texts.map((text) => JSON.stringify({ text, intent })),
    );
    const train = file('train-wv.jsonl', rows);
    const test = file('test-wv.csv', ['text,intent', 'track order,order', 'money back,refund']);
    const evalIntents = (...flags: string[]) =>
      runCli(['nlp', 'eval-intents', '--train', train, '--test', test, ...flags]);
    const bad = await evalIntents('--word-vectors', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--word-vectors must be a number >= 0, got 'lots'");
    const none = await evalIntents('--word-vectors', '0', '--json');
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout).perIntent.order.support).toBe(1);
  }, 120_000);

  test('eval-intents rejects a missing file with exit code 2', async () => {
    const r = await runCli([
      'nlp',
      'eval-intents',
      '--train',
      path.join(tmp.dir, 'nope.jsonl'),
      '--test',
      path.join(tmp.dir, 'nope.csv'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
  });

  test('sentiment scores plain lines, and reads TSV gold labels to print accuracy', async () => {
    // An empty models directory: the shipped sentiment model answers.
    const models = path.join(tmp.dir, 'models');
    const plain = await runCli([
      'nlp',
      'sentiment',
      '--file',
      file('plain.txt', ['great food, loved it', 'awful and rude staff']),
      '--models',
      models,
      '--json',
    ]);
    expect(plain.code).toBe(0);
    const p = JSON.parse(plain.stdout);
    expect(p.results.map((x: { label: string }) => x.label)).toEqual(['positive', 'negative']);
    expect(p.accuracy).toBeUndefined();
    const tsv = file('gold.tsv', [
      'great food, loved it\t1',
      'awful and rude staff\t0',
      'best pizza in town\tpositive',
    ]);
    const gold = JSON.parse(
      (await runCli(['nlp', 'sentiment', '--file', tsv, '--models', models, '--json'])).stdout,
    );
    expect(gold.labelled).toBe(3);
    expect(gold.accuracy).toBeGreaterThanOrEqual(2 / 3);
    for (const x of gold.results) expect(Math.abs(x.score)).toBeLessThanOrEqual(1);
  }, 120_000);
});
