/**
 * data/migrations/006-email-contacts.ts in PostgreSQL's dialect. The trigger that drops a
 * forgotten customer's contact details is a PL/pgSQL function here.
 */
export const up = `
CREATE TABLE customer_contacts (
  customer_id       BIGINT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  name              TEXT COLLATE "C",
  preferred_channel TEXT COLLATE "C" CHECK (preferred_channel IN ('chat', 'email')),
  consent_source    TEXT COLLATE "C",
  updated_at        TEXT COLLATE "C" NOT NULL,
  import_id         BIGINT REFERENCES imports(id) ON DELETE SET NULL
);

CREATE FUNCTION retain_forget_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM customer_contacts WHERE customer_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER customer_contacts_forgotten AFTER UPDATE OF forgotten_at ON customers
  FOR EACH ROW WHEN (NEW.forgotten_at IS NOT NULL) EXECUTE FUNCTION retain_forget_contacts();

CREATE TABLE email_suppressions (
  address_hash      TEXT COLLATE "C" PRIMARY KEY,
  reason            TEXT COLLATE "C" NOT NULL CHECK (reason IN ('bounced', 'complained')),
  detail            TEXT COLLATE "C",
  created_at        TEXT COLLATE "C" NOT NULL
);

ALTER TABLE outbox ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'chat' CHECK (channel IN ('chat', 'email'));
ALTER TABLE campaign_members ADD COLUMN channel TEXT COLLATE "C" CHECK (channel IN ('chat', 'email'));

CREATE INDEX outbox_claim_order ON outbox(status, (COALESCE(next_attempt_at, created_at)), id);
CREATE INDEX feedback_customer ON feedback(customer_id, sentiment_label, created_at);
`;
