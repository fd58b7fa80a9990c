/** Answers to marketers' questions about the shop's figures (see README.md). */
export { Analyst, type AnalystOptions } from './analyst';
export type { AnalystAnswer, AnswerRow, DriverGroup, DriverItem } from './types';
export { MEASURE_DEFINITIONS } from './measures';
