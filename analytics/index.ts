/**
 * The customer-analytics API for the rest of retain (dialogs, jobs, the CLI). Pure models take
 * histories built from repository data; store.ts wraps them with loading and saving.
 *
 *   const histories = loadHistories(db);                 // or buildHistories(repo.iterateLines(...))
 *   const run = await trainAll(histories, { asOf });      // scores, models, profiles (pure)
 *   await trainAndStore(db, { asOf });                    // the same, stored per customer
 *   customerReport(db, '12347'); churnReport(db, 20); segmentReport(db);
 */
export {
  buildHistories,
  truncateHistories,
  DAY_MS,
  type Histories,
  type CustomerHistory,
  type LineInput,
} from './history';
export { defaultAsOf, addDays, isoDate } from './asOf';
export { customerFacts, allCustomerFacts, type CustomerFacts } from './features/customerFacts';
export {
  CHURN_FEATURES,
  labelledExamples,
  trainingExamples,
  trainingCutoffs,
} from './features/churnFeatures';
export {
  scoreRfm,
  segmentFor,
  quantileScores,
  DEFAULT_SEGMENT_RULES,
  type SegmentRule,
  type RfmScore,
} from './rfm/rfm';
export { fitClusters, assignCluster, describeCentroid, type ClusterModel } from './segments/clusters';
export { segmentProfiles, type SegmentProfile } from './segments/profiles';
export { fitKMeans, chooseK, silhouette } from './kmeans/kmeans';
export { fitBgNbd, pAlive, expectedPurchases, probabilityNoPurchase, type BgNbdModel } from './clv/bgnbd';
export { fitGammaGamma, expectedAverageValue, type GammaGammaModel } from './clv/gammaGamma';
export { customerLifetimeValue } from './clv/clv';
export { fitClvModels, scoreClv, type ClvModels } from './clv/fromFacts';
export { trainChurnModel } from './churn/train';
export { predictChurn, type ChurnModel } from './churn/model';
export { churnDrivers, type ChurnDriver } from './churn/drivers';
export { evaluateChurn, fitChurnAsOf, type ChurnEvaluation } from './churn/evaluate';
export { stageFor, stageChanges, STAGES, DEFAULT_STAGE_THRESHOLDS, type Stage } from './stage/stage';
export {
  rocAuc,
  prAuc,
  brier,
  logLoss,
  topFraction,
  evaluateBinary,
  type BinaryEvaluation,
} from './metrics/classification';
export { trainAll, type AnalyticsRun, type CustomerScore, type TrainOptions } from './pipeline';
export {
  loadHistories,
  defaultAsOfFor,
  trainAndStore,
  evaluateChurnInDb,
  segmentReport,
  churnReport,
  customerReport,
  NotTrainedError,
} from './store';
