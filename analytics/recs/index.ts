/**
 * What the rest of retain (dialogs, win-back campaigns, the CLI) uses from the recommenders:
 *
 *   const { model } = loadOrTrainRecsModel(db, { modelsDir: config.modelsDir });
 *   recommend(model, '12347', { k: 5, maxPrice: 20 }).items   // each with .reason.text
 *   similarItems(model, '85123A', 5)                           // "something like X"
 *
 * Models are plain data (model.ts): train with fitRecs (pure, train.ts), serve with recommend.ts,
 * save with serializeRecsModel. "Frequently bought together" is analytics/rules.
 */
export { fitRecs } from './train';
export { recommend, recommendMany, similarItems, type RecommendResult, type SimilarItem } from './recommend';
export type { Reason } from './reasons';
export { evaluateRecs } from './evaluate';
export type { RecsModel } from './model';
export { createAlsBatchScorer, jsAlsBatchScorer, type AlsBatchScorer } from './alsBatch';
export { loadOrTrainRecsModel, loadSavedRecsModel, readRecsModel, RECS_MODEL_NAME } from './service';
export { serializeRecsModel, deserializeRecsModel } from './serialize';
