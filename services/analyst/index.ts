/** Answers to marketers' questions about the shop's figures (see README.md). */
export { Analyst } from './analyst';
export type { AnalystAnswer } from './types';
