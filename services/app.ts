/**
 * The application, composed once from a store and a validated configuration: the services the
 * conversation and the CLI use (reports, customer care, recommendations, campaigns), the language
 * understanding, and the models they answer from. The bot's server, the test shop, the server
 * benchmark and the CLI all build it here, so what the tests exercise is what users run.
 */
import type { Config } from '../lib/config';
import { createLogger, type Logger } from '../lib/logger';
import type { Store } from '../data/store';
import { trainAndStore } from '../analytics/training';
import { loadOrTrainRecsModel, loadSavedRecsModel } from '../analytics/recs/service';
import type { RecsModel } from '../analytics/recs';
import { loadOrTrainNlu, type Nlu } from '../nlp/nlu';
import type { Gazetteer } from '../nlp/entities/extract';
import { ReportService } from './reports';
import { CustomerCareService } from './customerCare';
import type { VerificationCodeMailer } from './verification';
import { RecommendationService } from './recommendations';
import { CampaignService } from './campaigns';
import { readFaq } from './faq';
import { shopVocabulary } from './vocabulary';
import { Analyst } from './analyst';

/** What the conversation may ask of retain: every service is always there. */
export interface AppServices {
  reports: ReportService;
  /** Marketers' own questions about the shop's figures ("revenue by country this year"). */
  analyst: Analyst;
  care: CustomerCareService;
  recommendations: RecommendationService;
  campaigns: CampaignService;
}

export interface App extends AppServices {
  store: Store;
  nlu: Nlu;
  /** The shop's names (customers, countries, products, segments) for entity extraction. */
  vocabulary(): Gazetteer;
  /**
   * New orders or models arrived (the nightly job): reload the recommender, refresh the
   * vocabulary and drop cached report figures, so answers come from the new data from now on.
   */
  refresh(): void;
}

export interface ComposeOptions {
  log?: Logger;
  now?: () => Date;
  /**
   * Train the analytics and the recommender when the store has orders but no trained models
   * (a first start). Without it, reports say they are not trained yet.
   */
  trainIfMissing?: boolean;
  /** Mails one-time verification codes (the server passes its email channel's, when it has one). */
  codeMailer?: VerificationCodeMailer;
}

export async function composeApp(store: Store, config: Config, options: ComposeOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel);
  const now = options.now ?? (() => new Date());
  const hasOrders = store.orders.dataExtent().orders > 0;
  if (options.trainIfMissing && hasOrders && !store.scores.latestAsOf()) await trainAnalytics(store, log);

  const recommendations = new RecommendationService(() =>
    hasOrdersNow(store) ? loadRecommender(store, config, log, options.trainIfMissing ?? false) : null,
  );
  // A server loads (or trains) it at start, not on a customer's first question.
  if (options.trainIfMissing) recommendations.reload();
  const reports = new ReportService(store, now);
  const care = new CustomerCareService(store, {
    faq: readFaq(config.faqFile),
    complaintQuietDays: config.jobs.suppression.complaintDays,
    now,
    codeMailer: options.codeMailer,
    // Nothing held in memory may still name the person: cached figures, the recommender
    // (reloaded from the cleaned file) and the customer ids the language model knows.
    onErased: () => {
      reports.invalidate();
      recommendations.reload();
      nlu.setGazetteer(shopVocabulary(store));
    },
  });
  const campaigns = new CampaignService(store, now, config.jobs.suppression, config.jobs.channels);
  const nlu = await loadOrTrainNlu(config.modelsDir, {
    gazetteer: shopVocabulary(store),
    referenceDate: () => reports.referenceDate(),
  });

  return {
    store,
    nlu,
    reports,
    analyst: new Analyst(store.facts),
    care,
    recommendations,
    campaigns,
    vocabulary: () => shopVocabulary(store),
    refresh() {
      recommendations.reload();
      reports.invalidate();
      nlu.setGazetteer(shopVocabulary(store));
    },
  };
}

function hasOrdersNow(store: Store): boolean {
  return store.orders.dataExtent().orders > 0;
}

/** First start on a database with orders: the dialogs need segments, churn and CLV scores. */
async function trainAnalytics(store: Store, log: Logger): Promise<void> {
  log.info(
    'no analytics yet: training segments, churn and lifetime value (once; later the nightly job retrains)',
  );
  try {
    const { summary } = await trainAndStore(store);
    log.info(`analytics trained as of ${summary.asOf.slice(0, 10)} for ${summary.customers} customers`);
  } catch (err) {
    // The bot still answers customers; marketers are told the reports are not ready.
    log.warn(
      { err },
      'could not train the analytics; reports stay unavailable until `retain train` succeeds',
    );
  }
}

function loadRecommender(store: Store, config: Config, log: Logger, train: boolean): RecsModel | null {
  try {
    if (!train) return loadSavedRecsModel(store);
    const loaded = loadOrTrainRecsModel(store, { modelsDir: config.modelsDir });
    if (loaded.trained) log.info(`recommender trained (${loaded.run.version})`);
    return loaded.model;
  } catch (err) {
    log.warn({ err }, 'could not load or train the recommender; recommendations are unavailable');
    return null;
  }
}
