/**
 * What the rest of retain (dialogs, win-back campaigns, the CLI) uses from the recommenders:
 *
 *   const { model } = loadOrTrainRecsModel(db, { modelsDir: config.modelsDir });
 *   recommend(model, '12347', { k: 5, maxPrice: 20 }).items   // each with .reason.text
 *   similarItems(model, '85123A', 5)                           // "something like X"
 *   completeBasket(rules, ['85123A', '71053'])                 // "frequently bought together"
 *
 * Models are plain data: train with fitRecs (pure), save with serializeRecsModel.
 */
export {
  fitRecs,
  recommend,
  recommendMany,
  similarItems,
  evaluateRecs,
  RECS_MODEL_VERSION,
  DEFAULT_PARAMS,
  type RecsModel,
  type RecsParams,
  type RecommendOptions,
  type RecommendResult,
  type Recommendation,
  type SimilarItem,
  type Reason,
  type ReasonKind,
  type BlendWeights,
  type RecsEvaluation,
} from './hybrid';
export { createAlsBatchScorer, jsAlsBatchScorer, type AlsBatchScorer } from './alsBatch';
export { loadOrTrainRecsModel, readRecsModel, RECS_MODEL_NAME, type LoadedRecsModel } from './service';
export { serializeRecsModel, deserializeRecsModel } from './serialize';
export type { RankingMetrics } from './metrics';
export type { TrainingData, Purchase, CatalogueItem } from './types';
export {
  mineRules,
  completeBasket,
  ruleKey,
  type AssociationRule,
  type RuleSet,
} from '../rules/associationRules';
export { basketsFromPurchases } from '../rules/orderBaskets';
