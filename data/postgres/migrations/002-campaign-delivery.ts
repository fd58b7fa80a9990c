/** data/migrations/002-campaign-delivery.ts in PostgreSQL's dialect (the same statements). */
export const up = `
CREATE INDEX outbox_campaign ON outbox(campaign_id, customer_id);
CREATE INDEX outbox_customer_status ON outbox(customer_id, status);
CREATE INDEX campaign_members_customer ON campaign_members(customer_id);
CREATE INDEX campaigns_kind_status ON campaigns(kind, status);
`;
