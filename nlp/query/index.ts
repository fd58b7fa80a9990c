/** Understanding marketers' questions about the shop's figures (see understand.ts). */
export { understandShopQuestion } from './understand';
export { type ShopVocabulary } from './vocabulary';
export * from './spec';
export { readQuerySpec } from './validate';
