import fs from 'node:fs';
import path from 'node:path';
import {
  classifyIntent,
  DEFAULT_INTENT_OPTIONS,
  fitIntentClassifier,
  loadIntentModel,
  saveIntentModel,
  type IntentModel,
  type LabelledText,
} from '../../nlp/intents/classifier';
import { evaluateIntentModel, scorePredictions } from '../../nlp/intents/evaluate';
import { readIntentSet } from '../../nlp/intents/data';
import { readLabelledFile } from '../../nlp/corpus';
import { DEFAULT_FEATURE_SPEC, extractFeatures, fnv1a } from '../../nlp/text/features';
import { averageLinearNets, netLogits, type NetWeights } from '../../nlp/core/sparseNet';
import { tempDir } from '../support/files';

// The project's own intent set, split by a hash of the text: 20% held out, never trained on.
const all = readIntentSet();
const isHeldOut = (t: LabelledText) => (fnv1a(t.text.toLowerCase()) >>> 0) % 5 === 0;
const train = all.filter((t) => !isHeldOut(t));
const heldOut = all.filter(isHeldOut);

const REQUIRED_INTENTS = [
  'segment_overview',
  'segment_detail',
  'churn_report',
  'at_risk_list',
  'customer_lookup',
  'clv_report',
  'product_insight',
  'create_campaign',
  'campaign_status',
  'model_status',
  'help',
  'recommendations',
  'similar_items',
  'gift_ideas',
  'order_status',
  'returns_refunds',
  'delivery_question',
  'feedback_complaint',
  'talk_to_person',
  'unsubscribe',
  'resubscribe',
  'forget_me',
  'greeting',
  'thanks',
  'goodbye',
  'out_of_scope',
];

describe("retain's own intent set", () => {
  let model: IntentModel;
  const tmp = tempDir();
  beforeAll(async () => {
    model = await fitIntentClassifier(train, { outOfScopeIntent: 'out_of_scope' });
  }, 180_000);
  afterAll(() => tmp.cleanup());

  test('covers every intent the assistant handles with many paraphrases each', () => {
    const counts = new Map<string, number>();
    for (const t of all) counts.set(t.intent, (counts.get(t.intent) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...REQUIRED_INTENTS].sort());
    for (const intent of REQUIRED_INTENTS)
      expect({ intent, enough: counts.get(intent)! >= 20 }).toEqual({ intent, enough: true });
  });

  test('held-out accuracy and macro-F1 on paraphrases it never saw', () => {
    const report = evaluateIntentModel(model, heldOut);
    expect(heldOut.length).toBeGreaterThan(150);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(report.macroF1).toBeGreaterThanOrEqual(0.7);
  });

  test.each([
    ['wher is my ordr', 'order_status'],
    ['STOP', 'unsubscribe'],
    ['gift for my dad under £20', 'gift_ideas'],
    ['hiya', 'greeting'],
    ['thx', 'thanks'],
    ['show me churn since march', 'churn_report'],
    ['talk to a human pls', 'talk_to_person'],
    ['delete all my data', 'forget_me'],
  ])('terse and misspelt chat: %s -> %s', (text, intent) => {
    expect(classifyIntent(model, text).intent).toBe(intent);
  });

  test('messages far from every intent fall out of scope', () => {
    const outside = ['what is the capital of mongolia', 'sing me a lullaby', 'how do i bake sourdough bread'];
    const predicted = outside.map((t) => classifyIntent(model, t).intent);
    expect(predicted.filter((p) => p === 'out_of_scope').length).toBeGreaterThanOrEqual(2);
  });

  test('confidence is calibrated: right answers are more confident than wrong ones', () => {
    const scored = heldOut.map((t) => {
      const p = classifyIntent(model, t.text);
      return { right: p.ranking[0].intent === t.intent, confidence: p.confidence };
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const right = scored.filter((s) => s.right).map((s) => s.confidence);
    const wrong = scored.filter((s) => !s.right).map((s) => s.confidence);
    expect(mean(right)).toBeGreaterThan(mean(wrong) + 0.1);
    // Average confidence close to the actual accuracy (temperature scaling), within 0.15.
    expect(Math.abs(mean(scored.map((s) => s.confidence)) - right.length / scored.length)).toBeLessThan(0.15);
    expect(model.temperature).toBeGreaterThan(0);
    expect(model.threshold).toBeGreaterThanOrEqual(0);
  });

  test('save and load round-trip gives identical predictions', () => {
    saveIntentModel(model, tmp.dir, 'roundtrip');
    expect(fs.existsSync(path.join(tmp.dir, 'roundtrip.json'))).toBe(true);
    const loaded = loadIntentModel(tmp.dir, 'roundtrip');
    for (const t of heldOut) expect(classifyIntent(loaded, t.text)).toEqual(classifyIntent(model, t.text));
  });
});

describe('evaluation and corpus reading', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  test('macro-F1 averages per-intent F1 over gold intents', () => {
    const r = scorePredictions(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b'], true);
    expect(r.accuracy).toBe(0.75);
    expect(r.perIntent.a).toEqual({ precision: 1, recall: 0.5, f1: 0.6667, support: 2 });
    expect(r.perIntent.b.f1).toBe(0.8);
    expect(r.macroF1).toBeCloseTo((2 / 3 + 0.8) / 2, 3);
    expect(r.confusion).toEqual({
      labels: ['a', 'b'],
      matrix: [
        [1, 1],
        [0, 2],
      ],
    });
  });

  test('a public corpus\'s "None" label is taken as its out-of-scope label', async () => {
    const rows = [
      ...[
        'when is the next train',
        'next bus to the airport',
        'departure of the s-bahn',
        'when does the tram leave',
      ].map((text) => ({ text, intent: 'DepartureTime' })),
      ...[
        'route from a to b',
        'how do i get to the station',
        'connection to the airport',
        'way from home to work',
      ].map((text) => ({ text, intent: 'FindConnection' })),
      ...['i like turtles', 'what a nice day', 'pizza is great', 'my cat sleeps'].map((text) => ({
        text,
        intent: 'None',
      })),
    ];
    // Options the CLI leaves undefined (no --architecture flag) must keep their defaults.
    const m = await fitIntentClassifier(rows, { maxEpochs: 15, architecture: undefined });
    expect(m.options.architecture).toBe(DEFAULT_INTENT_OPTIONS.architecture);
    expect(m.outOfScopeIntent).toBe('None');
    expect(classifyIntent(m, 'when is the next tram').intent).toBe('DepartureTime');
  }, 60_000);

  test('a rare intent is still recognised next to a frequent one: class weighting (balance) lifts it', async () => {
    // 30 ways to ask where a parcel is, 3 ways to ask for a return that share its words.
    const things = ['parcel', 'order', 'package', 'delivery', 'item'];
    const frequent = things.flatMap((w) =>
      [
        `when will my ${w} arrive`,
        `where is my ${w}`,
        `track my ${w}`,
        `has my ${w} shipped`,
        `${w} not here yet`,
        `how long until my ${w} comes`,
      ].map((text) => ({ text, intent: 'where_is_it' })),
    );
    const rare = ['send my parcel back', 'return an order', 'i want a refund for my item'].map((text) => ({
      text,
      intent: 'returns',
    }));
    const unseen = [
      'can i send this package back',
      'return my parcel',
      'refund my delivery',
      'send the item back please',
      'i want to return my package',
    ];
    const returnsConfidence = async (balance: number) => {
      const m = await fitIntentClassifier([...frequent, ...rare], { balance, ensemble: 1, maxEpochs: 30 });
      return unseen.map((t) => classifyIntent(m, t).ranking.find((r) => r.intent === 'returns')!.confidence);
    };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Two intents: above 0.5 is the top answer.
    const recognised = (confidences: number[]) => confidences.filter((c) => c > 0.5).length;
    const plain = await returnsConfidence(0);
    const weighted = await returnsConfidence(DEFAULT_INTENT_OPTIONS.balance);
    expect(DEFAULT_INTENT_OPTIONS.balance).toBeGreaterThan(0);
    expect(mean(weighted)).toBeGreaterThan(mean(plain) + 0.02);
    expect(recognised(weighted)).toBeGreaterThanOrEqual(recognised(plain));
    // Trained long enough to learn it at all (early stopping cannot see an intent this rare).
    expect(recognised(weighted)).toBeGreaterThanOrEqual(2);
  }, 120_000);

  test('character n-grams across word boundaries; models saved without them read the same', () => {
    const withSpan = extractFeatures('set an alarm', DEFAULT_FEATURE_SPEC)[1];
    const without = extractFeatures('set an alarm', { ...DEFAULT_FEATURE_SPEC, spanChars: undefined })[1];
    expect(DEFAULT_FEATURE_SPEC.spanChars).toBeGreaterThan(0);
    for (const id of without.keys()) expect(withSpan.has(id)).toBe(true);
    // " set an alarm ": every 5-gram that crosses a space ("set a", "t an ", ...).
    expect(withSpan.size).toBeGreaterThan(without.size);
    expect(extractFeatures('set an alarm', { ...DEFAULT_FEATURE_SPEC, spanChars: 0 })[1]).toEqual(without);
  });

  test('averaging linear nets (the seed ensemble) predicts the mean of their logits', () => {
    const shape = { architecture: 'linear' as const, inputDim: 3, denseDim: 0, hidden: 0, classes: 2 };
    const net = (emb: number[], bias: number[]): NetWeights => ({
      shape,
      emb: Float32Array.from(emb),
      bias: Float32Array.from(bias),
    });
    const a = net([1, 0, 0, 2, 3, -1], [0.5, 0]);
    const b = net([-1, 2, 4, 0, 1, 1], [0, 1.5]);
    const x = { idx: Int32Array.from([0, 2]), val: Float32Array.from([0.6, 0.8]) };
    const mean = averageLinearNets([a, b]);
    const expected = [0, 1].map((c) => (netLogits(a, x)[c] + netLogits(b, x)[c]) / 2);
    expect(Array.from(netLogits(mean, x)).map((v) => Number(v.toFixed(5)))).toEqual(
      expected.map((v) => Number(v.toFixed(5))),
    );
    expect(() => averageLinearNets([{ ...a, shape: { ...shape, architecture: 'mlp' } }, b])).toThrow();
  });

  test('reads JSON lines, CSV text,intent and Bitext-style headers (intent preferred over category)', () => {
    const jsonl = path.join(tmp.dir, 'a.jsonl');
    fs.writeFileSync(jsonl, '{"text":"hi","intent":"greet"}\n\n{"text":"bye","intent":"bye"}\n');
    expect(readLabelledFile(jsonl)).toEqual([
      { text: 'hi', intent: 'greet' },
      { text: 'bye', intent: 'bye' },
    ]);
    const csv = path.join(tmp.dir, 'b.csv');
    fs.writeFileSync(csv, 'text,intent\n"hello, there",greet\n');
    expect(readLabelledFile(csv)).toEqual([{ text: 'hello, there', intent: 'greet' }]);
    const bitext = path.join(tmp.dir, 'c.csv');
    fs.writeFileSync(
      bitext,
      '\uFEFFflags,utterance,category,intent\nBL,cancel my order,ORDER,cancel_order\n',
    );
    expect(readLabelledFile(bitext)).toEqual([{ text: 'cancel my order', intent: 'cancel_order' }]);
    const bad = path.join(tmp.dir, 'd.jsonl');
    fs.writeFileSync(bad, '{"text": 3}\n');
    expect(() => readLabelledFile(bad)).toThrow(/d.jsonl:1/);
  });
});
