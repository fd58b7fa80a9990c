/**
 * The intent catalogue, the router's handler table, the training data and the shipped model must
 * name the same intents: a forgotten entry would tell even a marketer "That's something only the
 * shop's team can see", and a model trained on other data would answer with intents nobody routes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { INTENTS, STARTERS } from '../../dialogs/intents';
import { HANDLERS } from '../../dialogs/routes';
import { OUT_OF_SCOPE, OWN_INTENTS_FILE } from '../../nlp/intents/data';
import { loadIntentModel, classifyIntent } from '../../nlp/intents/classifier';
import { INTENT_MODEL_NAME, SHIPPED_MODELS_DIR } from '../../nlp/nlu';
import { CLARIFY_BELOW } from '../../dialogs/mainDialog';

const sorted = (xs: Iterable<string>) => [...xs].sort();
const trainingLabels = () =>
  Object.keys(JSON.parse(fs.readFileSync(OWN_INTENTS_FILE, 'utf8')) as Record<string, unknown>).filter(
    (k) => !k.startsWith('_'),
  );

describe('intent catalogue', () => {
  const model = loadIntentModel(SHIPPED_MODELS_DIR, INTENT_MODEL_NAME);

  it('names exactly the intents of the training data, apart from out of scope', () => {
    expect(sorted(Object.keys(INTENTS))).toEqual(sorted(trainingLabels().filter((l) => l !== OUT_OF_SCOPE)));
  });

  it('has one handler per intent, and no handler for anything else', () => {
    expect(sorted(Object.keys(HANDLERS))).toEqual(sorted(Object.keys(INTENTS)));
    for (const handler of Object.values(HANDLERS)) expect(typeof handler).toBe('function');
  });

  it("matches the shipped model's labels, and the model was trained on the training file as it is", () => {
    expect(sorted(model.labels)).toEqual(sorted(trainingLabels()));
    const hash = crypto
      .createHash('sha256')
      .update(fs.readFileSync(OWN_INTENTS_FILE))
      .digest('hex')
      .slice(0, 16);
    expect(model.dataHash).toBe(hash);
  });

  it('sends, for every button, a phrase the shipped model routes to that intent without a clarification', () => {
    const misrouted = Object.entries(INTENTS)
      .map(([intent, info]) => ({ intent, phrase: info.phrase, got: classifyIntent(model, info.phrase) }))
      .filter((r) => r.got.intent !== r.intent || r.got.confidence < CLARIFY_BELOW)
      .map((r) => `${r.phrase} -> ${r.got.intent} (${r.got.confidence.toFixed(2)})`);
    expect(misrouted).toEqual([]);
  });

  it('offers each role only starters it may use', () => {
    for (const [role, intents] of Object.entries(STARTERS))
      for (const intent of intents) expect(INTENTS[intent].roles).toContain(role);
  });
});
