/**
 * The words of questions about the shop's figures: how marketers name measures, dimensions,
 * shapes (rankings, breakdowns, trends, comparisons) and follow-ups, and the things retain has no
 * data for. Patterns run on normalised text (text.ts: lower case, no apostrophes or punctuation).
 */
import { ONE_TO_TWELVE } from '../text/numberWords';
import type { Dimension, Measure } from './spec';

/** A whole-word pattern, global (for matchAll). */
const words = (source: string) => new RegExp(`\\b(?:${source})\\b`, 'g');

const CUSTOMER = `(?:customers?|buyers?|shoppers?|clients?|purchasers?|consumers?|accounts?)`;
const PEOPLE = `(?:customers?|buyers?|shoppers?|clients?|people|users?)`;
const AVERAGE = `(?:average|avg|mean|median|typical)`;

export type MeasureRole = 'ratio' | 'amount' | 'kind' | 'count';

export interface MeasureCue {
  measure: Measure;
  role: MeasureRole;
  pattern: RegExp;
  /** Only the first two and the last word name the measure; the words between are read on their own. */
  weak?: boolean;
  /** Names a figure by itself ("revenue", "units"), where "orders" or "customers" may just name things. */
  figure?: boolean;
}

/**
 * In the order they are tried: longer, more specific phrases first, so that "average order
 * value" is not read as "orders" and "new customers" not as "customers". Ratios win over
 * everything else in a question; "kind" phrases (new, returning, lost customers) become filters
 * when another measure is asked for ("revenue from new customers").
 */
export const MEASURE_CUES: MeasureCue[] = [
  {
    measure: 'clv',
    role: 'ratio',
    pattern: words(
      `clv|ltv|cltv|c l v|(?:customer )?life ?time (?:customer )?value|lifetime (?:spend|worth)` +
        `|(?:predicted|expected|future) (?:customer )?(?:lifetime )?(?:value|spend)|customer values?`,
    ),
  },
  {
    measure: 'itemsPerOrder',
    role: 'ratio',
    pattern: words(
      `(?:items|units|products|pieces|articles|lines|things) (?:per|in an?|in each|in the average|in the typical|by) (?:order|basket|cart|invoice|transaction|purchase)` +
        `|(?:${AVERAGE} )?(?:basket|order|cart) sizes?` +
        `|${AVERAGE} (?:number of )?(?:items|units|pieces|products)(?: (?:per|in an?|in each) (?:order|basket|cart|invoice))?` +
        // "how many items are in a French order": the word before "order" is read on its own.
        `|how many (?:items|units|pieces|products|things|articles) (?:go|goes|are|get put|do (?:people|customers|they) (?:buy|put)) (?:in|into|per) (?:an?|each|every|one|the average|the typical|a typical)(?= (?:\\w+ )?(?:order|basket|cart)\\b)`,
    ),
  },
  {
    measure: 'aov',
    role: 'ratio',
    pattern: words(
      `aov|a o v` +
        `|${AVERAGE} (?:order|basket|cart|ticket|transaction|sale|purchase|invoice)s? (?:value|amount|worth|total|revenue|spend)` +
        `|${AVERAGE} (?:order|basket|cart|ticket|transaction|invoice)s?(?! per)` +
        `|(?:order|basket|cart|ticket|transaction|invoice) values?` +
        `|typical order(?: is)? worth` +
        `|(?:spend|revenue|value|sales) (?:per|by|for each|of an?) (?:order|basket|cart|transaction|invoice)` +
        `|(?:spends?|spent|spending|pays?|paid)(?: the)?(?: most| least| more| less)? per (?:order|basket|transaction|invoice)`,
    ),
  },
  {
    measure: 'ordersPerCustomer',
    role: 'ratio',
    pattern: words(
      `(?:orders|purchases|invoices|transactions) (?:per|by each|for each|of an?) ${CUSTOMER}` +
        `|${AVERAGE} (?:number of )?(?:orders|purchases) (?:per|by|for each|of an?) ${CUSTOMER}` +
        `|(?:purchase|order|buying) frequency` +
        `|how often (?:do|does|did) (?:our |the )?(?:customers?|people|buyers?|shoppers?|clients?) (?:order|buy|purchase|shop)` +
        `|how many (?:orders|purchases|times) (?:does|do|did|will) (?:the ${AVERAGE} |an? (?:${AVERAGE} )?|each |every |one )${CUSTOMER} (?:place|make|have|put in|order|buy|shop)`,
    ),
  },
  {
    measure: 'spendPerCustomer',
    role: 'ratio',
    pattern: words(
      `(?:spend|spending|revenue|sales|value|income|money|turnover) (?:per|by each|for each|of an?|of the average) (?:${CUSTOMER}|head|person|user)` +
        `|${AVERAGE} (?:customer |buyer |client |shopper )?(?:spend|spending)` +
        `|${AVERAGE} ${CUSTOMER} (?:spends?|spent|spending|is worth|buys)` +
        `|how much (?:does|do|did|will) (?:the |an? |our |each )?(?:${AVERAGE} )?${CUSTOMER} (?:spend|buy|order)` +
        `|arpu|arpc`,
    ),
  },
  {
    measure: 'repeatRate',
    role: 'ratio',
    pattern: words(
      `repeat(?:ed)?[- ]?(?:purchase|order|buy|buying|customer|buyer)?s? (?:rate|ratio|share|percentage)` +
        `|re-?purchase (?:rate|ratio)|returning (?:customer )?rate` +
        `|rate of (?:repeat|returning) (?:purchases?|orders?|buying|customers?)` +
        `|(?:share|percentage|proportion|percent|fraction|ratio|rate|%) of ${PEOPLE} (?:who |that )?(?:have )?(?:bought|ordered|purchased|came back|come back|returned|shopped|order|buy|purchase)(?: from us)?(?: again| more than once| twice| at least twice| repeatedly| multiple times| a second time)`,
    ),
  },
  {
    measure: 'returnRate',
    role: 'ratio',
    pattern: words(
      `(?:return|returns|cancellation|cancellations|cancel|refund|refunds|returned|cancelled)(?: (?:and|or|/) (?:return|returns|cancellation|cancellations|refund|refunds|cancelled|returned))? (?:rate|ratio|share|percentage|percent|%)` +
        `|(?:share|percentage|proportion|percent|fraction|%|how much) of (?:our )?(?:sales|revenue|orders|merchandise|goods|items|units|turnover) (?:(?:was|were|got|is|are|gets|get|been|has been|have been) )?(?:cancelled|returned|refunded|sent back)`,
    ),
  },
  {
    measure: 'churnRate',
    role: 'ratio',
    pattern: words(
      `churn(?:ed)? (?:rate|ratio|percentage|%)|attrition(?: rate)?|rate of (?:churn|attrition)|(?:customer )?churn(?! risk| probabilit| likelihood| score| chance| propensity| model)` +
        `|(?:share|percentage|proportion|%) of ${CUSTOMER} (?:we )?(?:lost|churned|lose)`,
    ),
  },
  {
    measure: 'retentionRate',
    role: 'ratio',
    pattern: words(`(?:customer )?retention(?: rate| ratio| percentage)?|retained ${CUSTOMER}`),
  },
  {
    measure: 'churnRisk',
    role: 'ratio',
    pattern: words(
      `churn(?:ing)? (?:risk|risks|probability|probabilities|likelihood|score|scores|chance|propensity)` +
        `|risk of (?:churn|churning|leaving|lapsing)|(?:likelihood|probability|chance) (?:of|to) (?:churn|churning|leave|leaving|lapse)` +
        `|${AVERAGE} churn`,
    ),
  },
  {
    measure: 'cancelledValue',
    role: 'amount',
    pattern: words(
      `(?:value|amount|revenue|sales|money|worth|total) (?:of |from |in |lost to )?(?:cancellations|returns|refunds|cancelled orders|returned (?:goods|items|orders))` +
        `|(?:cancelled|returned|refunded) (?:value|revenue|sales|amount|merchandise|goods|money)` +
        `|how much (?:was |were |got |did we |have we |has been |had been )?(?:cancelled|returned|refunded|refund|lose to (?:returns|cancellations))`,
    ),
  },
  {
    measure: 'cancellations',
    role: 'amount',
    pattern: words(
      `cancellations|cancelled (?:orders|invoices)|returns|returned orders|refunds|credit notes` +
        `|orders (?:that (?:were|got) |which (?:were|got) |were |got )?(?:cancelled|returned|refunded)`,
    ),
  },
  {
    measure: 'newCustomers',
    role: 'kind',
    pattern: words(
      `(?:brand new|new|first[- ]?time|newly acquired|acquired|fresh|first[- ]?order) (?:${CUSTOMER}|ones)` +
        `|(?:customer )?acquisitions?|${CUSTOMER} (?:we )?(?:acquired|gained|won|added)` +
        `|(?:acquire|acquired|gain|gained|win|won) (?:any |many |more )?(?:new )?${CUSTOMER}`,
    ),
  },
  {
    measure: 'returningCustomers',
    role: 'kind',
    pattern: words(
      `(?:returning|repeat|existing|recurring|regular|old|previous|past) (?:${CUSTOMER}|ones)` +
        `|${CUSTOMER} (?:who|that) (?:came|come|have come|had come) back`,
    ),
  },
  {
    measure: 'repeatCustomers',
    role: 'kind',
    pattern: words(
      `${PEOPLE} (?:who |that )?(?:have )?(?:bought|ordered|purchased|shopped|came back|returned|order|buy)(?: from us)? (?:more than once|again|twice|at least twice|repeatedly|multiple times|a second time|two or more times)`,
    ),
  },
  {
    measure: 'lostCustomers',
    role: 'kind',
    pattern: words(
      `(?:lost|churned|departed|lapsing|defected) (?:${CUSTOMER}|ones)(?! segment)` +
        `|${CUSTOMER} (?:(?:did|have|do) )?(?:we )?(?:have )?(?:lost|lose)|(?:did|have|do) we (?:lose|lost)` +
        `|${CUSTOMER} (?:who |that )?(?:have |had )?(?:lapsed|churned|left(?: us)?|went quiet)` +
        `|${PEOPLE} (?:who |that )?(?:stopped|quit|ceased|stop) (?:buying|ordering|purchasing|shopping)`,
    ),
  },
  {
    measure: 'revenue',
    role: 'amount',
    weak: true,
    pattern: words(
      `how much (?:\\w+ ){0,7}(?:sell|sold|make|made|earn|earned|take|taken|took|bring|brought|generate|generated|spend|spent|order|ordered|buy|bought|get|got|came in|come in|coming in|rolled in)` +
        // "what did we take in May?", "what have lapsed customers spent with us?"
        `|what (?:did|do|have|has|had) we (?:take|taken|took|make|made|earn|earned|bring in|brought in|turn over|turned over)` +
        `|what (?:did|do|does|have|has|had) (?:\\w+ ){1,4}(?:spent|spend)`,
    ),
  },
  {
    measure: 'revenue',
    role: 'amount',
    figure: true,
    pattern: words(
      `net sales|gross sales|sales value|top ?line|turn(?:ed|s)? over|revenue|revenues|sales|turnover|takings|income|gmv|proceeds|earnings|receipts|spend|spending`,
    ),
  },
  {
    measure: 'units',
    role: 'amount',
    weak: true,
    pattern: words(
      `how many (?:\\w+ ){1,6}(?:did we |have we |do we |were |was |got )?(?:sold|sell|shifted|shift|moved|move|ship|shipped)`,
    ),
  },
  {
    measure: 'units',
    role: 'amount',
    figure: true,
    pattern: words(
      `units? sold|items? sold|pieces sold|number of (?:items|units|pieces)|how many (?:items|units|pieces)` +
        `|units?|quantity|quantities|qty|volume|pieces` +
        `|(?:items|products|pieces) (?:sold|shipped|moved)`,
    ),
  },
  {
    measure: 'orders',
    role: 'amount',
    pattern: words(
      `(?:number of|how many|count of) sales|orders?|invoices?|transactions?|purchases?|baskets?|checkouts?`,
    ),
  },
  {
    measure: 'customers',
    role: 'count',
    // "customer segment", "customer type" name dimensions, not the number of customers.
    pattern: words(
      `(?:active )?(?:${CUSTOMER}|people)(?! (?:segments?|groups?|types?|stages?|lifecycle|status|kinds?)\\b)`,
    ),
  },
];

/** "How many X", "number of X": X is the measure asked for, wherever else measures are named. */
export const QUANTIFIER = words(`how many|number of|count of|total number of|no of|how much|amount of`);

/** "total CLV": the sum rather than the average. */
export const TOTAL = /\b(?:total|sum|combined|overall|aggregate|all together|altogether|in total)\b/;
/** Words that make a report name a question about a figure ("average churn risk", "total CLV"). */
export const AGGREGATE =
  /\b(?:total|sum|combined|overall|average|avg|mean|median|how much|how many|number of)\b/;

/** The words that name each dimension. */
export const DIMENSION_WORDS: Record<Exclude<Dimension, 'customerType'>, string> = {
  country: `countr(?:y|ies)|nations?|markets?|territor(?:y|ies)|geograph(?:y|ies)|locations?`,
  product: `products?|items?|skus?|articles?|goods|(?:best|top)[- ]?sellers?|bestsellers?|stock ?codes?|lines?`,
  customer: `(?:customers?|buyers?|clients?|accounts?|shoppers?)(?! (?:segments?|groups?|types?|stages?|lifecycle))`,
  segment: `(?:rfm |customer )?segments?|segmentation|customer groups?|rfm groups?`,
  stage: `(?:lifecycle |life cycle |customer )?stages?|lifecycles?`,
  day: `days?|dates?`,
  week: `weeks?`,
  month: `months?`,
  quarter: `quarters?`,
  year: `years?`,
};

/** "new vs returning customers": the breakdown of customers by kind. */
export const CUSTOMER_TYPE = words(
  `(?:by )?customer (?:types?|kinds?|status)` +
    `|(?:new|first[- ]time) (?:customers? )?(?:vs|versus|v|and|or|/|compared (?:to|with)|against) (?:returning|repeat|existing|old)(?: customers?)?` +
    `|(?:returning|repeat|existing|old) (?:customers? )?(?:vs|versus|v|and|or|/|compared (?:to|with)|against) (?:new|first[- ]time)(?: customers?)?`,
);

/** Time granularities said as adverbs ("monthly", "month by month"). */
export const TIME_ADVERBS: Array<[RegExp, Dimension | 'auto']> = [
  [
    words(
      `monthly|month by month|month on month|month over month|mom|(?:per|by|each|every|a) month|over the months|for each month`,
    ),
    'month',
  ],
  [
    words(`weekly|week by week|week on week|week over week|(?:per|by|each|every|a) week|for each week`),
    'week',
  ],
  [words(`daily|day by day|day-by-day|(?:per|by|each|every|a) day|for each day|each date|by date`), 'day'],
  [words(`quarterly|quarter by quarter|quarter on quarter|(?:per|by|each|every|a) quarter`), 'quarter'],
  [words(`yearly|annually|(?:per|by|each|every|a) year|year by year`), 'year'],
  [
    words(
      `over time|trends?|trending|evolution|evolved|history|historically|time series|progression|development|developed|changed (?:over|across) time|how (?:has|have) .{1,40} (?:changed|developed|evolved|moved|grown)`,
    ),
    'auto',
  ],
];

/** Words that rank ("top", "busiest"), as a pattern source. */
export const SUPERLATIVE_WORDS = `top|best|worst|bottom|biggest|largest|highest|lowest|leading|strongest|weakest|most|least|fewest|smallest|greatest|busiest|quietest|best[- ]selling|top[- ]selling|worst[- ]selling|most popular|least popular|slowest|poorest|rank|ranking|ranked|record`;
export const SUPERLATIVE = words(SUPERLATIVE_WORDS);
export const ASCENDING = words(
  `worst|lowest|least|bottom|smallest|fewest|weakest|slowest|quietest|poorest|worst[- ]selling|least popular|slow[- ]moving`,
);

export const NUMBER_WORDS: Record<string, number> = {
  ...ONE_TO_TWELVE,
  fifteen: 15,
  twenty: 20,
  fifty: 50,
  hundred: 100,
};
export const NUMBER = `\\d{1,3}|${Object.keys(NUMBER_WORDS).join('|')}`;

/** "vs", "compared with": two or more sides side by side. */
export const COMPARISON = words(
  `vs|versus|v|compared? (?:to|with|against)|compare|comparing|comparison|against|relative to|as opposed to|/`,
);

/** The period just before ("the month before", "the previous period"), relative to another. */
export const PREVIOUS_PERIOD = words(
  `(?:the )?(?:month|quarter|week|year|period|day|one|time) before(?: that)?|(?:the )?(?:previous|prior|preceding) (?:month|quarter|week|year|period|day|one)|before that|prior period`,
);
/** A year earlier ("same period last year", "year on year"). */
export const YEAR_EARLIER = words(
  `(?:the )?same (?:period|month|quarter|week|time|day) (?:last|a|the previous|the prior) year|a year (?:ago|earlier|before)|year on year|year over year|yoy|last years`,
);

/** Just before a country: leave it out ("excluding the UK", "outside Germany", "non-UK"). */
export const EXCLUDE_BEFORE =
  /\b(?:excluding|exclude|except|apart from|other than|outside(?: of)?|without|not in|non|ex|minus|besides|leave out|leaving out|leave off|take out|taking out|drop|remove|strip out|ignore|ignoring|excl|exc|not including|not incl)(?: the)?[ -]*$/;
/** "international sales": everything but the home market. */
export const ABROAD = words(
  `international|internationally|overseas|abroad|export|exports|foreign|rest of (?:the )?world|outside the home market|non[- ]domestic`,
);

export const GUEST = words(
  `guest checkouts?|guests?|guest (?:orders|customers|buyers|sales)|anonymous(?: customers| orders| buyers)?|without (?:an )?(?:account|customer id)|unregistered(?: customers)?|no customer id`,
);
export const REGISTERED = words(
  `registered (?:customers|buyers|users)|known customers|named customers|account holders|signed[- ]up customers`,
);

/** Follow-ups that ask for something about the last answer rather than a new figure. */
export const MORE = words(
  `(?:show|give|display|list) (?:me )?(?:some |a few |the )?(?:more|rest|next(?: page| ones| \\d+)?|remaining(?: rows)?)|more rows|more please|load more|next page|next one|next ones|next \\d+|see more|the rest|keep going|continue|^more$|^next$|^and more$`,
);
export const WHY = words(
  `why|how come|whats (?:behind|driving)|what (?:drove|drives|caused|causes|explains|explained|is behind|was behind|is driving|was driving|made (?:it|that|this))|drivers?|reasons?|explain|what changed|whats changed|break down the change|where did (?:it|that|this) come from`,
);
export const EXPORT = words(
  `export|csv|download|spreadsheet|excel|xlsx|as a file|in a file|send (?:me )?(?:the |that |this )?(?:data|table|file|numbers)|save (?:it|that|this)`,
);
export const SORT = new RegExp(
  `\\b(?:sort|order|rank)(?:ed)?(?: it| them| this| that| the table| the list| the rows| results)? by\\b`,
  'g',
);
/** Words that start an elliptic follow-up ("and in France?", "what about last year?"). */
export const FOLLOW_UP_START =
  /^(?:and|what about|how about|what of|same|same for|same but|now|then|also|but|only|just|except|excluding|without|ok|okay|so|for|in|by|per|vs|versus|compared|compare|sort|order|split|break it|instead|plus|with|from|over|during|between|since|make it|do it|try|show it|change|leave out|leaving out|take out|drop|remove|ignore)\b/;
/** A complete question: a new query, not a follow-up, when it names its own measure. */
export const QUESTION_FRAME =
  /^(?:what|whats|how|which|who|show|give|tell|list|can you|could you|i want|i need|id like|please|get|find|compare|break down|rank)\b/;
export const EVERYWHERE = words(
  `all countries|every country|everywhere|worldwide|globally|any country|all markets|whole world`,
);
export const EVERYONE = words(
  `all segments|every segment|all customers|everyone|all stages|whole base|all of them`,
);
export const ALL_TIME = words(
  `all time|all-time|ever|overall|since the beginning|since we started|since records began|in total`,
);
/** "also France": add to the filter instead of replacing it. */
export const ALSO = words(`also|as well|too|plus|add|and also|include|including`);

/**
 * Messages for other parts of the bot, even when they name a measure: campaigns, recommendations,
 * model status, lists of customers, customer service. The intent router answers these.
 */
export const ELSEWHERE: RegExp[] = [
  words(
    `win[- ]?backs?|campaigns?|uplift|control group|promos?|promotions?|coupons?|vouchers?|discount codes?|newsletters? blast|email blast|\\d+ ?(?:%|percent) off`,
  ),
  /\b(?:send|give|offer|email|message|target)\b.{0,40}\b(?:discounts?|offers?|coupons?|vouchers?|promos?|emails?|messages?)\b/,
  /\bwhich (?:customers|buyers|clients|people)\b.*\b(?:churn|churning|leave|leaving|lapse|lapsing|risk|valuable|worth|likely|might|will)\b/,
  words(
    `recommend|recommends|recommended|recommendations?|suggest|suggestions?|gift ideas?|gifts? for|presents? for|present ideas?|similar|alternatives?|something like|(?:bought|buy|buys|purchased|sold) (?:together|with)|go(?:es)? (?:together|with)|frequently bought|association|rules|bundles?|cross[- ]?sell`,
  ),
  words(`models?|retrain|retrained|training|trained|accuracy|predictions? (?:are|stale)|model status`),
  /^(?:who|whom)\b|\b(?:tell me|show me|list|find|see) who\b/,
  words(
    `my (?:order|orders|parcel|package|refund|account|data|details|money)|where is|wheres|track|tracking|parcel|dispatch(?:ed)?|ship to|shipping to|deliver to|delivery to|return (?:an|this|my|the|a) (?:item|order|product)|send (?:it|this) back|exchange|returns? policy|policy`,
  ),
  words(`forget me|delete my|unsubscribe|opt out|talk to|speak to|human|agent|complain|complaint|feedback`),
  words(`cohort retention|cohorts?`),
  words(
    `after (?:the|our|an?|that|this) (?:email|campaign|offer|message|newsletter|promo|mailing)s?|delivery (?:costs?|charges?|options?)|shipping (?:costs?|charges?|options?)|postage costs?`,
  ),
  words(`look ?up|lookup|profile of`),
];

/**
 * Lists of customers ("list the at-risk customers", "show me the champions"): the intent router
 * has reports for them. A question about a figure names a measure or a dimension.
 */
export const CUSTOMER_LIST = new RegExp(
  `^(?:list|name|give me|show me|show|find|get|export|pull up)(?: the| all| our| me)?(?: [a-z'-]+){0,3} ${CUSTOMER}(?: (?:in|from|with|at) [a-z ]+)?$`,
);

/** Report names the intent router answers when nothing else is asked ("churn report"). */
export const REPORT_WORD = words(`report|overview|summary|dashboard`);

export interface Unknowable {
  pattern: RegExp;
  reason: string;
  /** Words no product or country name has: looked for before anything else is read. */
  early?: boolean;
  /** Asks about data by itself ("stock level"), even without "how many" or "what is our". */
  plain?: boolean;
  /** Only about the shop's figures when a measure or dimension is named ("the weather" alone is small talk). */
  withMeasure?: boolean;
}

/** Things marketers ask about that are not in an order history: say so instead of guessing. */
export const UNKNOWABLE: Unknowable[] = [
  {
    early: true,
    withMeasure: true,
    pattern: words(
      `weather|temperatures?|heat ?waves?|(?:hot|cold|warm|sunny|rainy|wet|snowy|dry) (?:weather|days?|spells?|weeks?|months?|summer|winter)|rain(?:fall)?|snow(?:fall)?|sunshine`,
    ),
    reason:
      'The order history has no weather data, so I cannot tell how the weather changed sales. I can show sales by day, week or month for you to set against it.',
  },
  {
    early: true,
    plain: true,
    pattern: words(
      `profits?|profitability|margins?|gross margin|net margin|markup|mark-up|costs?|cogs|cost of goods|ebitda|net income`,
    ),
    reason:
      'The order history has selling prices but no costs, so I cannot work out profit or margins. I can give revenue (merchandise net of cancellations and returns).',
  },
  {
    early: true,
    pattern: words(
      `visitors?|visits?|visited (?:the |our )?(?:site|website|web ?shop|online shop|store page|page)|traffic|sessions?|page ?views?|pageviews|bounce rate|bounces|clicks?|click[- ]?through|ctr|impressions|website|site visits|(?:web|site|website|checkout|online|visitor) conversion(?: rates?)?|abandon(?:ed|ment|s)?`,
    ),
    reason:
      'I only see orders, not visits to the website: traffic, sessions, clicks and conversion rates are not in the data.',
  },
  {
    early: true,
    plain: true,
    pattern: words(`(?:different|distinct|unique) (?:products|items|skus|product lines|articles)`),
    reason:
      'I count units, orders and customers, not how many different products were sold. Ask for a breakdown by product (e.g. "units by product in May") to see each one.',
  },
  {
    plain: true,
    pattern: words(
      `in stock|stock levels?|inventory|inventories|warehouse|out of stock|back ?orders?|stock on hand`,
    ),
    reason: 'Stock levels are not in the order history, so I cannot say what is in stock.',
  },
  {
    early: true,
    pattern: words(
      `forecasts?|forecasting|predict|projections?|projected|next (?:week|month|quarter|year)|will we (?:sell|make|get)|going to (?:sell|make)|expected (?:revenue|sales|orders)|budget` +
        `|what will (?:\\w+ ){0,3}(?:be|look like|come to|come in at)|will (?:our )?(?:revenue|sales|orders|turnover) (?:be|look|reach|hit|grow|drop|fall|rise|go)`,
    ),
    reason:
      'I report what has happened in the orders; I do not forecast sales. (For what each customer is expected to spend, ask about lifetime value.)',
  },
  {
    early: true,
    pattern: words(
      `ads|adverts?|advertising|ad spend|adwords|marketing (?:spend|budget|costs?)|roas|return on ad spend|cac|acquisition costs?|cost per (?:acquisition|click|order)|cpc|cpm|cpa`,
    ),
    reason:
      'Marketing spend is not in the order history, so I cannot compute costs per customer or returns on ads.',
  },
  {
    early: true,
    pattern: words(`age|ages|age groups?|age brackets?|gender|genders|male|female|men|women|demographics?`),
    reason: 'The data has no age or gender of customers, only their country.',
  },
  {
    pattern: words(
      `city|cities|town|towns|regions?|regional|states?|county|counties|post ?codes?|zip ?codes?|zip|addresses|address|neighbou?rhoods?`,
    ),
    reason:
      "Orders carry the customer's country but no address, so I can split figures by country but not by city or region.",
  },
  {
    pattern: words(
      `sales channels?|channels?|devices?|mobile|desktop|tablet|app|referrers?|traffic sources?|utm|marketplaces?|amazon|ebay|in[- ]store|offline`,
    ),
    reason: 'The orders do not say which channel or device they came from.',
  },
  {
    early: true,
    pattern: words(
      `payment methods?|payments?|cards?|credit cards?|paypal|unpaid|outstanding invoices|debtors?`,
    ),
    reason: 'Payments are not in the order history: I know what was ordered, not how or whether it was paid.',
  },
  {
    early: true,
    pattern: words(
      `delivery (?:times?|days|speed|performance)|shipping (?:times?|days|speed)|lead times?|dispatch times?|late deliveries|on[- ]time`,
    ),
    reason: 'Deliveries are not in the order history, so I cannot measure delivery times.',
  },
  {
    pattern: words(`ratings?|reviews?|nps|net promoter|satisfaction|csat|star ratings?`),
    reason:
      'Product ratings and reviews are not in the order history. (Feedback customers give the bot is: ask for the "feedback summary".)',
  },
  {
    early: true,
    pattern: words(`tax|taxes|vat|duty|duties`),
    reason: 'Prices in the order history carry no tax breakdown.',
  },
  {
    early: true,
    pattern: words(`employees?|staff|salaries|salary|wages|headcount`),
    reason: 'Staff figures are not in the order history.',
  },
  {
    early: true,
    pattern: words(
      `email opens?|open rates?|opened (?:our|the|an?) (?:email|newsletter|message)s?|opens|unsubscribes|email engagement|newsletters?`,
    ),
    reason: 'Email opens and clicks are not recorded; I know orders, and which messages the bot sent.',
  },
  {
    pattern: words(`categor(?:y|ies)|brands?|suppliers?|vendors?|colou?rs?|sizes|departments?|collections?`),
    reason:
      'Products have a code and a name but no category, brand or supplier in the data. I can show figures per product.',
  },
  {
    early: true,
    pattern: words(
      `weekdays?|weekends?|day of (?:the )?week|days of (?:the )?week|hours?|hourly|time of day|times of day|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?`,
    ),
    reason: 'I can split figures by day, week, month, quarter or year, not by weekday or hour.',
  },
  {
    pattern: words(`discounts? (?:given|total|value|amount)|how much discount|discounting|markdowns?`),
    reason:
      'Discount lines are kept apart from merchandise and not reported on their own; revenue here is merchandise net of cancellations and returns.',
  },
];

/** Named seasons and holidays: periods the marketer should give as dates. */
export const SEASON = words(
  `christmas|xmas|black friday|cyber monday|boxing day|easter|valentines?(?: day)?|mothers day|fathers day|halloween|summer|winter|spring|autumn|fall season|holiday season|the holidays|festive(?: season| period)?|new year|back to school|bank holidays?`,
);

/** "What share of revenue comes from the UK": the figure as a share of the whole shop. */
export const SHARE = words(
  `(?:share|percentage|proportion|percent|fraction|%|how much|what part|which part) of (?:our |the |all |total |all our )?(?:revenue|sales|turnover|orders|customers|units|business)`,
);

/** Signs that a message asks for a figure, for telling apart "no data for that" from chit-chat. */
export const FACTS_CUE = words(
  `how many|how much|number of|whats (?:our|the)|what (?:is|was|were|are) (?:our|the)|total|average|avg|mean|rate|percentage|share|by|per|breakdown|trend|top|compare|vs|sum|count|figures?|stats|statistics|numbers`,
);
