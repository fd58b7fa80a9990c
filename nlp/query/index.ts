/** Understanding marketers' questions about the shop's figures (see understand.ts). */
export { understandShopQuestion, type UnderstandOptions } from './understand';
export { prepareVocabulary, type ShopVocabulary } from './vocabulary';
export * from './spec';
export { readQuerySpec } from './validate';
export { describePeriod, previousPeriod, yearEarlier } from './periods';
