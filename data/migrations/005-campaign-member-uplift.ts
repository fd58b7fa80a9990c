/**
 * Campaigns targeted by uplift keep, for each member, the uplift the model predicted when the
 * member was chosen: the campaign's Qini curve (how well that ranking found the customers the
 * offer changed) is measured against it once the outcomes are in. Null for members of campaigns
 * targeted otherwise.
 */
export const up = `
ALTER TABLE campaign_members ADD COLUMN predicted_uplift REAL;
`;
