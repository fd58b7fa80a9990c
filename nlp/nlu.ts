/**
 * The runtime API the bot uses: one object that understands a message (intent with calibrated
 * confidence, entities, sentiment). Models are loaded from `modelsDir` at start; a model is
 * trained (and saved) only when its files are missing, so a normal start never retrains.
 * `retain nlp train` rebuilds them on purpose (e.g. after editing nlp/data/intents.json).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { logger } from '../lib/logger';
import { projectPath } from '../lib/paths';
import { modelFilesExist } from './core/store';
import {
  classifyIntent,
  fitIntentClassifier,
  loadIntentModel,
  saveIntentModel,
  type IntentModel,
  type IntentScore,
} from './intents/classifier';
import { OUT_OF_SCOPE, OWN_INTENTS_FILE, readIntentSet } from './intents/data';
import { EntityExtractor, type Entity, type Gazetteer } from './entities/extract';
import {
  analyseSentiment,
  fitSentimentModel,
  loadSentimentModel,
  saveSentimentModel,
  type SentimentModel,
  type SentimentResult,
} from './sentiment/model';
import { reviewCorpus } from './sentiment/data';

export const INTENT_MODEL_NAME = 'intents';
export const SENTIMENT_MODEL_NAME = 'sentiment';

export interface Understanding {
  text: string;
  /** The best intent, or "out_of_scope" when its confidence is under the model's threshold. */
  intent: string;
  /** Calibrated probability of the best in-scope intent. */
  confidence: number;
  /** Best intents first, for dialogs that want to offer "did you mean ...". */
  alternatives: IntentScore[];
  entities: Entity[];
  sentiment: SentimentResult;
}

export interface UnderstandOptions {
  /** "Today" for relative dates ("last quarter"); defaults to the Nlu's reference date. */
  referenceDate?: Date;
}

export class Nlu {
  private extractor: EntityExtractor;

  constructor(
    readonly intentModel: IntentModel,
    readonly sentimentModel: SentimentModel,
    gazetteer: Gazetteer = {},
    private readonly referenceDate: () => Date = () => new Date(),
  ) {
    this.extractor = new EntityExtractor(gazetteer);
  }

  /** Swap the known segments/countries/customers/products (e.g. after an import). */
  setGazetteer(gazetteer: Gazetteer): void {
    this.extractor = new EntityExtractor(gazetteer);
  }

  /** Sentiment alone (no intent or entities), for scoring many sentences. */
  understandSentiment(text: string): SentimentResult {
    return analyseSentiment(this.sentimentModel, text);
  }

  understand(text: string, opts: UnderstandOptions = {}): Understanding {
    const p = classifyIntent(this.intentModel, text);
    return {
      text,
      intent: p.intent,
      confidence: Math.round(p.confidence * 1000) / 1000,
      alternatives: p.ranking
        .slice(0, 3)
        .map((r) => ({ intent: r.intent, confidence: Math.round(r.confidence * 1000) / 1000 })),
      entities: this.extractor.extract(text, opts.referenceDate ?? this.referenceDate()),
      sentiment: analyseSentiment(this.sentimentModel, text),
    };
  }
}

export interface NluOptions {
  gazetteer?: Gazetteer;
  referenceDate?: () => Date;
  /** Training data used only when a model is missing. */
  intentsFile?: string;
}

function fileHash(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}

export async function trainIntentModel(
  modelsDir: string,
  intentsFile = OWN_INTENTS_FILE,
): Promise<IntentModel> {
  const model = await fitIntentClassifier(readIntentSet(intentsFile), { outOfScopeIntent: OUT_OF_SCOPE });
  model.dataHash = fileHash(intentsFile);
  saveIntentModel(model, modelsDir, INTENT_MODEL_NAME);
  return model;
}

export async function trainSentimentModel(modelsDir: string): Promise<SentimentModel> {
  const model = await fitSentimentModel([...reviewCorpus('amazon'), ...reviewCorpus('yelp')]);
  saveSentimentModel(model, modelsDir, SENTIMENT_MODEL_NAME);
  return model;
}

/**
 * Trained models shipped with retain (nlp/models), so a fresh install understands messages at
 * once and needs no training data: the intent model from nlp/data/intents.json and the sentiment
 * model from the UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015; see README). A model
 * in the models directory (RETAIN_MODELS_DIR, written by `retain nlp train`) takes precedence.
 */
export const SHIPPED_MODELS_DIR = projectPath('nlp', 'models');

function sentimentModelDir(modelsDir: string, name: string): string | undefined {
  if (modelFilesExist(modelsDir, name)) return modelsDir;
  if (modelFilesExist(SHIPPED_MODELS_DIR, name)) return SHIPPED_MODELS_DIR;
  return undefined;
}

export async function loadOrTrainIntentModel(
  modelsDir: string,
  intentsFile = OWN_INTENTS_FILE,
): Promise<IntentModel> {
  if (!modelFilesExist(modelsDir, INTENT_MODEL_NAME)) {
    // The shipped model only stands in for a model of the same training data.
    if (modelFilesExist(SHIPPED_MODELS_DIR, INTENT_MODEL_NAME)) {
      const shipped = loadIntentModel(SHIPPED_MODELS_DIR, INTENT_MODEL_NAME);
      if (fs.existsSync(intentsFile) && shipped.dataHash === fileHash(intentsFile)) return shipped;
    }
    logger().info(`no intent model for ${intentsFile} in ${modelsDir}: training one`);
    return trainIntentModel(modelsDir, intentsFile);
  }
  const model = loadIntentModel(modelsDir, INTENT_MODEL_NAME);
  if (model.dataHash && fs.existsSync(intentsFile) && model.dataHash !== fileHash(intentsFile)) {
    logger().warn(`${intentsFile} changed since the intent model was trained: run \`retain nlp train\``);
  }
  return model;
}

export async function loadOrTrainSentimentModel(modelsDir: string): Promise<SentimentModel> {
  const dir = sentimentModelDir(modelsDir, SENTIMENT_MODEL_NAME);
  if (dir) return loadSentimentModel(dir, SENTIMENT_MODEL_NAME);
  logger().info(`no sentiment model in ${modelsDir}: training one`);
  return trainSentimentModel(modelsDir);
}

/** Loads both models from `modelsDir`, training (and saving) whichever is missing. */
export async function loadOrTrainNlu(modelsDir: string, opts: NluOptions = {}): Promise<Nlu> {
  const intents = await loadOrTrainIntentModel(modelsDir, opts.intentsFile ?? OWN_INTENTS_FILE);
  const sentiment = await loadOrTrainSentimentModel(modelsDir);
  return new Nlu(intents, sentiment, opts.gazetteer, opts.referenceDate);
}
