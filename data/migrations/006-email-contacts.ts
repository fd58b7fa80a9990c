/**
 * Reaching customers by email: what the shop knows about how to contact a customer beyond the
 * order history (name, preferred channel, how marketing consent was given), addresses that must
 * never be mailed again, the channel of every outbound message and campaign member, and the
 * indexes that keep sending fast with a queue of 100,000 messages.
 *
 * Consent itself stays in customers.consent_state / consent_updated_at: one marketing consent
 * for every channel. Email needs it 'granted'; chat only needs it not refused.
 */
export const up = `
CREATE TABLE customer_contacts (
  customer_id       INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  name              TEXT,                        -- as the customer gave it; shown in greetings
  preferred_channel TEXT CHECK (preferred_channel IN ('chat', 'email')),
  consent_source    TEXT,                        -- how consent was given or refused ('checkout checkbox', ...)
  updated_at        TEXT NOT NULL,
  import_id         INTEGER REFERENCES imports(id) ON DELETE SET NULL
);

-- Erasure ("forget me") marks the customer row; whatever contact details it held go with it,
-- whichever code path does the marking.
CREATE TRIGGER customer_contacts_forgotten AFTER UPDATE OF forgotten_at ON customers
  WHEN NEW.forgotten_at IS NOT NULL
BEGIN
  DELETE FROM customer_contacts WHERE customer_id = NEW.id;
END;

-- Addresses the relay refused for good, or whose owner complained: never mailed again. Kept as a
-- SHA-256 of the lower-cased address, so the list can outlive an erasure without keeping it.
CREATE TABLE email_suppressions (
  address_hash      TEXT PRIMARY KEY,
  reason            TEXT NOT NULL CHECK (reason IN ('bounced', 'complained')),
  detail            TEXT,                        -- the relay's answer, or where the complaint came from
  created_at        TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'chat' CHECK (channel IN ('chat', 'email'));
-- For a control member: the channel the message would have gone by (uplift per channel).
ALTER TABLE campaign_members ADD COLUMN channel TEXT CHECK (channel IN ('chat', 'email'));

-- The sender claims the next due message in this order: without an index on it, every claim
-- sorted the whole queue, and a queue of 100,000 emails drained at a crawl (bench:email).
CREATE INDEX outbox_claim_order ON outbox(status, COALESCE(next_attempt_at, created_at), id);
-- The complaint rule reads a customer's latest negative feedback before every message.
CREATE INDEX feedback_customer ON feedback(customer_id, sentiment_label, created_at);
`;
