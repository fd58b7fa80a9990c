/**
 * A product name as people write it: catalogues often shout ("REGENCY CAKESTAND 3 TIER"), which
 * reads as "Regency cakestand 3 tier"; names that already mix cases are left as they are.
 */
export function sentenceCase(name: string): string {
  if (name !== name.toUpperCase()) return name;
  const lower = name.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
