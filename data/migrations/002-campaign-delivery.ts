/**
 * Indexes for the campaign engine: outcome reports read the outbox per campaign, the
 * frequency window and opt-out sweeps read it per customer and status, and scheduled jobs look
 * up a customer's campaign memberships.
 */
export const up = `
CREATE INDEX outbox_campaign ON outbox(campaign_id, customer_id);
CREATE INDEX outbox_customer_status ON outbox(customer_id, status);
CREATE INDEX campaign_members_customer ON campaign_members(customer_id);
CREATE INDEX campaigns_kind_status ON campaigns(kind, status);
`;
