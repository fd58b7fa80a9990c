/** Reads what dialogs need (filters, budgets, offers) out of the entities the language model found. */
import type { Entity } from '../nlp/entities/extract';
import type { ReportFilter } from '../services/reports';

type Of<T extends Entity['type']> = Extract<Entity, { type: T }>;

export function first<T extends Entity['type']>(entities: Entity[], type: T): Of<T> | undefined {
  return entities.find((e) => e.type === type) as Of<T> | undefined;
}

export function all<T extends Entity['type']>(entities: Entity[], type: T): Of<T>[] {
  return entities.filter((e) => e.type === type) as Of<T>[];
}

/** Country and time range filters for reports ("in Germany", "since March"). */
export function reportFilter(entities: Entity[]): ReportFilter {
  const filter: ReportFilter = {};
  const country = first(entities, 'country');
  if (country) filter.country = country.value;
  const range = first(entities, 'dateRange');
  if (range) {
    filter.from = new Date(`${range.from}T00:00:00Z`);
    filter.before = new Date(`${range.to}T00:00:00Z`);
  }
  return filter;
}

/** "under £20" → max 20; "over £50" → min 50; "around £30" → 25%-either-side band. */
export function budget(entities: Entity[]): { minPrice?: number; maxPrice?: number } {
  const m = first(entities, 'money');
  if (!m) return {};
  if (m.bound === 'max') return { maxPrice: m.amount };
  if (m.bound === 'min') return { minPrice: m.amount };
  return { minPrice: m.amount * 0.75, maxPrice: m.amount * 1.25 };
}

export interface CampaignTerms {
  percentOff?: number;
  minChurnProbability?: number;
  controlShare?: number;
}

/**
 * Which percentage is which in "win-back for customers above 70% churn risk with 10% off, 20%
 * control": the words right around each percentage decide.
 */
export function campaignTerms(text: string, entities: Entity[]): CampaignTerms {
  const lower = text.toLowerCase();
  const terms: CampaignTerms = {};
  for (const p of all(entities, 'percent')) {
    const before = lower.slice(Math.max(0, p.start - 30), p.start);
    const after = lower.slice(p.end, p.end + 25);
    if (
      /control|hold ?out|held out/.test(after.slice(0, 20)) ||
      /control( group)?( of| share)?\s*$|hold ?out( of)?\s*$/.test(before)
    ) {
      terms.controlShare = p.value / 100;
    } else if (/^\s*(off|discount)/.test(after) || /(discount|offer)( of)?\s*$/.test(before)) {
      terms.percentOff = p.value;
    } else if (
      /(above|over|more than|at least|>=?|exceeds?)\s*$/.test(before) ||
      /^\s*(churn|risk|chance)/.test(after)
    ) {
      terms.minChurnProbability = p.value / 100;
    } else if (terms.percentOff === undefined) {
      terms.percentOff = p.value;
    }
  }
  return terms;
}
