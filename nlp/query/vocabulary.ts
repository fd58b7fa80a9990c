/**
 * What the shop's data names (countries, segments, lifecycle stages, products), prepared once
 * for matching questions against it: typo-tolerant phrase matching, a product index, the
 * adjectives of countries ("German customers") and the world's country names, so that a country
 * without orders is recognised and answered honestly ("no orders from Mexico") instead of ignored.
 */
import { EntityExtractor } from '../entities/extract';
import { ProductCatalogue, nameWords } from '../entities/catalogue';

export interface ShopVocabulary {
  /** Countries as stored on orders, most orders first (the first is the home market). */
  countries: string[];
  segments: string[];
  stages: string[];
  products: { code: string; name: string }[];
}

export interface PreparedVocabulary {
  readonly vocabulary: ShopVocabulary;
  /** Countries and segments, typo-tolerant (entities/extract). */
  readonly extractor: EntityExtractor;
  readonly catalogue: ProductCatalogue;
  /** Lower-cased stock code -> product. */
  readonly byCode: Map<string, { code: string; name: string }>;
  /** Adjectives and names of countries (lower case) -> the country as the data spells it. */
  readonly countryWords: Map<string, string>;
  /** Every word the vocabulary uses, so spelling correction leaves them alone. */
  readonly words: Set<string>;
  readonly segmentByLower: Map<string, string>;
  readonly stageByLower: Map<string, string>;
  readonly home?: string;
  /** The word as product names spell it ("bags" -> "bag"), when a few products (2 to a third) have it. */
  productWord(word: string): string | undefined;
}

const cache = new WeakMap<ShopVocabulary, PreparedVocabulary>();

/** Prepared once per vocabulary object (building the product index takes a few milliseconds). */
export function prepareVocabulary(vocabulary: ShopVocabulary): PreparedVocabulary {
  let prepared = cache.get(vocabulary);
  if (!prepared) {
    prepared = build(vocabulary);
    cache.set(vocabulary, prepared);
  }
  return prepared;
}

/**
 * Adjectives (and a few other names) of countries, as marketers write them: "German customers",
 * "French revenue", "the Dutch". Keys are the country's English name.
 */
const ADJECTIVES: Record<string, string[]> = {
  'United Kingdom': ['british', 'uk', 'english'],
  EIRE: ['irish'],
  Germany: ['german'],
  France: ['french'],
  Netherlands: ['dutch'],
  Belgium: ['belgian'],
  Spain: ['spanish'],
  Portugal: ['portuguese'],
  Italy: ['italian'],
  Switzerland: ['swiss'],
  Austria: ['austrian'],
  Sweden: ['swedish'],
  Norway: ['norwegian'],
  Denmark: ['danish'],
  Finland: ['finnish'],
  Iceland: ['icelandic'],
  Poland: ['polish'],
  'Czech Republic': ['czech'],
  Lithuania: ['lithuanian'],
  Greece: ['greek'],
  Cyprus: ['cypriot'],
  Malta: ['maltese'],
  Australia: ['australian', 'aussie'],
  Japan: ['japanese'],
  Singapore: ['singaporean'],
  'Hong Kong': ['hong kong'],
  Israel: ['israeli'],
  Lebanon: ['lebanese'],
  Bahrain: ['bahraini'],
  'Saudi Arabia': ['saudi'],
  'United Arab Emirates': ['emirati', 'uae'],
  Canada: ['canadian'],
  USA: ['american', 'us', 'the states', 'the us', 'america', 'usa'],
  Brazil: ['brazilian'],
  RSA: ['south african'],
  Mexico: ['mexican'],
  China: ['chinese'],
  India: ['indian'],
  Russia: ['russian'],
  Turkey: ['turkish'],
  Hungary: ['hungarian'],
  Romania: ['romanian'],
  Luxembourg: ['luxembourgish'],
  'New Zealand': ['kiwi'],
};

/** Names the data may use for a country the world list spells differently. */
const SAME_COUNTRY: Record<string, string> = {
  'United States': 'USA',
  Ireland: 'EIRE',
  'South Africa': 'RSA',
  Czechia: 'Czech Republic',
};

let worldNames: string[] | undefined;

/** The world's country and territory names in English, from the ICU data built into Node. */
function worldCountries(): string[] {
  if (!worldNames) {
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    const out = new Set<string>();
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        let name: string | undefined;
        try {
          name = names.of(code);
        } catch {
          name = undefined;
        }
        if (
          !name ||
          name === code ||
          /^(Pseudo|Unknown|Outlying|European|United Nations|Eurozone)/.test(name)
        )
          continue;
        out.add(name.replace(/\s*\(.*\)$/, '').replace(/ SAR China$/, ''));
      }
    }
    worldNames = [...out];
  }
  return worldNames;
}

function build(vocabulary: ShopVocabulary): PreparedVocabulary {
  const products = vocabulary.products.filter((p) => p.name);
  const countryWords = new Map<string, string>();
  const known = new Set(vocabulary.countries);
  // The world's names first, the shop's own spellings over them.
  for (const name of worldCountries()) {
    const own = SAME_COUNTRY[name];
    countryWords.set(name.toLowerCase(), own && known.has(own) ? own : name);
  }
  for (const [country, adjectives] of Object.entries(ADJECTIVES)) {
    const target = known.has(country) ? country : (SAME_COUNTRY[country] ?? country);
    for (const a of adjectives) if (!countryWords.has(a) || known.has(target)) countryWords.set(a, target);
  }
  for (const c of vocabulary.countries) countryWords.set(c.toLowerCase(), c);
  const words = new Set<string>();
  const addWords = (text: string) => {
    for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) words.add(w);
  };
  [...vocabulary.countries, ...vocabulary.segments, ...vocabulary.stages, ...countryWords.keys()].forEach(
    addWords,
  );
  for (const p of products) for (const w of nameWords(p.name)) words.add(w);
  const inNames = new Map<string, number>();
  for (const p of products)
    for (const w of new Set(nameWords(p.name))) inNames.set(w, (inNames.get(w) ?? 0) + 1);
  const distinctive = (w: string) => {
    const n = inNames.get(w) ?? 0;
    return n >= 2 && n <= products.length / 3;
  };
  return {
    productWord: (word) =>
      [word.replace(/s$/, ''), word.replace(/es$/, ''), word, `${word}s`].find((w) => distinctive(w)),
    vocabulary,
    extractor: new EntityExtractor({ countries: vocabulary.countries, segments: vocabulary.segments }),
    catalogue: new ProductCatalogue(products),
    byCode: new Map(products.map((p) => [p.code.toLowerCase(), p])),
    countryWords,
    words,
    segmentByLower: new Map(vocabulary.segments.map((s) => [s.toLowerCase().replace(/'/g, ''), s])),
    stageByLower: new Map(vocabulary.stages.map((s) => [s.toLowerCase(), s])),
    home: vocabulary.countries[0],
  };
}
