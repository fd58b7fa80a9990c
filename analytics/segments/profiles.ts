/** Segment (or cluster) profiles: size, share of revenue, mean R/F/M, top countries and products. */
import type { CustomerHistory } from '../history';

export interface ProfileMember {
  customerId: number;
  group: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  country: string | null;
}

export interface SegmentProfile {
  name: string;
  customers: number;
  customerShare: number;
  revenue: number;
  revenueShare: number;
  meanRecencyDays: number;
  meanFrequency: number;
  meanMonetary: number;
  topCountries: { country: string; customers: number }[];
  /** Products bought by the most customers of the group (before the as-of date). */
  topProducts: { productId: number; name: string; customers: number }[];
}

export function segmentProfiles(
  members: ProfileMember[],
  histories: Map<number, CustomerHistory>,
  asOf: number,
  productName: (id: number) => string = (id) => String(id),
  top = 5,
): SegmentProfile[] {
  const groups = new Map<string, ProfileMember[]>();
  for (const m of members) {
    const list = groups.get(m.group) ?? [];
    list.push(m);
    groups.set(m.group, list);
  }
  const totalRevenue = members.reduce((s, m) => s + m.monetary, 0);
  const profiles: SegmentProfile[] = [];
  for (const [name, list] of groups) {
    const countries = new Map<string, number>();
    const products = new Map<number, number>();
    for (const m of list) {
      const country = m.country ?? 'unknown';
      countries.set(country, (countries.get(country) ?? 0) + 1);
      const seen = new Set<number>();
      for (const o of histories.get(m.customerId)?.orders ?? []) {
        if (o.t >= asOf) break;
        if (o.kind === 'purchase') for (const p of o.products) seen.add(p);
      }
      for (const p of seen) products.set(p, (products.get(p) ?? 0) + 1);
    }
    const revenue = list.reduce((s, m) => s + m.monetary, 0);
    const mean = (pick: (m: ProfileMember) => number) => list.reduce((s, m) => s + pick(m), 0) / list.length;
    profiles.push({
      name,
      customers: list.length,
      customerShare: list.length / members.length,
      revenue,
      revenueShare: totalRevenue > 0 ? revenue / totalRevenue : 0,
      meanRecencyDays: mean((m) => m.recencyDays),
      meanFrequency: mean((m) => m.frequency),
      meanMonetary: mean((m) => m.monetary),
      topCountries: [...countries]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3)
        .map(([country, customers]) => ({ country, customers })),
      topProducts: [...products]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, top)
        .map(([productId, customers]) => ({ productId, name: productName(productId), customers })),
    });
  }
  return profiles.sort((a, b) => b.revenue - a.revenue);
}
