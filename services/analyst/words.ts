/** Numbers, periods, groups and filters in words, as the answers state them. */
import type { Dimension, QueryFilters } from '../../nlp/query/spec';
import type { Format } from './measures';

const WHOLE = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const TWO = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const UP_TO_TWO = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** "£12,345", "£23.45" (pence where they matter), "12.3%", "1,234", "3.75". */
export function formatValue(value: number | null | undefined, format: Format): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (format) {
    case 'money':
      return `${value < 0 ? '-' : ''}£${Math.abs(value) >= 1000 ? WHOLE.format(Math.abs(value)) : TWO.format(Math.abs(value))}`;
    case 'percent':
      return `${(value * 100).toFixed(1)}%`;
    default:
      return Number.isInteger(value) ? WHOLE.format(value) : UP_TO_TWO.format(value);
  }
}

/** "+12.3%" / "-4.0%" / "–". */
export function formatChange(relative: number | null): string {
  if (relative === null || !Number.isFinite(relative)) return '–';
  return `${relative >= 0 ? '+' : '-'}${Math.abs(relative * 100).toFixed(1)}%`;
}

export const DIMENSION_LABEL: Record<Dimension, string> = {
  country: 'Country',
  product: 'Product',
  customer: 'Customer',
  segment: 'Segment',
  stage: 'Lifecycle stage',
  customerType: 'Customer type',
  day: 'Day',
  week: 'Week starting',
  month: 'Month',
  quarter: 'Quarter',
  year: 'Year',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How a group's key reads: "Jun 2011" for 2011-06, "Q2 2011" for a quarter starting 2011-04. */
export function keyLabel(dimension: Dimension | undefined, key: string, label: string): string {
  if (dimension === 'month') return `${MONTHS[Number(key.slice(5, 7)) - 1]} ${key.slice(0, 4)}`;
  if (dimension === 'quarter') return `Q${(Number(key.slice(5, 7)) + 2) / 3} ${key.slice(0, 4)}`;
  if (dimension === 'product') return `${label} (${key})`;
  return label;
}

const list = (xs: string[], and = 'and') =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} ${and} ${xs[xs.length - 1]}`;

const amount = (r: { min?: number; max?: number }) =>
  [
    r.min !== undefined ? `over £${WHOLE.format(r.min)}` : '',
    r.max !== undefined ? `under £${WHOLE.format(r.max)}` : '',
  ]
    .filter(Boolean)
    .join(' and ');

/** "in Germany, for Champions, orders over £500" (empty for the whole shop). */
export function describeFilters(f: QueryFilters): string {
  const parts: string[] = [];
  if (f.countries?.length) parts.push(`in ${list(f.countries, 'or')}`);
  if (f.excludeCountries?.length) parts.push(`outside ${list(f.excludeCountries)}`);
  if (f.segments?.length) parts.push(`for ${list(f.segments, 'or')} (segment)`);
  if (f.stages?.length) parts.push(`for customers in the ${list(f.stages, 'or')} stage`);
  if (f.products?.length)
    parts.push(
      `for ${list(
        f.products.map((p) => `${p.name} (${p.code})`),
        'or',
      )}`,
    );
  if (f.productWords?.length)
    parts.push(`for products named with ${list(f.productWords.map((w) => `"${w}"`))}`);
  if (f.customerKind === 'new') parts.push('from new customers');
  if (f.customerKind === 'returning') parts.push('from returning customers');
  if (f.customerKind === 'guest') parts.push('from guest checkouts');
  if (f.customerKind === 'registered') parts.push('from named customers (no guest checkouts)');
  if (f.orderValue) parts.push(`orders ${amount(f.orderValue)}`);
  if (f.customerSpend) parts.push(`customers who spent ${amount(f.customerSpend)} in the period`);
  return parts.join(', ');
}

export { list as listWords };
