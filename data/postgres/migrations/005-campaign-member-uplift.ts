/** data/migrations/005-campaign-member-uplift.ts in PostgreSQL's dialect. */
export const up = `
ALTER TABLE campaign_members ADD COLUMN predicted_uplift DOUBLE PRECISION;
`;
