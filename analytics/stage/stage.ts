/**
 * Lifecycle stage of a customer, from the models (first match wins; thresholds configurable):
 *   new      first purchase within the last `newDays` (default 30): welcome them
 *   lapsed   churn probability >= `lapsedProbability` (0.8), or no purchase for 2 x horizon
 *   at risk  churn probability >= `atRiskProbability` (0.5)
 *   repeat   bought on two or more days and not at risk
 *   active   a single purchase, not new and not at risk
 * Stages are stored with the date they changed (scheduled jobs act on changes).
 */

export const STAGES = ['new', 'active', 'repeat', 'at risk', 'lapsed'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * How a stage is named to people. The RFM segment "At risk" is a different notion (recency and
 * value scores), so the stage stored as "at risk" is shown as "likely to churn": one name, one
 * definition, on every card.
 */
export const STAGE_LABELS: Record<Stage, string> = {
  new: 'new',
  active: 'one order so far',
  repeat: 'repeat buyer',
  'at risk': 'likely to churn',
  lapsed: 'lapsed',
};

export function stageLabel(stage: string): string {
  return STAGE_LABELS[stage as Stage] ?? stage;
}

export interface StageThresholds {
  newDays: number;
  atRiskProbability: number;
  lapsedProbability: number;
}

export const DEFAULT_STAGE_THRESHOLDS: StageThresholds = {
  newDays: 30,
  atRiskProbability: 0.5,
  lapsedProbability: 0.8,
};

export interface StageInput {
  tenureDays: number;
  recencyDays: number;
  frequency: number;
  churnProbability: number;
}

export function stageFor(
  c: StageInput,
  horizonDays: number,
  t: StageThresholds = DEFAULT_STAGE_THRESHOLDS,
): Stage {
  if (c.tenureDays <= t.newDays) return 'new';
  if (c.churnProbability >= t.lapsedProbability || c.recencyDays > 2 * horizonDays) return 'lapsed';
  if (c.churnProbability >= t.atRiskProbability) return 'at risk';
  if (c.frequency >= 2) return 'repeat';
  return 'active';
}

export interface StageChange {
  customerId: number;
  stage: Stage;
  previousStage: Stage | null;
}

/** Customers whose stage differs from the last one recorded (or who have none yet). */
export function stageChanges(
  current: { customerId: number; stage: Stage }[],
  previous: Map<number, string>,
): StageChange[] {
  const out: StageChange[] = [];
  for (const c of current) {
    const before = previous.get(c.customerId) ?? null;
    if (before !== c.stage)
      out.push({ customerId: c.customerId, stage: c.stage, previousStage: before as Stage | null });
  }
  return out;
}
