import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { INTENT_MODEL_NAME, loadOrTrainNlu, SENTIMENT_MODEL_NAME } from '../../nlp/nlu';
import { OWN_INTENTS_FILE } from '../../nlp/intents/data';
import { tempDir } from '../support/files';

// Small models keep this test fast; the real ones are trained by `retain nlp train`.
const INTENTS: Record<string, string[]> = {
  order_status: [
    'where is my order',
    'order status',
    'has my order shipped',
    'track my parcel',
    'when will my order arrive',
    'is my package on its way',
  ],
  gift_ideas: [
    'gift ideas',
    'a present for my mum',
    'gift under 20 pounds',
    'birthday present ideas',
    'what can i give my sister',
    'christmas gift',
  ],
  unsubscribe: [
    'stop',
    'unsubscribe',
    'no more messages',
    'opt out',
    'stop emailing me',
    'remove me from the list',
  ],
  out_of_scope: [
    'what is the weather',
    'tell me a joke',
    'who won the match',
    'play music',
    'capital of france',
    'how tall is everest',
  ],
};

describe('loadOrTrainNlu: the runtime API of the bot', () => {
  const tmp = tempDir();
  const intentsFile = path.join(tmp.dir, 'intents.json');
  const modelsDir = path.join(tmp.dir, 'models');
  const today = new Date('2011-06-09T00:00:00Z');
  afterAll(() => tmp.cleanup());

  // No sentiment model in modelsDir: the shipped one answers, as on a fresh install.
  beforeAll(() => fs.writeFileSync(intentsFile, JSON.stringify(INTENTS)));

  test('trains the missing intent model once, then loads it from disk with equal answers', async () => {
    const gazetteer = {
      countries: ['Germany'],
      products: [{ code: '20725', name: 'LUNCH BAG RED RETROSPOT' }],
    };
    const first = await loadOrTrainNlu(modelsDir, { intentsFile, gazetteer, referenceDate: () => today });
    const intentFile = path.join(modelsDir, `${INTENT_MODEL_NAME}.json`);
    expect(fs.existsSync(intentFile)).toBe(true);
    // The shipped sentiment model stands in: nothing is trained from the review corpora.
    expect(fs.existsSync(path.join(modelsDir, `${SENTIMENT_MODEL_NAME}.json`))).toBe(false);
    const written = fs.statSync(intentFile).mtimeMs;

    const second = await loadOrTrainNlu(modelsDir, { intentsFile, gazetteer, referenceDate: () => today });
    expect(fs.statSync(intentFile).mtimeMs).toBe(written); // loaded, not retrained
    const messages = [
      'wheres my order 536365',
      'gift under £15 for my mum',
      'STOP',
      'tell me a joke',
      'lunch bag red retrospot was awful',
    ];
    for (const m of messages) expect(second.understand(m)).toEqual(first.understand(m));

    const u = second.understand('where is my order 536365');
    expect(u.intent).toBe('order_status');
    expect(u.confidence).toBeGreaterThan(0);
    expect(u.confidence).toBeLessThanOrEqual(1);
    expect(u.entities).toEqual([expect.objectContaining({ type: 'invoice', value: '536365' })]);
    expect(second.understand('gift under £15 for my mum').entities).toEqual([
      expect.objectContaining({ type: 'money', amount: 15, currency: 'GBP', bound: 'max' }),
    ]);
    expect(
      second.understand('stop emailing me since march', { referenceDate: new Date('2011-02-10T00:00:00Z') })
        .entities,
    ).toEqual([expect.objectContaining({ type: 'dateRange', from: '2010-03-01', to: '2011-02-11' })]);
    const s = second.understand('this is awful, terrible service').sentiment;
    expect(s.score).toBeLessThan(0);
    expect(s.label).toBe('negative');
  }, 120_000);
});

describe('models shipped in nlp/models', () => {
  test('the shipped intent model was trained on the current nlp/data/intents.json (retrain with `retain nlp train --models nlp/models`)', async () => {
    const tmp = tempDir();
    try {
      // An empty models directory: the shipped models are used, nothing is trained.
      const nlu = await loadOrTrainNlu(path.join(tmp.dir, 'models'));
      expect(fs.existsSync(path.join(tmp.dir, 'models', `${INTENT_MODEL_NAME}.json`))).toBe(false);
      expect(nlu.intentModel.dataHash).toBe(
        crypto.createHash('sha256').update(fs.readFileSync(OWN_INTENTS_FILE)).digest('hex').slice(0, 16),
      );
      expect(nlu.understand('which segments do we have?').intent).toBe('segment_overview');
      expect(nlu.understand('this is the worst service ever, I am furious').sentiment.label).toBe('negative');
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  test('the example requests of marketers and customers reach their intents', async () => {
    const tmp = tempDir();
    try {
      const nlu = await loadOrTrainNlu(path.join(tmp.dir, 'models'));
      const cases: [string, string][] = [
        ['which segments do we have?', 'segment_overview'],
        ['who is likely to churn in Germany?', 'at_risk_list'],
        ['what is customer 12347 worth?', 'customer_lookup'],
        ['start a win-back for at-risk customers with 10% off', 'create_campaign'],
        ["how did last month's win-back do?", 'campaign_status'],
        ['what would you recommend for me?', 'recommendations'],
        ['where is my order?', 'order_status'],
        ['stop', 'unsubscribe'],
        ['forget me', 'forget_me'],
        ['this bot is useless', 'feedback_complaint'],
        ['can I talk to a real person?', 'talk_to_person'],
      ];
      const got = cases.map(([text]) => [text, nlu.understand(text).intent]);
      expect(got).toEqual(cases);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
